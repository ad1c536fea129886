"""The CRM itself: one Django app per module, described in ``modules.registry``."""
