"""Warehouse exports: the tenant's main records as Parquet files for a data warehouse."""
