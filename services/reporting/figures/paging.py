"""One page of a figure's lines (behind.page): from an index for the big figures
(keyset.py), all of them sorted for the others; then each line's event.

A line is (src, nid, value, fields, part, fields as text); the pages' order is `order`.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from services.reporting.ingest.tables import q

Line = tuple[Any, ...]  # src, nid, value, fields, part, fields::text
Key = tuple[str, int]  # a line's event, (src, nid)
FIRST_WINDOW = 1024  # event ids: a page of the dense figures, a score sheet's hundreds
NO_PART = "''"  # a line of a figure that is not a percentage
# `order` of a part's page read from an index (keyset.py): its lines have a src and an
# id, and one part (none, or the numerator's or the denominator's of a percentage).
IN_INDEX_ORDER = 'x.src COLLATE "C", x.nid, x.fields::text COLLATE "C"'
# Where a part's page starts and stops, on the columns its index orders by: `{src}`,
# `{nid}` name them (keyset.py). The cursor's own test, ties and all, is `order`'s. Within
# one source (`one_source`, as a page nearly always is), as a source and a span of ids: a
# row comparison stops an index scan only at its first column's end, so a page with no
# lines up to its stop would read the rest of the source's facts. The constant test picks
# the form before the plan is made.
RANGE = ("((%(one_source)s AND {src} COLLATE \"C\" = %(last_src)s AND {nid} >= %(nid)s"
         " AND {nid} <= %(last_nid)s) OR (NOT %(one_source)s"
         " AND ({src} COLLATE \"C\", {nid}) >= (%(src)s, %(nid)s)"
         " AND ({src} COLLATE \"C\", {nid}) <= (%(last_src)s, %(last_nid)s)))")
AFTER_CURSOR = "(%(src)s, %(nid)s, %(part)s, %(fields)s)"
LINE = "x.src, x.nid, x.value, x.fields, x.part, x.fields::text"


def order(x: str, part: str | None = None) -> str:
    """The key of the lines of `x`, in the pages' order. Total: no two lines of a figure
    share an event, a part and fields (tests/reporting/test_figure_events.py pages every
    figure a line at a time). "C": one order whatever the database's locale, in the sort
    and in the comparison with the cursor. `part`: what the part is where `x` has none."""
    part = part or f"coalesce({x}.part, '')"
    return (f"(coalesce({x}.src, '') COLLATE \"C\", coalesce({x}.nid, 0),"
            f" {part} COLLATE \"C\", {x}.fields::text COLLATE \"C\")")


def in_order(line: Line) -> tuple[bytes, int, bytes, bytes]:
    """`order` in Python: UTF-8's byte order is COLLATE "C"'s."""
    src, nid, _, _, part, text = line
    return (src or "").encode(), nid or 0, (part or "").encode(), text.encode()


def sorted_page(cur: Any, events: sql.Composed, key: list[Any] | None,
                params: dict[str, Any]) -> list[Line]:
    """A page of a figure whose lines are few: all of them sorted, the page taken."""
    after_it = "" if key is None else f" WHERE {order('x')} > {AFTER_CURSOR}"
    cur.execute(sql.SQL(f"SELECT {LINE} FROM ({{}}) x{after_it} ORDER BY {order('x')}"
                        " LIMIT %(limit)s").format(events), params)
    return list(cur.fetchall())


def indexed_page(cur: Any, lines: tuple[list[tuple[str, str | None]], str, str],
                 key: list[Any] | None, ends: tuple[Key, Key],
                 params: dict[str, Any]) -> list[Line]:
    """A page of a big figure (keyset.py), read in the pages' order from the cursor's
    event on: the index gives (src, nid), and a page's ties on them (one event behind many
    units) are sorted by what the line is, as `order` does.

    Each part of the figure is read in a window of event ids from the cursor's (from the
    figure's first line, `ends`), never past its last: where a part has no lines for a
    while (no pupil is first scored at the endline), it reads that window's facts, not the
    rest of the table. A part that fills a page stops the ones after it there. A window
    too narrow for a page is widened eightfold, to the figure's last line at most.

    Not compiled (JIT): its cost, estimated as if every fact were read, would have the
    database compile it, 30 ms to over a second, for the few milliseconds it runs. Nor
    sorted whole: where the range left is a few thousand facts, the database would rather
    sort them all than read them in order, and look up each one's unit's first fact."""
    parts, schema, live = lines
    first, last = ends
    limit = params["limit"]
    start = first if key is None else (key[0], key[1])
    if key is None:  # from just before the first line
        params = {**params, "src": first[0], "nid": first[1], "part": "", "fields": ""}
    cur.execute("SELECT current_setting('jit'), current_setting('enable_sort'),"
                " set_config('jit', 'off', true), set_config('enable_sort', 'off', true)")
    jit, sort = cur.fetchone()[:2]
    width = FIRST_WINDOW
    while True:
        window = last if start[0] != last[0] or start[1] + width >= last[1] else (
            start[0], start[1] + width)
        rows, cut = [], window
        for part, of in parts:
            cur.execute(part_page(part, of, schema, live),
                        {**params, "last_src": cut[0], "last_nid": cut[1],
                         "one_source": params["src"] == cut[0]})
            found = cur.fetchall()
            rows += found
            if len(found) == limit:
                cut = min(cut, found[-1][:2], key=in_key_order)
        read = [row for row in sorted(rows, key=in_order)
                if in_key_order(row[:2]) <= in_key_order(cut)]
        if len(read) >= limit or window == last:
            break
        width *= 8
    cur.execute("SELECT set_config('jit', %s, true), set_config('enable_sort', %s, true)",
                (jit, sort))
    return read[:limit]


def in_key_order(key: Key) -> tuple[bytes, int]:
    return key[0].encode(), key[1]


def part_page(part: str, of: str | None, schema: str, live: str) -> sql.Composed:
    """The SQL of a page of one part of a big figure (keyset.lines), after the cursor;
    `of`: the part of a percentage its lines count in."""
    label = "NULL" if of is None else f"'{of}'"
    return q(f"SELECT {LINE} FROM (SELECT x.*, {label}::text AS part FROM ({part}) x"
             f" WHERE {order('x', part=NO_PART if of is None else label)} > {AFTER_CURSOR}"
             f" ORDER BY {IN_INDEX_ORDER} LIMIT %(limit)s) x", schema, live=live)


def their_events(cur: Any, schema: str, rows: list[Line]) -> dict[tuple[str, int], Any]:
    """Each line's event's type, time and who recorded it: a hundred look-ups, not one per
    event behind the figure. An event the model has not applied (as of the moment) has
    none."""
    cur.execute(q("SELECT source, notification_id, event_type, recorded_at, recorded_by,"
                  " source_file, source_sha256 FROM {s}.processed WHERE (source,"
                  " notification_id) IN (SELECT * FROM unnest(%s::text[], %s::bigint[]))",
                  schema), ([r[0] for r in rows], [r[1] for r in rows]))
    return {(src, nid): rest for src, nid, *rest in cur.fetchall()}
