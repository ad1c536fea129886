"""The operator console on the public host (``/console/``): tenants, billing, plans and the fleet,
for operator staff only (public-schema users with ``is_staff``)."""
