"""Phase 2, lending: borrowing needs, applications, review, pricing by band, disbursement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.lender import APPROVED, REJECTION_REASONS
from sim.bureau import score_band
from sim.population import ACTIVE, NO_LOAN
from sim.sampling import sample_rows
from sim.units import CENTS, DAYS_PER_MONTH, MONTHS_PER_YEAR, daily_probability

if TYPE_CHECKING:
    from sim.model import CreditMarket


def annuity_installment(principal: np.ndarray, monthly_rate: np.ndarray,
                        months: np.ndarray | int) -> np.ndarray:
    """Level monthly installment (cents, rounded up) that repays `principal` cents over
    `months` at `monthly_rate`."""
    principal = np.asarray(principal, dtype=np.float64)
    rate = np.asarray(monthly_rate, dtype=np.float64)
    months = np.maximum(np.asarray(months, dtype=np.float64), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = principal * rate / (1.0 - (1.0 + rate) ** -months)
    level = np.where(rate > 0, level, principal / months)
    return np.ceil(level).astype(np.int64)


def current_monthly_income(model: CreditMarket, rows: np.ndarray) -> np.ndarray:
    """Monthly income of `rows` today (cents): reduced to benefits while jobless."""
    pop = model.population
    income = pop.income[rows].astype(np.float64)
    jobless = pop.jobless_until[rows] > model.day
    income[jobless] *= model.config.shocks.job_loss_income_replacement
    return income


def run(model: CreditMarket) -> None:
    """Borrowers without a loan develop needs and apply; lenders review, price and disburse.

    Reads: `status`, `cooldown_until`, `churned`, `score`, `flag_day`, `income`, lender cash.
    Changes: loan columns of approved borrowers, lender ledgers (disbursed), today's counts of
    applications, approvals and rejections by reason.
    """
    pop, day, rng = model.population, model.day, model.rng
    lending = model.config.lending
    n_lenders = len(model.lender_list)
    all_churned = np.uint8((1 << n_lenders) - 1)
    drawn = sample_rows(rng, pop.n, daily_probability(lending.need_rate))
    applicants = drawn[(pop.status[drawn] == NO_LOAN) & (pop.cooldown_until[drawn] <= day)
                       & (pop.churned[drawn] != all_churned)]
    applicants = model.cast.exclude(applicants)
    scripted, scripted_amount = model.cast.applications(pop, day)
    if applicants.size == 0 and scripted.size == 0:
        return
    lender_of = _choose_lenders(pop.churned[applicants], n_lenders, rng)

    months_of_income = lending.loan_months_of_income_median * np.exp(
        rng.normal(0.0, lending.loan_size_sigma, applicants.size))
    # Requests are in whole currency units, at least one.
    amount = (np.rint(pop.income[applicants] * months_of_income / CENTS) * CENTS).astype(np.int64)
    amount = np.maximum(amount, CENTS)
    if scripted.size:
        applicants = np.concatenate([applicants, scripted])
        amount = np.concatenate([amount, scripted_amount])
        lender_of = np.concatenate([lender_of, _choose_lenders(pop.churned[scripted],
                                                               n_lenders, rng)])
    apr = np.asarray(lending.apr_by_band)[score_band(pop.score[applicants])]
    rate = apr / MONTHS_PER_YEAR
    installment = annuity_installment(amount, rate, lending.term_months)
    income_now = current_monthly_income(model, applicants)

    model.events["applications"] += applicants.size
    for lender in model.lender_list:
        mine = lender_of == lender.index
        if not mine.any():
            continue
        rows = applicants[mine]
        verdict = lender.review(rows, amount[mine], installment[mine], income_now[mine])
        for code, reason in enumerate(REJECTION_REASONS):
            model.events[f"rejected_{reason}"] += int(np.count_nonzero(verdict == code))
            if model.tracker is not None:
                model.tracker.noted(rows[verdict == code], f"loan_refused_{reason}")
        ok = verdict == APPROVED
        if model.tracker is not None:
            model.tracker.noted(rows[ok], "loan_approved")
        if not ok.any():
            continue
        approved = rows[ok]
        principal = amount[mine][ok]
        _open_loans(model, approved, lender.index, principal, rate[mine][ok],
                    installment[mine][ok])
        lender.ledger.disburse(int(principal.sum()))
        model.flows["loans_spent"] += int(principal.sum())
        model.events["originations"] += approved.size
        model.events["originated_principal"] += int(principal.sum())


def _choose_lenders(churned: np.ndarray, n_lenders: int, rng: np.random.Generator) -> np.ndarray:
    """Pick, for each applicant, a lender uniformly among those they have not churned from."""
    if n_lenders == 1:
        return np.zeros(churned.size, np.int8)
    allowed = ((churned[:, None] >> np.arange(n_lenders, dtype=np.uint8)) & 1) == 0
    weights = allowed.cumsum(axis=1)
    pick = rng.random(churned.size) * weights[:, -1]
    return (weights <= pick[:, None]).sum(axis=1).astype(np.int8)


def _open_loans(model: CreditMarket, rows: np.ndarray, lender: int, principal: np.ndarray,
                rate: np.ndarray, installment: np.ndarray) -> None:
    pop = model.population
    pop.lender[rows] = lender
    pop.status[rows] = ACTIVE
    pop.principal[rows] = principal
    pop.principal_due[rows] = 0
    pop.interest_due[rows] = 0
    pop.fees_due[rows] = 0
    pop.deferred_interest[rows] = 0
    pop.rate[rows] = rate
    pop.installment[rows] = installment
    pop.installments_left[rows] = model.config.lending.term_months
    pop.schedule_due(rows, model.day + DAYS_PER_MONTH)
    pop.last_due[rows] = model.day
    pop.dpd[rows] = 0
    pop.worst_dpd[rows] = 0
    pop.deferrals_used[rows] = 0
    pop.deferred_ever[rows] = False
    pop.redefaulted[rows] = False
    pop.strategic_default[rows] = False
    pop.legal_day[rows] = -1
    pop.loans_taken[rows] += 1
