"""The tenant's OpenAPI 3 document of ``/api/v1/`` (drf-spectacular), with each record's ``custom``
object typed from the tenant's field definitions, and the Swagger UI and Redoc pages that read it."""
