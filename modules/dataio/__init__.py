"""Moving records in and out of a tenant: file imports and exports of every module's records."""
