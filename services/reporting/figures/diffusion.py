"""How a league's practices spread: each practice with its direction, the school that
published it and the schools that adopted it, in the order they did ("20 schools introduce
their projects in 100 schools"). The cumulative count of adopting schools is the
`practices_adopted` indicator's progress line."""

from __future__ import annotations

from typing import Any

from services.reporting.ingest.tables import q

PRACTICES = """
SELECT p.practice_id::text, p.code, p.direction, p.title, p.school_id, p.published_on,
       coalesce(json_agg(json_build_object('school_id', a.school_id, 'adopted_on', a.adopted_on)
                         ORDER BY a.adopted_on, a.school_id)
                FILTER (WHERE a.school_id IS NOT NULL), '[]')
  FROM {s}.practices p LEFT JOIN {s}.adoptions a USING (practice_id)
 WHERE p.programme_id = %s
 GROUP BY p.practice_id, p.code, p.direction, p.title, p.school_id, p.published_on
 ORDER BY p.published_on, p.code, p.practice_id
"""


def practices(cur: Any, programme_id: str, schema: str) -> list[dict[str, Any]]:
    """Every published practice of the programme and its adoptions, oldest first."""
    cur.execute(q(PRACTICES, schema), (programme_id,))
    return [{"practice_id": pid, "code": code, "direction": direction, "title": title,
             "school_id": school, "published_on": published,
             "adopting_schools": len({a["school_id"] for a in adoptions}),
             "adoptions": adoptions}
            for pid, code, direction, title, school, published, adoptions in cur.fetchall()]
