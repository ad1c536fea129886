"""A tenant's custom fields as typed fields of its own GraphQL schema.

Every tenant gets a schema built from its active field definitions (``schema.tenant_schema``):
each record type with definitions gains ``custom: <Entity>CustomFields!`` and each record input
``custom: <Entity>CustomFieldsInput``. Root record connections take ``customFilter`` and
``customOrderBy`` (``connections``), which are the same for every tenant, so the base schema (no
custom fields) is what ``api.graphql.schema.schema`` prints.
"""
