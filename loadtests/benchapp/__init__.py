"""A bench-only tenant app: one table and one ADD COLUMN migration for the fleet benchmark."""
