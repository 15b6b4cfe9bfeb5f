"""No dead parameters: every parameter of the scenario schema changes what a small run does.

Each parameter is set away from its default in a small market where its mechanism applies
(`CONTEXTS`: deferral on for the deferral parameters, debt sale on for the sale parameters,
and so on); the run must then differ from the same market with the default value, on the
same seed. Parameters that by design change no simulated outcome are listed in `INERT` with
the reason; a parameter the model ignores fails here.
"""

from __future__ import annotations

import hashlib
import json
import typing
from functools import cache
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from sim.config import ScenarioConfig
from sim.model import CreditMarket
from tests.helpers import make_config

BORROWERS, DAYS = 1500, 400

RICH: dict[str, Any] = {
    "shocks__job_loss_rate": 0.3, "shocks__illness_rate": 0.3,
    "deferral__enabled": True, "legal__dpd": 60, "bureau__report_dpd": 30,
    "collection__capacity_per_1000_borrowers": 3.0, "supply__loss_target": 0.2,
}
"""A market where most mechanisms act within a year: frequent shocks, deferral on, early
reporting and legal action, and collectors whose capacity binds; a loss target high enough
that the lender keeps lending while its provisions for the many forborne loans build up
(the supply parameters' own contexts set theirs)."""

CONTEXTS: dict[str, dict[str, Any]] = {
    "deferral": {},
    "chargeoff.sale_price": {"chargeoff__debt_sale": True},
    "chargeoff.sale_after_days": {"chargeoff__debt_sale": True},
    "deferral.rate_cut_share": {"deferral__mode": "rate_cut"},
    "deferral.extend_months": {"deferral__mode": "extend"},
    "collection.third_party_reach": {"collection__third_party_contact": True},
    "collection.third_party_complaint_multiplier": {"collection__third_party_contact": True},
    "collection.recovery_decay_days": {"collection__capacity_priority": "expected_recovery"},
    "deferral.small_balance_max": {"deferral__eligible_small_balance": True,
                                   "deferral__good_record_max_dpd": 30},
    "deferral.good_record_max_dpd": {"deferral__eligible_small_balance": True},
    # Small balances with a good record: a large limit, so that some applicants qualify.
    "deferral.eligible_small_balance": {"deferral__small_balance_max": 100_000.0,
                                        "deferral__good_record_max_dpd": 30},
    # A flagged borrower's score is low: with a cut-off the score check would come first.
    # Claims end soon after charge-off, so flagged borrowers apply again within the run.
    "lending.bureau_flag_lookback_days": {"supply__enabled": False,
                                          "lending__min_score": 350,
                                          "chargeoff__recovery_window_days": 10},
    # The only channel that tells borrowers about deferral, with room for letters.
    "channels.letter.informs_deferral": {"collection__capacity_per_1000_borrowers": 50.0,
                                         "channels__app__informs_deferral": False,
                                         "channels__phone__informs_deferral": False},
    "channels.phone.informs_deferral": {"collection__capacity_per_1000_borrowers": 50.0,
                                        "channels__app__informs_deferral": False,
                                        "channels__letter__informs_deferral": False},
    # Requests to a lender without deferral: deferral off, letters that would tell of it.
    "deferral.requests_without_offer": {"deferral__enabled": False},
    # Loans that default at 20 DPD often catch up, and then cure.
    "prudential_default.cure_probation_days": {"prudential_default__dpd_threshold": 20},
    "collection.plan_dpd": {"collection__repayment_plans": True},
    "collection.plan_months": {"collection__repayment_plans": True},
    "collection.plan_acceptance": {"collection__repayment_plans": True},
    # Payment orders need enforceable judgments.
    "legal.order_months": {"legal__enforceable_share": 1.0},
    "legal.garnish_share": {"legal__enforceable_share": 1.0},
    "platform_run": {"lending__equity_share": 0.02},
    "platform_run.rumour_ratio": {"platform_run__rumour_day": 100},
    "regulation": {"regulation__complaint_threshold_per_1000": 0.5},
    "supply": {"supply__loss_target": 0.0},
    "supply.max_loosening_points": {"supply__loss_target": 0.5},
    "regulation.complaint_threshold_per_1000": {"regulation__complaint_threshold_per_1000": 5.0},
    "deferral.eligible_force_majeure": {"shocks__macro": [
        {"start_day": 100, "end_day": 200, "force_majeure": True}]},
    "supply.capital_weight": {"lending__equity_share": 0.01},
    "supply.capital_target": {"lending__equity_share": 0.01},
    "collection.good_customer_ladder": {"collection__segment_min_score": 600},
    "lending.lenders": {},
    # Six-month loans close inside the run, leaving time for needs after the cool-down.
    "lending.repeat_cooldown_days": {"lending__term_months": 6},
}
"""Extra settings, by parameter or by section, under which a parameter's mechanism acts
(on top of RICH)."""

VALUES: dict[str, list[Any]] = {
    # Act only past a year or at the margin: values that show within one.
    "deferral.probation_days": [30],
    # A cure needs a defaulted loan back to current; a low bar makes forborne loans default.
    "prudential_default.cure_probation_days": [0, 5],
    "prudential_default.forborne_dpd_threshold": [0, 5],
    "chargeoff.recovery_window_days": [10],
    "lending.bureau_flag_lookback_days": [30],
    "collection.max_collectors_per_lender": [2],
    "channels.app.stress": [0.0, 2.0],
    "channels.letter.complaint_probability": [0.5],
    "channels.app.complaint_probability": [0.05],
    "chargeoff.payment_willingness": [1.0],
    "strategic.grievance_weight": [1.0],
    "deferral.good_record_max_dpd": [30],
    "legal.order_months": [1],
    "legal.enforceable_share": [1.0],
}
"""Values to try instead of half and 1.6 times the default."""

