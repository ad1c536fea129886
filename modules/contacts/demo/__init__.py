"""Sample data: the demo tenant's records (``seed``) and bulk records for benchmarks (``bulk``)."""
