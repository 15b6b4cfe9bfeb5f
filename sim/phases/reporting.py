"""Phase 6, reporting: the credit bureau applies the reports whose delay has passed and, once
a month, lets payment history fade."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState


def run(state: MarketState, params: MarketParams) -> None:
    """Apply today's due bureau reports to scores and negative-record flags; every 30 days,
    fade payment history towards each score's anchor.

    Reads: the bureau's pending reports, `score_anchor`. Changes: `score`, `flag_day`.
    """
    state.events["score_updates"] += state.bureau.apply_due(state.day)
    state.bureau.fade_history(state.day)
