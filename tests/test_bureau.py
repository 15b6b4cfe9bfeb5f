"""The bureau applies reports after the delay, and drops those about borrowers who left."""

from __future__ import annotations

import numpy as np

from sim.bureau import CreditBureau
from sim.config import ScenarioConfig
from sim.population import BorrowerPopulation


def _bureau(delay: int) -> tuple[CreditBureau, BorrowerPopulation]:
    config = ScenarioConfig.model_validate(
        {"run": {"borrowers": 20}, "bureau": {"reporting_delay_days": delay}})
    pop = BorrowerPopulation(config, np.random.default_rng(1))
    pop.set_scores(np.arange(20), np.full(20, 700, np.int16))
    return CreditBureau(config.bureau, pop), pop


def test_reports_about_borrowers_who_left_are_dropped() -> None:
    bureau, pop = _bureau(delay=10)
    bureau.report(np.array([1, 2, 3]), "missed", day=5)  # -8 points each, due day 15
    bureau.forget(np.array([2]), day=8)  # row 2 now holds a new person
    bureau.report(np.array([2]), "missed", day=9)  # about the new person: kept
    assert bureau.apply_due(14) == 0
    assert bureau.apply_due(15) == 2
    assert pop.score[[1, 2, 3]].tolist() == [692, 700, 692]
    assert bureau.apply_due(19) == 1
    assert pop.score[2] == 692
    assert pop.score_counts[692] == 3 and pop.score_counts.sum() == 20


def test_a_departure_on_the_report_day_does_not_drop_it() -> None:
    """Turnover comes first in a day: a report made later that day is about the new person."""
    bureau, pop = _bureau(delay=0)
    bureau.forget(np.array([4]), day=3)
    bureau.report(np.array([4]), "reported", day=3)
    assert bureau.apply_due(4) == 1
    assert pop.score[4] < 700 and pop.flag_day[4] == 4
    assert bureau.departures == []  # nothing pending is older than the departure
