"""Settings → Webhooks pages (permission ``settings.manage_integrations``)."""

PERMISSION = "settings.manage_integrations"
