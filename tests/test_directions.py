"""Scientific checks: directions a credit-risk researcher expects, each measured as a paired
difference between two policies or worlds on the same seeds (common random numbers), with a
paired t-test over replicates. A check passes when the mean difference has the expected sign
and p < 0.01."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from sim.batch.stats import paired_p_value
from sim.model import CreditMarket
from sim.summary import summarize
from tests.helpers import make_config

# One worker runs them all, so checks that read the same runs share them (`outcome` cache).
pytestmark = pytest.mark.xdist_group("directions")

SEEDS = range(101, 107)
BORROWERS, DAYS, FROM_DAY = 1500, 480, 150


@dataclass(frozen=True)
class Outcome:
    """What the checks read from one run: its summary measures and its event totals."""

    summary: dict[str, float]
    totals: dict[str, int]


Reader = Callable[[Outcome], float]


def summary(measure: str) -> Reader:
    return lambda outcome: outcome.summary[measure]


def total(event: str) -> Reader:
    return lambda outcome: float(outcome.totals[event])


def per_installment(event: str) -> Reader:
    return lambda outcome: outcome.totals[event] / max(outcome.totals["installments_due"], 1)


@functools.cache
def outcome(borrowers: int, seed: int, settings: tuple[tuple[str, Any], ...]) -> Outcome:
    """One run (cached: checks that read other measures of the same runs share them)."""
    config = make_config(borrowers, DAYS, seed, run__steady_state_from_day=FROM_DAY,
                         **dict(settings))
    model = CreditMarket(config, collect=False)
    model.run_days()
    frame = model.metrics.frame()
    return Outcome(summarize(frame, config, model.transitions), dict(model.totals))


def paired_effect(read: Reader, before: dict[str, Any], after: dict[str, Any],
                  borrowers: int = BORROWERS, **common: Any) -> np.ndarray:
    """read(after) - read(before) for each seed, both runs on the same seed."""
    differences = []
    for seed in SEEDS:
        values = [read(outcome(borrowers, seed, tuple(sorted({**common, **arm}.items()))))
                  for arm in (before, after)]
        differences.append(values[1] - values[0])
    return np.asarray(differences)


def assert_direction(differences: np.ndarray, sign: int) -> None:
    assert np.sign(differences.mean()) == sign, differences
    assert paired_p_value(differences) < 0.01, differences


@pytest.mark.slow
def test_reminders_lower_forgetful_misses():
    effect = paired_effect(total("missed_forgetful"),
                           {"collection__reminder_channel": "none"},
                           {"collection__reminder_channel": "sms"})
    assert_direction(effect, -1)


@pytest.mark.slow
def test_more_strategic_borrowers_raise_losses():
    effect = paired_effect(summary("bad_debt_loss"), {"borrowers__strategic_share": 0.02},
                           {"borrowers__strategic_share": 0.30})
    assert_direction(effect, +1)


@pytest.mark.slow
def test_a_tighter_contact_cap_lowers_complaints():
    """The cap's own effect, with no regulator (which would restrict the loose cap after a
    quarter of complaints: see test_regulation)."""
    effect = paired_effect(summary("complaints_per_1000"),
                           {"collection__max_contacts_per_7_days": 7},
                           {"collection__max_contacts_per_7_days": 2},
                           borrowers=5000, regulation__enabled=False)
    assert_direction(effect, -1)


@pytest.mark.slow
def test_a_later_charge_off_raises_collection_cost_when_charged_off_debt_is_sold():
    """Sold at charge-off, a debt leaves collection then: a later charge-off keeps accounts
    longer on the ladder."""
    effect = paired_effect(summary("collection_cost"), {"chargeoff__dpd": 90},
                           {"chargeoff__dpd": 180}, chargeoff__debt_sale=True,
                           chargeoff__sale_after_days=0)
    assert_direction(effect, +1)


@pytest.mark.xfail(strict=True, reason="kept in-house, charged-off debt is worked for "
                   "chargeoff.recovery_window_days after charge-off, so an earlier charge-off "
                   "does not end collection: it adds the claims of accounts that would have "
                   "cured between 90 and 180 DPD (see docs/validation.md)")
def test_a_later_charge_off_raises_collection_cost_when_debt_is_kept():
    effect = paired_effect(summary("collection_cost"), {"chargeoff__dpd": 90},
                           {"chargeoff__dpd": 180})
    assert_direction(effect, +1)


@pytest.mark.slow
def test_a_later_charge_off_collects_more_before_and_after_charge_off():
    """Payments prompted by collection contacts rise when accounts stay longer on the
    ladder (charge-off at 180 rather than 60 DPD)."""
    effect = paired_effect(total("payments_after_contact"), {"chargeoff__dpd": 60},
                           {"chargeoff__dpd": 180})
    assert_direction(effect, +1)


@pytest.mark.xfail(strict=True, reason="recoveries count only cash after charge-off: a later "
                   "charge-off leaves fewer, older debts to recover (see docs/validation.md)")
def test_a_later_charge_off_raises_recoveries():
    effect = paired_effect(summary("recoveries"), {"chargeoff__dpd": 90},
                           {"chargeoff__dpd": 180})
    assert_direction(effect, +1)


def test_more_job_losses_raise_delinquency_and_defaults():
    low, high = {"shocks__job_loss_rate": 0.02}, {"shocks__job_loss_rate": 0.30}
    assert_direction(paired_effect(summary("dpd30_share"), low, high), +1)
    # Per active loan: when losses make the lender lend less, defaults over the window's
    # originations (`default_rate`) divide by a small, noisy number.
    assert_direction(paired_effect(summary("annual_default_rate"), low, high), +1)
    assert_direction(paired_effect(summary("prudential_default_rate"), low, high), +1)


def test_tighter_underwriting_lowers_approvals():
    effect = paired_effect(summary("approval_rate"), {"lending__min_score": 450},
                           {"lending__min_score": 650})
    assert_direction(effect, -1)


@pytest.mark.slow
def test_tighter_underwriting_lowers_defaults():
    # Per active loan: the lenders' supply response moves the window's originations, and
    # charge-offs per origination (`default_rate`) divide by that noisy number.
    effect = paired_effect(summary("annual_default_rate"), {"lending__min_score": 450},
                           {"lending__min_score": 650}, borrowers=5000)
    assert_direction(effect, -1)


@pytest.mark.slow
def test_deferral_lowers_charge_offs_when_hardship_is_common():
    """At 3,000 borrowers: at 1,500 the default rate's run-to-run noise is as large as the
    effect. Charge-offs per active loan (accounting default): as supervisors count default,
    deferral that waives arrears raises it (docs/assumptions.md)."""
    effect = paired_effect(summary("annual_default_rate"), {"deferral__enabled": False},
                           {"deferral__enabled": True, "deferral__awareness": 0.8},
                           borrowers=3000, shocks__job_loss_rate=0.15)
    assert_direction(effect, -1)


@pytest.mark.slow
def test_an_earlier_bureau_report_deters_strategic_misses():
    """Per installment due: an early report also shrinks the book, which would hide the
    deterrence in a raw count."""
    effect = paired_effect(per_installment("missed_strategic"), {"bureau__report_dpd": 180},
                           {"bureau__report_dpd": 1}, borrowers=10_000,
                           borrowers__strategic_share=0.25)
    assert_direction(effect, -1)


@pytest.mark.slow
def test_more_volatile_income_raises_delinquency():
    effect = paired_effect(summary("dpd30_share"), {"borrowers__income_volatility": 0.02},
                           {"borrowers__income_volatility": 0.5})
    assert_direction(effect, +1)
