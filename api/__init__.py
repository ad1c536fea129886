"""Transport layer: REST (DRF) and GraphQL (graphene). It imports the domain, never the reverse."""
