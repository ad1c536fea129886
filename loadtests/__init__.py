"""Load tests and the benchmark harness (`make bench`); nothing here is imported by the app."""
