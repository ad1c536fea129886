"""The report builder: any registered record type (a report source), filtered, grouped by up to two
dimensions with date buckets, measured (count, sum, average, min, max, distinct), run as one
GROUP BY query in PostgreSQL within the running user's record visibility, saved and shared.

An app of its own (label ``analytics_reports``) so its models and migrations stand apart from the
analyses of the rest of the module; it belongs to the ``analytics`` module (``modules.registry``).
"""
