"""One list framework for every record type: a module declares a ``ListDefinition`` (columns,
filters, sorts, bulk actions) once and hands it to the generic views here, so every list has the
same saved views, column chooser, filters (custom fields included), capped count, keyset pages and
bulk actions. See docs/architecture.md "Record lists"."""
