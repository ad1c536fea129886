"""Signals of a tenant's life that other apps act on without the tenants app importing them."""

from django.dispatch import Signal

# Sent once a restore has put a backup's schema in place, in that tenant's schema (``tenant=``).
# Whatever a process derived from the schema's rows is stale now, and a counter the schema holds
# went back in time: receivers retire their caches and move such counters past every earlier value.
tenant_restored = Signal()
