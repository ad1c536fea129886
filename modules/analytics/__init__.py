"""The analytics module: analyses of the shared customer record (sales funnel, customer value and
loyalty, basket analysis), reports and dashboards. Gated by the tenant's plan (``analytics``).

Analyses register themselves in ``modules.analytics.catalogue``; the module's index page lists the
ones the tenant's plan and the user's role allow.
"""
