"""What the seed programmes spent besides cabinets, charged to their funders' commitments.
The amounts and dates are illustrative (the published figures give the Aktobe pilot's
budget and equipment only); the categories are what such programmes pay for."""

from __future__ import annotations

# (commitment, reference, amount in KZT, spent on, category)
EXPENDITURES = [
    ("BA-AMANAT-2024", "BA-PO-001", 38_500_000, "2024-10-15", "seminars"),
    ("BA-AMANAT-2024", "BA-PO-002", 24_000_000, "2024-12-20", "trainers_fees"),
    ("BA-ESEN-2024", "BA-PO-003", 45_000_000, "2024-09-05", "online_platform"),
    ("BA-ESEN-2024", "BA-PO-004", 18_600_000, "2025-01-31", "trainers_fees"),
    ("BA-ANSA-2024", "BA-PO-005", 12_400_000, "2025-05-20", "assessment"),
    ("BA-ANSA-2024", "BA-PO-006", 6_000_000, "2025-06-30", "administration"),
    ("BA-BAQ-2024", "BA-PO-007", 9_800_000, "2024-11-10", "travel"),
    ("BA-BAQ-2024", "BA-PO-008", 7_250_000, "2025-02-14", "materials"),
    ("AKT-AKIMAT-2023", "AKT-PO-101", 96_000_000, "2023-11-20", "seminars"),
    ("AKT-AKIMAT-2023", "AKT-PO-102", 54_300_000, "2024-05-30", "assessment"),
    ("AKT-AKIMAT-2023", "AKT-PO-103", 21_000_000, "2024-06-28", "administration"),
    ("URL-AKIMAT-2024", "URL-PO-201", 88_000_000, "2024-09-20", "online_platform"),
    ("URL-AKIMAT-2024", "URL-PO-202", 61_500_000, "2024-12-05", "seminars"),
    ("URL-AKIMAT-2024", "URL-PO-203", 40_000_000, "2025-03-14", "trainers_fees"),
    ("KZO-AKIMAT-2024", "KZO-PO-301", 22_000_000, "2024-11-25", "seminars"),
    ("KZO-AKIMAT-2024", "KZO-PO-302", 8_400_000, "2025-02-10", "travel"),
    ("KZO-AKIMAT-2024", "KZO-PO-303", 11_700_000, "2025-04-18", "materials"),
]
