"""Plans, entitlements, subscriptions and providers (filled by later work)."""
