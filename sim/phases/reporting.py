"""Phase 6, reporting: the credit bureau applies the reports whose delay has passed and, once
a month, lets payment history fade."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import CreditMarket


def run(model: CreditMarket) -> None:
    """Apply today's due bureau reports to scores and negative-record flags; every 30 days,
    fade payment history towards each score's anchor.

    Reads: the bureau's pending reports, `score_anchor`. Changes: `score`, `flag_day`.
    """
    model.events["score_updates"] += model.bureau.apply_due(model.day)
    model.bureau.fade_history(model.day)
