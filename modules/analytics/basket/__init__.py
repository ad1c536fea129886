"""Basket analysis: association rules between the products bought in the same order (support,
confidence, lift), mined per tenant by a Celery task and shown where people sell."""
