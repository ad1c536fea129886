"""What Citus schema-based sharding (Citus 12+) needs from the database, checked on PostgreSQL.

Under Citus every tenant schema becomes a *distributed schema* (its tables one co-located shard
group placed on a worker) and the shared tables in ``public`` become *reference tables* (copied to
every worker). ``citus_schema_distribute`` refuses a schema that breaks its rules, and so would a
cluster at the next migration. ``schema_problems`` finds the same things in the catalogue of a
plain PostgreSQL, so ``make test`` fails on the migration that introduces one:

- tables of a tenant schema may reference tables of the same schema or reference tables (the
  shared tables), never another tenant schema; nothing outside a tenant schema may reference it;
- the shared tables (reference tables) may reference only each other;
- no foreign tables, no inheritance, partitions in the parent's schema;
- no rules, no triggers (Citus runs them only with ``citus.enable_unsafe_triggers``), nothing in a
  tenant schema owned by an extension;
- every table has a primary key (shard moves replicate rows logically, which needs one).

Sequences need no rule while every write goes through the coordinator, as Relata's do: Citus
encodes the node in values drawn on workers only for ``bigint`` sequences, so the ``integer`` ids
of Django's and third-party tables (auth, content types, axes, OTP devices) would fail only for
inserts sent to a worker directly.

``preparation_sql`` is what turns an existing database into that layout on a Citus coordinator
(``manage.py citus_prepare``). Citus cannot be installed on the machines Relata is built and tested
on: these rules come from Citus's documented checks, verified here against PostgreSQL's catalogue
only (docs/architecture.md, "Past one machine").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SHARED_SCHEMA = "public"

_FOREIGN_KEYS = """
    SELECT con.conname, src_ns.nspname, src.relname, dst_ns.nspname, dst.relname
    FROM pg_constraint con
    JOIN pg_class src ON src.oid = con.conrelid
    JOIN pg_namespace src_ns ON src_ns.oid = src.relnamespace
    JOIN pg_class dst ON dst.oid = con.confrelid
    JOIN pg_namespace dst_ns ON dst_ns.oid = dst.relnamespace
    WHERE con.contype = 'f' AND (src_ns.nspname = ANY(%(schemas)s) OR dst_ns.nspname = ANY(%(schemas)s))
    ORDER BY src_ns.nspname, src.relname, con.conname
"""
_TABLES = """
    SELECT n.nspname, c.relname, c.relkind,
           EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'f')
    ORDER BY n.nspname, c.relname
"""
_INHERITANCE = """
    SELECT child_ns.nspname, child.relname, parent_ns.nspname, parent.relname, parent.relkind
    FROM pg_inherits i
    JOIN pg_class child ON child.oid = i.inhrelid
    JOIN pg_namespace child_ns ON child_ns.oid = child.relnamespace
    JOIN pg_class parent ON parent.oid = i.inhparent
    JOIN pg_namespace parent_ns ON parent_ns.oid = parent.relnamespace
    WHERE child_ns.nspname = ANY(%(schemas)s) OR parent_ns.nspname = ANY(%(schemas)s)
"""
_RULES = """
    SELECT schemaname, tablename, rulename FROM pg_rules WHERE schemaname = ANY(%(schemas)s)
    ORDER BY schemaname, tablename, rulename
"""
_TRIGGERS = """
    SELECT n.nspname, c.relname, t.tgname
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND NOT t.tgisinternal
    ORDER BY n.nspname, c.relname, t.tgname
"""
_EXTENSION_OWNED = """
    SELECT n.nspname, c.relname
    FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE d.deptype = 'e' AND n.nspname = ANY(%(tenant_schemas)s)
"""


def _rows(cursor: Any, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def schema_problems(connection: Any, tenant_schemas: Iterable[str]) -> list[str]:
    """What keeps ``tenant_schemas`` from becoming distributed schemas next to ``public`` as
    reference tables; empty when nothing does."""
    tenants = sorted(set(tenant_schemas))
    schemas = [*tenants, SHARED_SCHEMA]
    params = {"schemas": schemas, "tenant_schemas": tenants}
    problems: list[str] = []
    with connection.cursor() as cursor:
        for name, src_schema, src, dst_schema, dst in _rows(cursor, _FOREIGN_KEYS, params):
            where = f"{src_schema}.{src} → {dst_schema}.{dst} ({name})"
            if src_schema == dst_schema:
                continue
            if src_schema in tenants and dst_schema != SHARED_SCHEMA:
                problems.append(f"foreign key from a tenant schema to another schema: {where}")
            elif src_schema not in tenants:
                problems.append(f"foreign key into a tenant schema from outside it: {where}")
        for schema, table, kind, has_pk in _rows(cursor, _TABLES, params):
            if kind == "f":
                problems.append(f"foreign table: {schema}.{table}")
            elif not has_pk:
                problems.append(f"table without a primary key: {schema}.{table}")
        for child_schema, child, parent_schema, parent, parent_kind in _rows(cursor, _INHERITANCE, params):
            if parent_kind != "p":
                problems.append(f"table inheritance: {child_schema}.{child} inherits {parent_schema}.{parent}")
            elif child_schema != parent_schema:
                problems.append(f"partition in another schema: {child_schema}.{child} of {parent_schema}.{parent}")
        for schema, table, rule in _rows(cursor, _RULES, params):
            problems.append(f"rule: {schema}.{table} ({rule})")
        for schema, table, trigger in _rows(cursor, _TRIGGERS, params):
            problems.append(f"trigger: {schema}.{table} ({trigger})")
        for schema, table in _rows(cursor, _EXTENSION_OWNED, params):
            problems.append(f"table owned by an extension in a tenant schema: {schema}.{table}")
    return problems


def _reference_order(connection: Any) -> list[str]:
    """The shared tables, each after the shared tables it references (Citus needs a referenced
    table to be a reference table before the referencing one becomes one)."""
    with connection.cursor() as cursor:
        tables = [row[1] for row in _rows(cursor, _TABLES, {"schemas": [SHARED_SCHEMA]}) if row[2] in ("r", "p")]
        edges = [
            (src, dst)
            for _name, src_schema, src, dst_schema, dst in _rows(cursor, _FOREIGN_KEYS, {"schemas": [SHARED_SCHEMA]})
            if src_schema == dst_schema == SHARED_SCHEMA and src != dst
        ]
    needs = {table: {dst for src, dst in edges if src == table} for table in tables}
    ordered: list[str] = []
    done: set[str] = set()

    def visit(table: str, path: frozenset[str]) -> None:
        if table in done or table in path:
            return
        for dependency in sorted(needs.get(table, ())):
            visit(dependency, path | {table})
        done.add(table)
        ordered.append(table)

    for table in tables:
        visit(table, frozenset())
    return ordered


def preparation_sql(connection: Any, tenant_schemas: Iterable[str], database: str) -> list[str]:
    """The statements that give a database the Citus layout, on the coordinator with the citus
    extension created and the workers added: shared tables as reference tables (referenced ones
    first), every existing tenant schema distributed, and schema-based sharding on for the schemas
    provisioning creates from now on."""
    statements = [
        f"SELECT create_reference_table('{SHARED_SCHEMA}.{table}');" for table in _reference_order(connection)
    ]
    statements += [f"SELECT citus_schema_distribute('{schema}');" for schema in sorted(set(tenant_schemas))]
    statements.append(f'ALTER DATABASE "{database}" SET citus.enable_schema_based_sharding TO on;')
    return statements
