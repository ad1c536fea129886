"""Every write to webhook endpoints and deliveries goes through these services."""
