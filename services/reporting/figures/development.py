"""The report's `development` section: the schools' development strategies, the projects
they run and the partners they drew in (the Uralsk model), per school.

Only schools with any of the three are listed. A school with several strategies shows the
one adopted last (the one in force); the count of schools with a strategy is the catalogue's
`strategies_adopted`, counted by its own SQL (development_figures.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from services.reporting.figures import development_figures, schools
from services.reporting.ingest.tables import q

STRATEGIES = """SELECT DISTINCT ON (organisation_id) organisation_id, strategy_id, title,
       adopted_on, valid_until FROM {s}.strategies WHERE programme_id = %(p)s
 ORDER BY organisation_id, adopted_on DESC, strategy_id DESC"""
PROJECTS = """SELECT organisation_id, project_id, title, launched_on FROM {s}.projects
 WHERE programme_id = %(p)s ORDER BY launched_on, project_id"""
PARTNERS = """SELECT organisation_id, partnership_id, partner_name, partner_kind, signed_on,
       purpose, memorandum_ref FROM {s}.partnerships WHERE programme_id = %(p)s
 ORDER BY signed_on, partnership_id"""
SCHOOLS = """SELECT t.organisation_id, """ + schools.COLUMNS + """ FROM (
  SELECT organisation_id FROM {s}.strategies WHERE programme_id = %(p)s UNION
  SELECT organisation_id FROM {s}.projects WHERE programme_id = %(p)s UNION
  SELECT organisation_id FROM {s}.partnerships WHERE programme_id = %(p)s) t
  """ + schools.joins("t.organisation_id") + " ORDER BY t.organisation_id"
TOTALS = """SELECT (SELECT count(*) FROM {s}.projects WHERE programme_id = %(p)s),
       (SELECT count(DISTINCT partner_name) FROM {s}.partnerships WHERE programme_id = %(p)s),
       (SELECT count(*) FROM {s}.partnerships WHERE programme_id = %(p)s)"""


def _by_school(cur: Any, template: str, schema: str, p: dict[str, str],
               names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    cur.execute(q(template, schema), p)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for organisation_id, *values in cur.fetchall():
        out[organisation_id].append(dict(zip(names, values, strict=True)))
    return out


def section(cur: Any, programme_id: str, schema: str) -> dict[str, Any]:
    """The programme's development facts (zeros and [] when it has none)."""
    p = {"p": programme_id}
    adopted = {i.name: i for i in development_figures.indicators()}["strategies_adopted"]
    cur.execute(q(adopted.actual, schema), p)
    strategies_adopted = int(cur.fetchone()[0])
    cur.execute(q(TOTALS, schema), p)
    projects_count, partners, memoranda = cur.fetchone()
    strategy = _by_school(cur, STRATEGIES, schema, p,
                          ("strategy_id", "title", "adopted_on", "valid_until"))
    projects = _by_school(cur, PROJECTS, schema, p, ("project_id", "title", "launched_on"))
    partnerships = _by_school(cur, PARTNERS, schema, p, (
        "partnership_id", "partner_name", "partner_kind", "signed_on", "purpose",
        "memorandum_ref"))
    cur.execute(q(SCHOOLS, schema), p)
    organisations = [{**schools.named(organisation_id, row),
                      "strategy": (strategy.get(organisation_id) or [None])[0],
                      "projects": projects.get(organisation_id, []),
                      "partners": partnerships.get(organisation_id, [])}
                     for organisation_id, *row in cur.fetchall()]
    return {"strategies_adopted": strategies_adopted, "projects": projects_count,
            "partners": partners, "memoranda": memoranda, "organisations": organisations}