INERT: dict[str, str] = {
    "title": "text", "description": "text",
    "run.borrowers": "the size of the market, not a mechanism",
    "run.days": "the length of the run, not a mechanism",
    "run.seed": "the random stream, not a mechanism",
    "run.steady_state_from_day": "where the summary's window starts: changes the summary "
                                 "only (tests/test_verdicts.py)",
    "run.check_invariants": "checks the books; a check that changed them would be a bug",
    "run.check_every_days": "how often the books are checked; a check changes nothing",
    "run.borrower_agents": "read-only views of the columns (tests/test_mechanisms.py)",
    "lending.cost_of_funds_rate": "changes the lenders' balance sheet and the summary's cost "
                                  "of funds (tests/test_lenders.py); acts on outcomes only "
                                  "through a lender in distress or under a capital target",
    "deferral.redefault_window_days": "how long the cohort re-default rate follows a deferred "
                                      "loan: changes that measure only "
                                      "(tests/test_redefaults.py)",
    "platform_run.rumour_day": "a day; with the default rumour_ratio it acts only on a thin "
                               "lender (tests/test_lenders.py)",
}
"""Parameters that change no simulated outcome by design, with the reason."""

DEAD: dict[str, str] = {}
"""Parameters known to change nothing where they should: each an expected failure to fix.
(`strategic.enforcement_weight_contacts` acts through the contacts a first month late would
bring, which every borrower deciding whether to pay weighs; `deferral.eligible_small_balance`
through strategic borrowers who claim hardship while current: both act at the defaults.)"""


def leaves(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    """Every scalar parameter of a section, as (dotted name, field info), nested sections
    walked; lists of tables (macro, cast) and the lesson texts are left out."""
    out = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += leaves(annotation, f"{path}.")
        elif typing.get_origin(annotation) in (dict,) or path in ("shocks.macro", "cast"):
            continue
        else:
            out.append((path, field))
    return out


PARAMETERS = leaves(ScenarioConfig)


def default_of(path: str) -> Any:
    """The parameter's value in the default scenario (nested sections have their own
    defaults, e.g. each channel's cost)."""
    value: Any = ScenarioConfig()
    for part in path.split("."):
        value = getattr(value, part)
    return value


def changed_values(path: str, field: Any, default: Any) -> list[Any]:
    """Values away from the default and within the field's limits: one below it and one
    above it where both exist (a mechanism may act in one direction only within a year)."""
    if isinstance(default, bool):
        return [not default]
    if typing.get_origin(field.annotation) is typing.Literal:
        return [c for c in typing.get_args(field.annotation) if c != default]
    if isinstance(default, list):
        if default and isinstance(default[0], float):
            return [[round(x * 1.3, 6) for x in default]]
        return [default[:1] if len(default) > 1 else ["app"]]
    limits = {type(m).__name__: m for m in field.metadata}
    lower = getattr(limits.get("Ge"), "ge", None)
    upper = getattr(limits.get("Le"), "le", None)
    if isinstance(default, int):
        candidates = [default // 2, default + max(1, default // 2)]
    else:
        candidates = [default * 0.5, default * 1.6] if default else [0.5]
    clipped = [min(max(c, lower if lower is not None else c), upper if upper is not None
                   else c) for c in candidates]
    return [c for c in clipped if c != default]


def context(path: str) -> dict[str, Any]:
    """RICH with the contexts of the parameter's sections, outermost first, and its own."""
    parts = path.split(".")
    settings = dict(RICH)
    for depth in range(1, len(parts) + 1):
        settings.update(CONTEXTS.get(".".join(parts[:depth]), {}))
    return settings


def fingerprint(settings: dict[str, Any]) -> str:
    """A digest of a small run's daily metrics and final borrower columns."""
    return _fingerprint(json.dumps(settings, sort_keys=True))


@cache
def _fingerprint(settings: str) -> str:
    model = CreditMarket(make_config(BORROWERS, DAYS, seed=4, **json.loads(settings)),
                         collect=False)
    model.run_days()
    digest = hashlib.sha256(np.nan_to_num(model.metrics.values[: model.metrics.rows]).tobytes())
    for column in ("cash", "score", "principal", "claim", "dpd"):
        digest.update(getattr(model.population, column).tobytes())
    return digest.hexdigest()


def test_every_parameter_is_covered():
    names = {path for path, _ in PARAMETERS}
    assert set(INERT) <= names | {"title", "description"}
    assert set(DEAD) <= names
    assert len(names) > 150


@pytest.mark.parametrize("path", [p for p, _ in PARAMETERS if p not in INERT])
def test_parameter_changes_the_run(path: str) -> None:
    field = dict(PARAMETERS)[path]
    settings = context(path)
    key = path.replace(".", "__")
    default = settings.get(key, default_of(path))
    candidates = VALUES.get(path) or changed_values(path, field, default)
    assert candidates, f"{path}: no value to try"
    moved = [fingerprint({**settings, key: value}) != fingerprint(settings)
             for value in candidates]
    if path in DEAD:
        assert not any(moved), f"{path} now acts: take it out of DEAD"
        pytest.xfail(DEAD[path])
    assert any(moved), f"{path}: {default!r} -> {candidates!r} changes nothing"
