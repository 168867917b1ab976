"""BAQUATTY AUDAN's training as data: a deterministic generator (fixed seed).

Tselinograd district, Akmola region. Targets: 500 teachers and 90 school management teams
upskilled through online lessons and seminars, and a pool of 40 trainers grown from rural
teachers. Ids are invented and opaque; nobody's name appears anywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

PROGRAMME_ID = "baquatty-audan"
TARGETS = {"teachers_trained": 500, "management_teams_trained": 90, "trainers_certified": 40}
SCHOOLS = [f"AKM-TSL-{n:03d}" for n in range(1, 91)]  # one management team per school
TEACHER_COURSES = [
    ("ONL-FA", "Criteria-based formative assessment", "assessment", "online", 24, 20),
    ("ONL-DIG", "Digital tools in the rural classroom", "digital", "online", 24, 20),
    ("ONL-INC", "Inclusive education in small schools", "inclusion", "online", 18, 16),
    ("SEM-STEM", "STEM lessons with simple equipment", "stem", "seminar", 16, 16),
    ("BL-KAZ", "Kazakh-medium teaching of sciences", "language", "blended", 30, 24),
]
MANAGER_COURSES = [
    ("SEM-LEAD", "Leading a rural school's development plan", "management", "seminar", 16, 12),
    ("ONL-DATA", "Using pupil data for school decisions", "management", "online", 12, 10),
]
CATEGORIES = ["педагог", "педагог-модератор", "педагог-эксперт", "педагог-исследователь"]
PROVIDERS = ["ESEN Foundation", "AÑSA", "Baquatty Aimaq Qory"]
START = date(2024, 9, 2)


@dataclass
class Seed:
    courses: list[dict] = field(default_factory=list)
    trainers: list[dict] = field(default_factory=list)
    teachers: list[dict] = field(default_factory=list)   # one enrolment each
    managers: list[dict] = field(default_factory=list)   # one enrolment each
    attestations: list[dict] = field(default_factory=list)


def generate(seed: int = 2024) -> Seed:
    rng = random.Random(seed)
    out = Seed()
    for code, title, subject, fmt, planned, required in TEACHER_COURSES:
        out.courses.append(dict(programme_id=PROGRAMME_ID, code=code, title=title,
                                subject=subject, format=fmt, audience="teacher",
                                planned_hours=str(planned), completion_hours=str(required),
                                provider=rng.choice(PROVIDERS)))
    for code, title, subject, fmt, planned, required in MANAGER_COURSES:
        out.courses.append(dict(programme_id=PROGRAMME_ID, code=code, title=title,
                                subject=subject, format=fmt, audience="manager",
                                planned_hours=str(planned), completion_hours=str(required),
                                provider="AMANAT school leadership centre"))
    # 530 teachers enrol; 30 drop out, so 500 complete.
    teachers = [f"TCH-{n:04d}" for n in range(1, 531)]
    dropouts = set(rng.sample(teachers, 30))
    for n, teacher in enumerate(teachers):
        course = TEACHER_COURSES[n % len(TEACHER_COURSES)]
        out.teachers.append(dict(participant_id=teacher, school_id=rng.choice(SCHOOLS),
                                 course_code=course[0], required=course[5],
                                 drops=teacher in dropouts,
                                 enrolled_on=START + timedelta(days=rng.randrange(0, 14))))
    # 90 management teams (director, deputy for teaching, deputy for upbringing).
    for n, school in enumerate(SCHOOLS):
        team = f"MT-{school}"
        for role_no in range(3):
            course = MANAGER_COURSES[role_no % 2]
            out.managers.append(dict(participant_id=f"MGR-{n + 1:03d}-{role_no + 1}",
                                     school_id=school, management_team_id=team,
                                     course_code=course[0], required=course[5],
                                     drops=role_no == 2 and n % 15 == 0,
                                     enrolled_on=START + timedelta(days=rng.randrange(0, 7))))
    # 40 trainers grown from the first cohort's strongest teachers.
    finishers = [t for t in out.teachers if not t["drops"]]
    for teacher in rng.sample(finishers, 40):
        subject = next(c[2] for c in TEACHER_COURSES if c[0] == teacher["course_code"])
        out.trainers.append(dict(person_id=teacher["participant_id"], programme_id=PROGRAMME_ID,
                                 school_id=teacher["school_id"], subjects=[subject],
                                 certified_on=str(date(2025, 1, 20))))
    for teacher in rng.sample(finishers, 180):
        out.attestations.append(dict(teacher_id=teacher["participant_id"],
                                     category=rng.choice(CATEGORIES),
                                     attested_on=str(date(2025, 5, 15)),
                                     school_id=teacher["school_id"], programme_id=PROGRAMME_ID))
    return out
