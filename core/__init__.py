"""What every layer shares and may import: no models, no app, nothing of the transport layer."""
