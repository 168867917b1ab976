"""The programme's teachers and those of them holding a category (catalogue's
PROGRAMME_TEACHERS and WITH_CATEGORY), read a page at a time from an index as keyset.py
reads the others: the same lines, each part of them in its own index's order.

A teacher is the programme's by its first enrolment in it (the least notification id of
its enrolment, or of its ending where that came first), else by its category attested
under the programme. Holding a category too, it counts at the later recorded of that
event and the category's: so its line is either the category's (read in the categories'
order) or its first enrolment's (read in the enrolments'), two parts whose pages
behind.page merges.

As of a moment, over the live tables as ingest/past.py's views read them: an enrolment
shown once its enrolment or its ending was recorded, by its event (an enrolment's own
event is recorded before its ending: one aggregate's events are recorded in order, so
the event its line shows is the live row's); a category in its newest version by then.
"""

from __future__ import annotations

from services.reporting.figures.paging import RANGE
from services.reporting.ingest import past

SRC, NID = "coalesce(e.enrolled_src, e.ended_src)", "coalesce(e.enrolled_nid, e.ended_nid)"
MOMENT = past.MOMENT
CATEGORY_COLUMNS = "teacher_id, programme_id, category, by_src, by_nid"


def newest_by_then(table: str, key: tuple[str, ...], o: str) -> str:
    """`o`, a row of `table`'s superseded versions, is its key's as of the moment: recorded
    by then, and neither a newer version nor the live row was (ingest/past.py's views)."""
    def same(t: str) -> str:
        return " AND ".join(f"{t}.{k} = {o}.{k}" for k in key) + \
            f" AND {t}.recorded_at <= {MOMENT}"
    return (f"{o}.recorded_at <= {MOMENT} AND NOT EXISTS (SELECT 1 FROM"
            f" {{live}}.{table}_superseded n WHERE {same('n')} AND n.version > {o}.version)"
            f" AND NOT EXISTS (SELECT 1 FROM {{live}}.{table} t WHERE {same('t')})")


class Teachers:
    """The SQL of these figures' parts, live or as of the moment (`{s}` the live schema)."""

    def __init__(self, as_of: bool) -> None:
        self.as_of = as_of

    def shown(self, e: str) -> str:
        return (f" AND ({e}.enrolled_at <= {MOMENT} OR {e}.ended_at <= {MOMENT})"
                if self.as_of else "")

    def enrolments_of(self, teacher: str) -> str:
        """The programme's teacher enrolments of `teacher`, first recorded first."""
        return (" FROM {s}.enrolments o WHERE o.programme_id = %(p)s AND o.role = 'teacher'"
                f" AND o.participant_id = {teacher}{self.shown('o')}"
                " ORDER BY coalesce(o.enrolled_nid, o.ended_nid), o.enrolment_id LIMIT 1")

    def categories(self) -> list[str]:
        """Where the categories are, each a FROM and WHERE of `c`: as of a moment, live
        rows recorded by then and superseded versions newest by then, each read apart."""
        if not self.as_of:
            return ["{s}.categories c WHERE true"]
        return [f"{{s}}.categories c WHERE c.recorded_at <= {MOMENT}",
                "{s}.categories_superseded c WHERE "
                + newest_by_then("categories", ("teacher_id",), "c").replace("{live}", "{s}")]

    def by_enrolment(self, fields: str, also: str = "") -> str:
        """Lines at their teacher's first enrolment, read in the enrolments' order."""
        first = f"e.enrolment_id = (SELECT o.enrolment_id{self.enrolments_of('e.participant_id')})"
        return (f"SELECT {SRC} AS src, {NID} AS nid, 1 AS value, {fields} AS fields"
                " FROM {s}.enrolments e WHERE e.programme_id = %(p)s AND e.role = 'teacher'"
                f"{self.shown('e')} AND {first} AND {RANGE.format(src=SRC, nid=NID)}{also}")

    def by_category(self, fields: str, also: str) -> list[str]:
        """Lines at their teacher's category, read in the categories' order."""
        return [f"SELECT c.by_src AS src, c.by_nid AS nid, 1 AS value, {fields} AS fields"
                f" FROM {where} AND {RANGE.format(src='c.by_src', nid='c.by_nid')} AND {also}"
                for where in self.categories()]

    def its_category(self, column: str) -> str:
        """`column` of the category of the teacher of `e`, looked up per line: a join
        would have the database read the categories first, out of the enrolments' order."""
        every = " UNION ALL ".join(
            f"SELECT {', '.join(f'c.{k}' for k in CATEGORY_COLUMNS.split(', '))} FROM {where}"
            for where in self.categories())
        return f"(SELECT {column} FROM ({every}) c WHERE c.teacher_id = e.participant_id)"

    def programme_teachers(self) -> list[str]:
        # Of the programme by its category alone: no enrolment in it.
        alone = f"c.programme_id = %(p)s AND (SELECT 1{self.enrolments_of('c.teacher_id')}) IS NULL"
        return [self.by_enrolment("jsonb_build_object('teacher_id', e.participant_id)"),
                *self.by_category("jsonb_build_object('teacher_id', c.teacher_id)", alone)]

    def with_category(self) -> list[str]:
        # The category recorded no earlier than the teacher became the programme's.
        later = (f"coalesce((SELECT coalesce(o.enrolled_nid, o.ended_nid)"
                 f"{self.enrolments_of('c.teacher_id')}),"
                 " CASE WHEN c.programme_id = %(p)s THEN c.by_nid END) <= c.by_nid")
        fields = ("jsonb_build_object('teacher_id', c.teacher_id, 'category', c.category,"
                  " 'attested_under', c.programme_id)")
        return [*self.by_category(fields, later),
                self.by_enrolment(self.its_category(fields),
                                  f" AND {NID} > {self.its_category('c.by_nid')}")]


def parts(figure: str, as_of: bool) -> list[tuple[str, str | None]]:
    """`figure`'s parts, each with the part of a percentage it counts in; [] for a
    figure not of these."""
    teachers = Teachers(as_of)
    if figure == "programme_teachers":
        return [(sql, None) for sql in teachers.programme_teachers()]
    if figure == "teachers_with_category":
        return [(sql, None) for sql in teachers.with_category()]
    if figure == "teachers_with_category_share":  # the fuller part first: it bounds the rest
        return ([(sql, "denominator") for sql in teachers.programme_teachers()]
                + [(sql, "numerator") for sql in teachers.with_category()])
    return []
