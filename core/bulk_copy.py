"""Writing many rows with PostgreSQL's COPY, for the bulk paths (imports, the outbox's batches).

A many-thousand-row ``bulk_create`` spends most of its time in Python: a model instance per row,
then every field's ``pre_save`` and ``get_db_prep_save`` per value, then one huge INSERT to compile.
Here each field's preparation is decided once per call: values already of the type the database
takes (text in a text column, an int in an integer or foreign-key column, an aware datetime, a
dict in a JSON column) go as they are, anything else through the field's own
``get_db_prep_save``, so the stored values are those ``bulk_create`` would store."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.utils import timezone

Prepare = Callable[[Any], Any]
if TYPE_CHECKING:
    Field = models.Field[Any, Any]

# Field classes (exactly these, not subclasses that may prepare values their own way) whose
# ``get_db_prep_save`` returns a value of these types unchanged.
_PLAIN: dict[type[Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.EmailField: (str,),
    models.URLField: (str,),
    models.SlugField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.BooleanField: (bool,),
    models.DateField: (datetime.date,),
}


def _plain_types(field: Field) -> tuple[type, ...] | None:
    if isinstance(field, models.ForeignKey):
        return _plain_types(field.target_field)
    return _PLAIN.get(type(field))


def preparer(field: Field) -> Prepare:
    """How a value of ``field`` becomes what the COPY writes (``get_db_prep_save``, short-cut)."""

    def slow(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    plain = _plain_types(field)
    if plain is not None:
        return lambda value: value if value is None or type(value) in plain else slow(value)
    if type(field) is models.DateTimeField:
        return lambda value: value if type(value) is datetime.datetime and value.tzinfo is not None else slow(value)
    if type(field) is models.JSONField:
        encoder = field.encoder
        return lambda value: (
            connection.ops.adapt_json_value(value, encoder) if type(value) in (dict, list) else slow(value)
        )
    if type(field) is ArrayField:
        items = _plain_types(field.base_field)
        if items is not None:
            return lambda value: (
                value if type(value) is list and all(type(item) in items for item in value) else slow(value)
            )
    return slow


def _stamped(field: Field) -> bool:
    """Whether the field's ``pre_save`` stamps the time of writing into a new row."""
    return isinstance(field, models.DateField) and bool(field.auto_now or field.auto_now_add)  # type: ignore[attr-defined]


def _writable(model: type[models.Model]) -> list[Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]


def _copy(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def copy_create(model: type[models.Model], objs: list[Any]) -> list[Any]:
    """``bulk_create`` through COPY: ids are taken from the table's sequence first, so the objects
    get their primary keys as with ``bulk_create``. Fields' ``pre_save`` runs as ``bulk_create``
    runs it, except that the time stamped into ``auto_now``/``auto_now_add`` fields is one for the
    whole call (as PostgreSQL's ``now()`` is one per transaction); generated columns are left to
    the database."""
    if not objs:
        return objs
    meta = model._meta
    fields = _writable(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    now = timezone.now()
    plain_pre_save = [type(f).pre_save is models.Field.pre_save for f in fields]
    steps = [(f, f.attname, _stamped(f), plain, preparer(f)) for f, plain in zip(fields, plain_pre_save, strict=True)]

    def values(obj: Any) -> list[Any]:
        row = [obj.pk]
        for field, attname, stamped, plain, prepare in steps:
            if stamped:
                value = now
                setattr(obj, attname, now)
            elif plain:
                value = getattr(obj, attname)
            else:
                value = field.pre_save(obj, True)
            row.append(prepare(value))
        return row

    _copy(model, [str(meta.pk.column), *(str(f.column) for f in fields)], (values(obj) for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def copy_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` — values of the fields ``names`` (attribute names: ``owner_id``), in that
    order — without building model instances; ids come from the table's sequence. Every other
    field gets what a new instance would hold: its default (called per row when callable), the
    time of the call for ``auto_now``/``auto_now_add``, or NULL; a ``db_default`` is left to the
    database."""
    rows = list(rows)
    if not rows:
        return
    fields = {f.attname: f for f in _writable(model)}
    given = [fields[name] for name in names]
    now = timezone.now()
    fixed: list[tuple[Field, Any]] = []
    per_row: list[tuple[Field, Callable[[], Any]]] = []
    for attname, field in fields.items():
        if attname in names or field.db_default is not models.NOT_PROVIDED:
            continue
        if _stamped(field):
            fixed.append((field, now))
        elif field.has_default() and callable(field.default):
            per_row.append((field, field.get_default))
        else:
            fixed.append((field, field.get_default()))
    prepares = [preparer(field) for field in given]
    constants = [preparer(field)(value) for field, value in fixed]
    calls = [(call, preparer(field)) for field, call in per_row]

    def values(row: Sequence[Any]) -> list[Any]:
        prepared = [prepare(value) for prepare, value in zip(prepares, row, strict=True)]
        return [*prepared, *constants, *(prepare(call()) for call, prepare in calls)]

    columns = [str(f.column) for f in [*given, *(f for f, _value in fixed), *(f for f, _call in per_row)]]
    _copy(model, columns, (values(row) for row in rows))


# Below this many rows ``bulk_update``'s one statement is as cheap as a scratch table.
COPY_UPDATE_FROM = 200


def copy_update(model: type[models.Model], objs: list[Any], names: Sequence[str]) -> None:
    """``bulk_update(objs, names)`` as one set-based UPDATE: the new values are COPYed into a
    scratch table and joined by primary key. ``bulk_update`` writes one ``CASE WHEN pk = …`` branch
    per row and field, which PostgreSQL tries in turn for every row: its cost grows with the square
    of the rows (thousands of matched cards). Values are prepared as ``bulk_update`` prepares them
    (``get_db_prep_save``); an expression (``F("x") + 1``), or a few rows, go through ``bulk_update``
    itself."""
    fields = [model._meta.get_field(name) for name in names]
    values = [[getattr(obj, field.attname) for field in fields] for obj in objs]  # type: ignore[union-attr]
    if len(objs) < COPY_UPDATE_FROM or any(hasattr(value, "resolve_expression") for row in values for value in row):
        model._default_manager.bulk_update(objs, names)
        return
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(str(meta.pk.column))
    columns = [connection.ops.quote_name(str(field.column)) for field in fields]  # type: ignore[union-attr]
    name = connection.ops.quote_name(f"bulk_update_{meta.db_table}")
    scratch = f"pg_temp.{name}"
    prepares = [preparer(field) for field in fields]  # type: ignore[arg-type]
    # A savepoint when the caller's transaction is open: a failure takes the scratch table with it.
    # Every name below is the model's own table or column, quoted: no input reaches the SQL text.
    listed = ", ".join(columns)
    create = f"CREATE TEMPORARY TABLE {name} AS SELECT {pk}, {listed} FROM {table} WITH NO DATA"  # noqa: S608
    assignments = ", ".join(f"{column} = scratch.{column}" for column in columns)
    update = f"UPDATE {table} SET {assignments} FROM {scratch} AS scratch WHERE {table}.{pk} = scratch.{pk}"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(create)
        with cursor.cursor.copy(f"COPY {scratch} ({pk}, {listed}) FROM STDIN") as copy:
            for obj, row in zip(objs, values, strict=True):
                copy.write_row([obj.pk, *(prepare(value) for prepare, value in zip(prepares, row, strict=True))])
        cursor.execute(update)
        cursor.execute(f"DROP TABLE {scratch}")
