"""People's identities (人员类别) against the county's own list: ``category.changed``.

人员类别 decides the 代缴 money, so a roster may not quietly turn an ordinary payer into a 代缴
recipient. ``split`` keeps the county list's 人员类别 of each pre-filled person in the roster
(hidden sheet, see :data:`~.schema.IDENTITY_SHEET`); a row whose 人员类别 differs from it, and a
new enrollee (新增, or a person the county list did not have) choosing a 代缴 category, gets a
warning: 代缴 needs the township's 认定 papers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import catalogue as cat
from .policy import Policy
from .roster import Roster

if TYPE_CHECKING:  # validation calls this module: no import back at run time
    from .validation import Person


def check_identities(roster: Roster, people: list[Person], policy: Policy) -> None:
    """Add a ``category.changed`` warning to each person whose 人员类别 needs 认定 papers."""
    county = roster.county_categories
    continuing = policy.enrollment_types[0]
    changed = cat.CATEGORY_CHANGED
    for p in people:
        if not p.category:
            continue
        category = policy.category_by_name.get(p.category)
        paid_for = category is not None and category.is_government_paid
        known = county.get(p.id_number) if p.id_number else None
        if known is not None:
            if p.category != known:
                variant = "to_paid" if paid_for else ""
                p.findings.append(
                    changed.at(
                        roster.sheet, p.row, p.category, variant=variant, known=known,
                        category=p.category,
                    )
                )  # fmt: skip
        elif paid_for and ((p.enrollment and p.enrollment != continuing) or county):
            p.findings.append(
                changed.at(roster.sheet, p.row, p.category, variant="new", category=p.category)
            )
