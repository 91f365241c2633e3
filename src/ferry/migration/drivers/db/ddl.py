"""PostgreSQL DDL for a :class:`~ferry.migration.drivers.db.schema.Table`.

Tables are created with their primary key and unique constraints (so a resumed chunk can
never duplicate a row); secondary indexes and foreign keys come after the data, which loads
faster without them and in any table order. Every statement is idempotent, so a resumed copy
runs them again safely.
"""

from __future__ import annotations

from psycopg import sql

from ferry.migration.drivers.db.dialects import PgConnection
from ferry.migration.drivers.db.schema import Column, ForeignKey, Index, Table


def _ids(names: tuple[str, ...]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def _column(col: Column) -> sql.Composable:
    parts: list[sql.Composable] = [sql.Identifier(col.name), sql.SQL(col.type)]
    if col.identity:
        parts.append(sql.SQL(f"GENERATED {col.identity} AS IDENTITY"))
    elif col.generated:
        parts.append(sql.SQL(f"GENERATED ALWAYS AS ({col.generated}) STORED"))
    elif col.default is not None:
        parts.append(sql.SQL(f"DEFAULT {col.default}"))
    if not col.nullable:
        parts.append(sql.SQL("NOT NULL"))
    return sql.SQL(" ").join(parts)


def create_table(table: Table) -> sql.Composed:
    """``CREATE TABLE IF NOT EXISTS`` with columns, primary key and unique constraints."""
    items = [_column(c) for c in table.columns]
    if table.primary_key:
        items.append(sql.SQL("PRIMARY KEY ({})").format(_ids(table.primary_key)))
    items.extend(sql.SQL("UNIQUE ({})").format(_ids(u)) for u in table.uniques)
    return sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
        sql.Identifier(table.name), sql.SQL(", ").join(items)
    )


def create_index(table: str, index: Index) -> sql.Composed:
    """``CREATE [UNIQUE] INDEX IF NOT EXISTS``."""
    unique = sql.SQL("UNIQUE ") if index.unique else sql.SQL("")
    return sql.SQL("CREATE {}INDEX IF NOT EXISTS {} ON {} ({})").format(
        unique, sql.Identifier(index.name), sql.Identifier(table), _ids(index.columns)
    )


def add_foreign_key(conn: PgConnection, table: str, fk: ForeignKey) -> None:
    """Add ``fk`` to ``table`` unless a constraint of that name is already there."""
    exists = conn.execute(
        "SELECT 1 FROM pg_constraint WHERE conname = %s AND connamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
        (fk.name,),
    ).fetchone()
    if exists:
        return
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) "
            "ON DELETE {} ON UPDATE {}"
        ).format(
            sql.Identifier(table),
            sql.Identifier(fk.name),
            _ids(fk.columns),
            sql.Identifier(fk.ref_table),
            _ids(fk.ref_columns),
            sql.SQL(fk.on_delete),
            sql.SQL(fk.on_update),
        )
    )
