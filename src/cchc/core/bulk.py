"""Bulk writes without model instances: COPY on PostgreSQL, ``executemany`` elsewhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``: COPY on PostgreSQL,
    ``executemany`` on SQLite (aware datetimes converted as Django stores them)."""
    rows = list(rows)
    if not rows:
        return
    cols = ", ".join(columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        rows = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608
