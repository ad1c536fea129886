"""Read-side queries of the sales module (reports aggregate in SQL here)."""
