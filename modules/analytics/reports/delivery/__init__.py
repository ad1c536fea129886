"""Reports delivered by e-mail on a schedule: subscriptions (who, how often, which format), the
deliveries each occurrence makes (one per recipient, run as that recipient, in their language),
their sending with retries, and the beat task that finds what is due in every tenant."""
