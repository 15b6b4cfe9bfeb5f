"""Phase 6, reporting: the credit bureau applies the reports whose delay has passed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import CreditMarket


def run(model: CreditMarket) -> None:
    """Apply today's due bureau reports to scores and negative-record flags.

    Reads: the bureau's pending reports. Changes: `score`, `flag_day`.
    """
    model.events["score_updates"] += model.bureau.apply_due(model.day)
