"""Policy levers: the groups of scenario keys that a decomposition switches together.

Two policies usually differ in many keys (the shipped strict and lenient files in fourteen).
A reader asks which *lever* carries a difference (deferral, bureau reporting, legal action,
reminders, the contact ladder, the pricing of a pause), not which key, so keys are grouped
into levers here, once, and `sim.batch.decompose` switches each group as one factor. A key
no group claims forms a lever named after its section (`chargeoff`, `lending`, ...).
"""

from __future__ import annotations

from typing import NamedTuple


class Lever(NamedTuple):
    """A group of scenario keys switched together: `name`, what it is in words, and the
    dotted keys or key prefixes (ending in '.') it holds."""

    name: str
    meaning: str
    keys: tuple[str, ...]


LEVERS: tuple[Lever, ...] = (
    Lever("pause_pricing", "what a deferral pause costs: interest accrued during it, arrears "
          "interest and fees waived, the rate cut",
          ("deferral.accrue_interest", "deferral.waive_arrears_interest",
           "deferral.rate_cut_share")),
    Lever("deferral", "whether deferral is offered, to whom, for how long, and how many "
          "borrowers know of it", ("deferral.",)),
    Lever("reporting", "the days past due at which the lender reports to the bureau",
          ("bureau.report_dpd",)),
    Lever("legal", "legal action: when it starts and what it costs", ("legal.",)),
    Lever("reminders", "the pre-due reminder channel", ("collection.reminder_channel",)),
    Lever("contact_ladder", "collection contacts by days past due, their channels and cap",
          ("collection.",)),
)
"""The declared levers, most specific first: a key belongs to the first lever that holds it
(`pause_pricing` before `deferral`, `reminders` before `contact_ladder`)."""


def lever_of(key: str) -> str:
    """The lever a dotted scenario key belongs to (its section's name if no lever holds it)."""
    for lever in LEVERS:
        if any(key == k or (k.endswith(".") and key.startswith(k)) for k in lever.keys):
            return lever.name
    return key.split(".")[0]


def meaning_of(lever: str) -> str:
    """What a lever is in words (for a section's lever: the keys of that section)."""
    for declared in LEVERS:
        if declared.name == lever:
            return declared.meaning
    return f"the `{lever}` settings"


def group_keys(keys: list[str]) -> dict[str, list[str]]:
    """`keys` grouped by lever, levers in declared order then sections in order of first
    appearance; keys keep their order within a lever."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(lever_of(key), []).append(key)
    order = [lever.name for lever in LEVERS]
    return dict(sorted(groups.items(),
                       key=lambda item: (order.index(item[0]) if item[0] in order
                                         else len(order))))
