"""Facts that change: the newest version is the live row, and every other version is kept.

A report as of a past moment needs the version a fact had then, which the live row (the
newest) no longer holds. So whenever a version loses (the live row it replaces, a version
arriving after a newer one, an older one in the same batch), it goes to the table's
`*_superseded` twin, with the time its event was recorded. The live table stays as small
and as fast as before; its twin holds only corrections, which are few.
"""

from __future__ import annotations

from typing import Any, Callable

import psycopg2.extras
from psycopg2 import sql

from services.reporting.ingest import tables
from services.reporting.ingest.tables import Cursor

Row = dict[str, Any]
Rank = Callable[[Row], Any]


def by_version(row: Row) -> Any:
    return row["version"]


def newest(cur: Cursor, s: str, table: str, rows: list[Row], rank: Rank = by_version) -> list[Row]:
    """Of new versions of `table`'s facts (each a dict of its columns), the newest per key,
    for the caller to upsert; every other version is saved as superseded."""
    keys = tables.key_names(table)
    best: dict[tuple[Any, ...], Row] = {}
    lost: list[Row] = []
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in best:
            best[key] = row
        elif rank(row) != rank(best[key]):
            winner, loser = sorted((row, best[key]), key=rank, reverse=True)
            best[key] = winner
            lost.append(loser)
    for live in _live_rows(cur, s, table, list(best)):
        key = tuple(live[k] for k in keys)
        if rank(live) != rank(best[key]):
            lost.append(min(live, best[key], key=rank))
    _save(cur, s, f"{table}_superseded", lost)
    return list(best.values())


def _live_rows(cur: Cursor, s: str, table: str, keys: list[tuple[Any, ...]]) -> list[Row]:
    if not keys:
        return []
    names, types = tables.key_names(table), tables.key_types(table)
    wanted = sql.SQL(", ").join(sql.SQL("%s::{}[]".format(t)) for t in types)  # noqa: UP032
    on = sql.SQL(" AND ").join(sql.SQL("t.{0} = k.{0}").format(sql.Identifier(n)) for n in names)
    cur.execute(sql.SQL("SELECT t.* FROM {}.{} t JOIN unnest({}) AS k ({}) ON {}").format(
        sql.Identifier(s), sql.Identifier(table), wanted,
        sql.SQL(", ").join(map(sql.Identifier, names)), on),
        [[key[i] for key in keys] for i in range(len(names))])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, values, strict=True)) for values in cur.fetchall()]


def _save(cur: Cursor, s: str, table: str, rows: list[Row]) -> None:
    by_columns: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(row)
    for columns, group in by_columns.items():
        psycopg2.extras.execute_values(cur, sql.SQL(
            "INSERT INTO {}.{} ({}) VALUES %s ON CONFLICT DO NOTHING").format(
            sql.Identifier(s), sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, columns))).as_string(cur),
            [[row[c] for c in columns] for row in group], page_size=1000)
