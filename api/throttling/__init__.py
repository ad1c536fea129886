"""Rate limits of the API, per tenant and per credential, with RateLimit-* headers."""
