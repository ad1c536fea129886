"""Tenant-admin customization: custom fields, pipelines and workflows (filled by later work)."""
