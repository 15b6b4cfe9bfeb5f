"""A plain Mesa reference of the credit market: one agent per borrower, Python loops per phase.

`ReferenceMarket` implements the daily rules of the production model `sim.model.CreditMarket`
again, written the way a Mesa tutorial would: every borrower is a `ReferenceBorrower` agent that
holds its own attributes as plain Python values (ints for cents, floats) and its current loan
as a `ReferenceLoan`, and has its own step methods; lenders and collectors are
`ReferenceLender` and `ReferenceCollector` agents; the bureau is a small object with a queue of
pending reports. Each phase loops over the borrowers in row order and draws every random number
per agent from the model's generators (`self.random` for uniforms and Gaussians, `self.rng` for
the geometric shock durations).

It imports no phase function of the core, only the schema and constants (`sim.config`,
`sim.units`, `sim.metrics.EVENT_NAMES`) and the ledger (`sim.ledger.Ledger`). It is an
independent oracle: the order in which random numbers are drawn differs from the vectorised
core, so single runs differ, but over many seeds the distributions of every count must agree
(`tests/test_reference_oracle.py`). `reference_summary` and `core_summary` give the two models'
end-of-run measures under the same keys.

It is slow by design. `python benchmarks/reference_mesa.py --borrowers 10000 --days 30` prints
its throughput in borrower-ticks per second next to the core's.
"""

from __future__ import annotations

import argparse
import math
import time
from bisect import bisect_right
from collections import defaultdict, deque
from statistics import NormalDist
from typing import TYPE_CHECKING

import mesa

from sim.config import CHANNELS, DPD_BUCKETS, SCORE_BAND_EDGES, ScenarioConfig
from sim.ledger import AccountingError, Ledger
from sim.metrics import EVENT_NAMES
from sim.units import CENTS, DAYS_PER_MONTH, DAYS_PER_YEAR, MONTHS_PER_YEAR, to_cents

if TYPE_CHECKING:
    from sim.model import CreditMarket

NEVER = -(2**30)
"""Day number meaning 'never happened'."""

WEEK = 7
SCORE_MIN, SCORE_MAX = SCORE_BAND_EDGES[0], SCORE_BAND_EDGES[-1]
INNER_BAND_EDGES = SCORE_BAND_EDGES[1:-1]

# Behavioural types and loan states (interned strings, compared by identity in hot loops).
REGULAR, HARDSHIP, STRATEGIC, FORGETFUL = "regular", "hardship", "strategic", "forgetful"
ACTIVE, CHARGED_OFF = "active", "charged_off"

BUREAU_POINTS = {"on_time": "on_time_points", "missed": "missed_points",
                 "reported": "reported_points", "legal": "legal_points",
                 "charged_off": "charged_off_points"}
NEGATIVE_REPORTS = frozenset({"reported", "legal", "charged_off"})

LEDGER_FIELDS = ("disbursed", "principal_repaid", "interest_income", "fee_income",
                 "recoveries", "sale_proceeds", "charged_off_principal", "collection_cost",
                 "legal_cost", "interest_waived", "fees_waived")
FLOW_FIELDS = ("income", "living_expenses", "loans_spent", "contact_costs", "legal_costs",
               "debt_sales", "turnover_cash_out", "turnover_cash_in")


def daily_probability(rate_per_year: float) -> float:
    """Chance that an event with a constant hazard of `rate_per_year` happens in one day."""
    return 1.0 - math.exp(-rate_per_year / DAYS_PER_YEAR)


def annuity(principal: int, monthly_rate: float, months: int) -> int:
    """Level monthly installment in cents, rounded up, that repays `principal` cents over
    `months` at `monthly_rate` (the formula of `sim.phases.lending.annuity_installment`, for
    one loan in plain Python)."""
    months = max(months, 1)
    if monthly_rate > 0:
        level = principal * monthly_rate / (1.0 - (1.0 + monthly_rate) ** -months)
    else:
        level = principal / months
    return math.ceil(level)


# --- the bureau ---------------------------------------------------------------------------------
class ReferenceBureau:
    """Credit bureau: a queue of pending reports, applied once their delay has passed."""

    def __init__(self, model: ReferenceMarket) -> None:
        config = model.config.bureau
        self.model = model
        self.delay = config.reporting_delay_days
        self.points = {event: getattr(config, field) for event, field in BUREAU_POINTS.items()}
        self.pending: dict[int, list[tuple[ReferenceBorrower, int, bool]]] = defaultdict(list)
        self.reports = dict.fromkeys(BUREAU_POINTS, 0)

    def report(self, borrower: ReferenceBorrower, event: str) -> None:
        """A lender reports `event` about `borrower` today."""
        self.reports[event] += 1
        self.pending[self.model.day + self.delay].append(
            (borrower, self.points[event], event in NEGATIVE_REPORTS))

    def apply_due(self) -> int:
        """Apply every report due today or earlier, oldest first; reports about borrowers who
        have left the market are dropped. Returns how many were applied."""
        day = self.model.day
        applied = 0
        for due in sorted(d for d in self.pending if d <= day):
            for borrower, points, negative in self.pending.pop(due):
                if borrower.departed:
                    continue
                if points:
                    borrower.score = min(max(borrower.score + points, SCORE_MIN), SCORE_MAX)
                if negative:
                    borrower.flag_day = day
                applied += 1
        return applied


# --- lenders and collectors -------------------------------------------------------------------
class Application:
    """One loan application: who asks, whom, for what, on what terms."""

    __slots__ = ("amount", "borrower", "income_now", "installment", "lender", "rate")

    def __init__(self, borrower: ReferenceBorrower, lender: ReferenceLender, amount: int,
                 rate: float, installment: int, income_now: float) -> None:
        self.borrower = borrower
        self.lender = lender
        self.amount = amount
        self.rate = rate
        self.installment = installment
        self.income_now = income_now


class ReferenceLender(mesa.Agent):
    """A lender: reviews applications one by one and keeps a ledger in cents."""

    def __init__(self, model: ReferenceMarket, index: int, capital_cents: int) -> None:
        super().__init__(model)
        self.index = index
        self.ledger = Ledger(capital=capital_cents)
        self.collectors: list[ReferenceCollector] = []

    def review(self, applications: list[Application]) -> list[Application]:
        """Check score, bureau flag and debt-to-income in that order, then ration capital:
        in a random order, approve while the running total of requests fits in today's cash
        (an application that does not fit still counts in the running total)."""
        model = self.model
        rules, events, day = model.rules, model.events, model.day
        passed = []
        for app in applications:
            borrower = app.borrower
            if borrower.score < rules.min_score:
                events["rejected_score"] += 1
            elif day - borrower.flag_day < rules.flag_lookback:
                events["rejected_bureau_flag"] += 1
            elif app.installment > rules.max_dti * app.income_now:
                events["rejected_dti"] += 1
            else:
                passed.append(app)
        model.random.shuffle(passed)
        budget = max(self.ledger.cash, 0)
        running = 0
        approved = []
        for app in passed:
            running += app.amount
            if running <= budget:
                approved.append(app)
            else:
                events["rejected_capital"] += 1
        return approved

    def outstanding(self) -> int:
        """Principal of this lender's loans, in cents."""
        return sum(b.loan.principal for b in self.model.borrowers
                   if b.loan is not None and b.loan.lender is self)


class ReferenceCollector(mesa.Agent):
    """A collector: works the accounts of one lender whose row % collectors == slot, within a
    daily capacity for calls and letters."""

    def __init__(self, model: ReferenceMarket, lender: ReferenceLender, slot: int,
                 capacity: int) -> None:
        super().__init__(model)
        self.lender = lender
        self.slot = slot
        self.capacity = capacity
        self.used_today = 0

    def take(self, candidates: list[ReferenceBorrower]) -> list[ReferenceBorrower]:
        """Order this collector's candidates by the priority policy (random tie-break) and keep
        as many as today's capacity allows."""
        model = self.model
        rand = model.random.random
        priority = model.rules.capacity_priority
        if priority == "highest_dpd":
            keyed = [((-b.loan.dpd, rand()), b) for b in candidates]
        elif priority == "lowest_dpd":
            keyed = [((b.loan.dpd, rand()), b) for b in candidates]
        else:
            keyed = [((rand(),), b) for b in candidates]
        keyed.sort(key=lambda kb: kb[0])
        room = max(self.capacity - self.used_today, 0)
        chosen = [b for _, b in keyed[:room]]
        self.used_today += len(chosen)
        return chosen


# --- borrowers ----------------------------------------------------------------------------------
class ReferenceLoan:
    """The one loan a borrower may hold: terms, dues and collection state (plain values)."""

    __slots__ = ("chargeoff_day", "claim", "deferral_until", "deferrals_used", "deferred_ever",
                 "deferred_interest", "dpd", "fees_due", "forborne_dpd", "forborne_since",
                 "garnish_until", "installment", "installments_left", "interest_due",
                 "last_due", "legal_day", "lender", "next_due", "principal", "principal_due",
                 "probation_start", "rate", "redefaulted", "reported", "status",
                 "strategic_default", "worst_dpd")

    def __init__(self, lender: ReferenceLender, principal: int, rate: float, installment: int,
                 term_months: int, day: int) -> None:
        self.lender = lender
        self.status = ACTIVE
        self.principal = principal
        self.principal_due = 0
        self.interest_due = 0
        self.fees_due = 0
        self.deferred_interest = 0
        self.claim = 0
        self.rate = rate
        self.installment = installment
        self.installments_left = term_months
        self.next_due = day + DAYS_PER_MONTH
        self.last_due = day
        self.dpd = 0
        self.worst_dpd = 0
        self.deferral_until = NEVER
        self.deferrals_used = 0
        self.deferred_ever = False
        self.redefaulted = False
        self.strategic_default = False
        self.legal_day: int | None = None
        self.chargeoff_day = NEVER
        self.garnish_until = NEVER
        self.forborne_since = NEVER  # re-aged by a deferral, until its probation ends
        self.forborne_dpd = 0  # the worst DPD at which it was re-aged
        self.probation_start = NEVER
        self.reported = False  # its serious delinquency reported in this late episode

    @property
    def arrears(self) -> int:
        """Cents past due or due today."""
        return self.principal_due + self.interest_due + self.fees_due


class ReferenceBorrower(mesa.Agent):
    """One borrower with their own income, cash, habits, score and (at most one) loan."""

    def __init__(self, model: ReferenceMarket, row: int, pay_dom: int) -> None:
        super().__init__(model)
        self.row = row
        self.pay_dom = pay_dom
        self.departed = False
        self.loan: ReferenceLoan | None = None
        rules, rand = model.rules, model.random
        self.income = round(rules.income_median * math.exp(rand.gauss(0.0, rules.income_sigma))
                            * CENTS)
        risk = rand.gauss(0.0, 1.0)  # latent financial fragility
        u = rand.random()
        if u < rules.strategic_below:
            self.kind = STRATEGIC
        elif u < rules.forgetful_below:
            self.kind = FORGETFUL
        else:
            self.kind = HARDSHIP if risk > rules.fragile_above else REGULAR
        loading = rules.risk_shock_loading
        self.shock_proneness = math.exp(loading * risk - 0.5 * loading * loading)
        buffer_months = rules.buffer_median * math.exp(rand.gauss(0.0, rules.buffer_sigma))
        if self.kind is HARDSHIP:
            buffer_months *= rules.hardship_buffer_multiplier
        self.cash = round(self.income * buffer_months)
        self.autopay = rand.random() < rules.autopay_share
        self.opted_out = rand.random() < rules.opt_out_share
        self.aware = rand.random() < rules.awareness
        rho = rules.score_risk_correlation
        score = rules.score_mean + rules.score_sd * (
            -rho * risk + math.sqrt(1.0 - rho * rho) * rand.gauss(0.0, 1.0))
        self.score = min(max(round(score), SCORE_MIN), SCORE_MAX)
        self.jobless_until = NEVER
        self.ill_until = NEVER
        self.stress = 0.0
        self.stress_day = 0
        self.contact_days: deque[int] = deque()
        self.churned: set[int] = set()
        self.cooldown_until = NEVER
        self.flag_day = NEVER
        self.deferral_asked_day = NEVER
        self.loans_taken = 0

    # --- life ---------------------------------------------------------------------------------
    def step_shocks(self, p_job: float, p_ill: float) -> None:
        """A job loss or an illness may start today (if not already in one)."""
        model = self.model
        day, rand, rules = model.day, model.random.random, model.rules
        if self.jobless_until <= day and rand() < p_job * self.shock_proneness:
            self.jobless_until = day + int(model.rng.geometric(rules.job_p_end))
            self.income = round(self.income * (1.0 - rules.income_scar))
        if self.ill_until <= day and rand() < p_ill * self.shock_proneness:
            self.ill_until = day + int(model.rng.geometric(rules.ill_p_end))

    def step_pay_day(self) -> None:
        """Income (with monthly volatility; benefits only while jobless) arrives, living
        expenses (more while ill) are paid as far as the cash goes."""
        model = self.model
        rules, day = model.rules, model.day
        vol = rules.income_volatility
        earned = self.income * math.exp(model.random.gauss(-0.5 * vol * vol, vol))
        if self.jobless_until > day:
            earned *= rules.income_replacement
        expenses = self.income * rules.expense_ratio
        if self.ill_until > day:
            expenses += self.income * rules.illness_cost_share
        earned_cents = round(earned)
        available = self.cash + earned_cents
        loan = self.loan
        garnished = 0
        if (loan is not None and loan.status is CHARGED_OFF and loan.garnish_until > day
                and self.jobless_until <= day):
            spare = max(earned_cents - round(expenses), 0)
            garnished = min(round(rules.garnish_share * earned_cents), spare, loan.claim,
                            available)
        spent = min(round(expenses), available - garnished)
        self.cash = available - spent
        model.flows["income"] += earned_cents
        model.flows["living_expenses"] += spent
        if garnished > 0:
            self.pay(garnished)
            model.events["legal_recovered"] += garnished

    # --- lending ------------------------------------------------------------------------------
    def monthly_income_now(self) -> float:
        """Monthly income today (benefits while jobless), cents."""
        income = float(self.income)
        if self.jobless_until > self.model.day:
            income *= self.model.rules.income_replacement
        return income

    def apply_for_loan(self) -> Application:
        """Pick a lender not churned from, ask for an amount, see the price of the band."""
        model = self.model
        rules = model.rules
        allowed = [lender for lender in model.lenders if lender.index not in self.churned]
        lender = allowed[0] if len(model.lenders) == 1 else model.random.choice(allowed)
        months = rules.loan_months_median * math.exp(model.random.gauss(0.0, rules.loan_sigma))
        amount = max(round(self.income * months / CENTS) * CENTS, CENTS)
        apr = rules.apr_by_band[bisect_right(INNER_BAND_EDGES, self.score)]
        rate = apr / MONTHS_PER_YEAR
        installment = annuity(amount, rate, rules.term_months)
        return Application(self, lender, amount, rate, installment, self.monthly_income_now())

    def open_loan(self, app: Application) -> None:
        """Take the approved loan."""
        self.loan = ReferenceLoan(app.lender, app.amount, app.rate, app.installment,
                                  self.model.rules.term_months, self.model.day)
        self.loans_taken += 1

    # --- paying -------------------------------------------------------------------------------
    def owed(self) -> int:
        """Cents asked for now: arrears of an active loan or the claim of a charged-off one."""
        loan = self.loan
        if loan is None:
            return 0
        return loan.claim if loan.status is CHARGED_OFF else loan.arrears

    def try_to_pay(self) -> bool:
        """Pay what is owed if the cash allows, else (if allowed) a share of the cash.
        Returns True if the borrower paid everything owed (and owed something)."""
        model = self.model
        rules = model.rules
        owed = self.owed()
        full = self.cash >= owed
        if full:
            amount = owed
        elif rules.partial_payments:
            amount = min(math.floor(self.cash * rules.partial_pay_share), owed)
        else:
            amount = 0
        if amount > 0:
            self.pay(amount)
            if not full:
                model.events["partial_payments"] += 1
        return full and owed > 0

    def willingness(self) -> float:
        """Willingness to pay what is owed relative to arrears: lower once a charge-off shows
        on the borrower's credit file (after the reporting delay)."""
        loan, rules = self.loan, self.model.rules
        if (loan.status is CHARGED_OFF
                and self.model.day > loan.chargeoff_day + max(rules.reporting_delay, 1)):
            return rules.chargeoff_willingness
        return 1.0

    def pay(self, amount: int) -> None:
        """Move `amount` cents to the lender: a recovery on a claim, or fees, then interest,
        then past-due principal on an active loan."""
        model = self.model
        loan = self.loan
        self.cash -= amount
        model.events["payments_cents"] += amount
        if loan.status is CHARGED_OFF:
            loan.claim -= amount
            loan.lender.ledger.receive_recovery(amount)
            if loan.claim == 0:
                self.close_loan()
            return
        to_fees = min(amount, loan.fees_due)
        left = amount - to_fees
        to_interest = min(left, loan.interest_due)
        left -= to_interest
        to_principal = min(left, loan.principal_due)
        loan.fees_due -= to_fees
        loan.interest_due -= to_interest
        loan.principal_due -= to_principal
        loan.principal -= to_principal
        loan.lender.ledger.receive_payment(to_principal, to_interest, to_fees)
        if loan.arrears > 0:
            loan.dpd = min(loan.dpd, self.contractual_dpd())
            return
        loan.dpd = 0
        loan.reported = False  # back to current: a new late episode may be reported
        loan.strategic_default = False
        loan.legal_day = None  # a case against a loan that caught up is withdrawn
        if loan.principal == 0 and loan.deferred_interest == 0:
            model.events["paid_off"] += 1
            self.close_loan()

    def contractual_dpd(self) -> int:
        """DPD of the oldest unpaid installment, counting arrears in whole installments."""
        loan = self.loan
        behind = -(-loan.arrears // max(loan.installment, 1))
        return (behind - 1) * DAYS_PER_MONTH + (self.model.day - loan.last_due)

    def close_loan(self) -> None:
        """The loan relationship ends; a new loan may be needed after the cooldown."""
        self.loan = None
        self.cooldown_until = self.model.day + self.model.rules.cooldown_days

    # --- repayment ----------------------------------------------------------------------------
    def step_repayment(self) -> None:
        """Age arrears (late fee every 30 days past due), let an installment fall due and pay
        it or miss it, then perhaps try, unprompted, to pay arrears."""
        loan = self.loan
        model = self.model
        rules, day = model.rules, model.day
        if loan.status is CHARGED_OFF:
            loan.dpd += 1
            if model.random.random() < rules.self_cure_p * self.willingness() \
                    and not loan.strategic_default:
                self.try_to_pay()
            return
        late = loan.arrears > 0 and loan.deferral_until <= day
        if late:
            loan.dpd += 1
            if loan.dpd % DAYS_PER_MONTH == 1:
                loan.fees_due += rules.late_fee_cents
                model.events["late_fees"] += 1
        if loan.dpd > loan.worst_dpd:
            loan.worst_dpd = loan.dpd
        if loan.next_due == day:
            self.fall_due()
            self.pay_installment()
        if late and self.loan is loan and model.random.random() < rules.self_cure_p \
                and not loan.strategic_default:
            self.try_to_pay()

    def fall_due(self) -> None:
        """A month's interest (on scheduled and on past-due principal) and one installment's
        principal fall due; the last installment carries all principal left, and deferred
        interest falls due with it."""
        loan = self.loan
        day = self.model.day
        scheduled = loan.principal - loan.principal_due
        scheduled_interest = round(scheduled * loan.rate)
        interest = scheduled_interest + round(loan.principal_due * loan.rate)
        last = loan.installments_left <= 1
        if last:
            principal_part = scheduled
        else:
            principal_part = min(max(loan.installment - scheduled_interest, 0), scheduled)
        loan.principal_due += principal_part
        loan.interest_due += interest + loan.deferred_interest
        loan.deferred_interest = 0
        loan.installments_left = max(loan.installments_left - 1, 0)
        loan.next_due = NEVER if last else day + DAYS_PER_MONTH
        loan.last_due = day
        self.model.events["installments_due"] += 1

    def perceived_enforcement(self) -> float:
        """Enforcement a strategic borrower feels: the policy's early report and legal action,
        plus collection pressure: the contacts of the last 7 days (before today's) or, if
        more, those a week a first month late brings, both over the weekly cap."""
        rules = self.model.rules
        recent = min(self.contacts_since(self.model.day - WEEK) / rules.enforcement_cap, 1.0)
        felt = rules.policy_enforcement + rules.w_contacts * max(recent, rules.expected_contacts)
        return min(max(felt, 0.0), 1.0)

    def pay_installment(self) -> None:
        """Today's installment: reminder, then forget (forgetful), refuse (strategic) or try
        to pay; report on-time or missed to the bureau."""
        model = self.model
        loan = self.loan
        rules, events, rand = model.rules, model.events, model.random.random
        was_current = loan.dpd == 0
        reminded = False
        if rules.reminder_channel != "none" and not self.autopay:
            reminded = True
            model.charge_contact(loan.lender, rules.reminder_channel)
            events["reminders"] += 1
        forgot = False
        if self.kind is FORGETFUL and not self.autopay:
            p = rules.miss_probability * ((1.0 - rules.reminder_fix_share) if reminded else 1.0)
            forgot = rand() < p
        refused = False
        if self.kind is STRATEGIC:
            if not loan.strategic_default and self.cash >= loan.arrears:
                propensity = (rules.base_propensity * (1.0 - self.perceived_enforcement())
                              + rules.peer_weight * model.market_dpd30_share)
                if rand() < min(max(propensity, 0.0), 1.0):
                    loan.strategic_default = True
            refused = loan.strategic_default
        willing = not forgot and not refused
        paid = self.try_to_pay() if willing else False
        if paid:
            if was_current:
                model.bureau.report(self, "on_time")
                events["on_time_payments"] += 1
            return
        model.bureau.report(self, "missed")
        events["missed_installments"] += 1
        if refused:
            events["missed_strategic"] += 1
        if forgot:
            events["missed_forgetful"] += 1
        if willing:
            events["missed_hardship"] += 1

    # --- deferral -----------------------------------------------------------------------------
    def step_deferral(self, force_majeure: bool) -> None:
        """Mark a re-default; an aware borrower in difficulty may apply for deferral and the
        lender decides."""
        model = self.model
        loan = self.loan
        rules, day, events = model.rules, model.day, model.events
        cfg = rules.deferral
        if loan.deferred_ever and not loan.redefaulted and loan.dpd >= cfg.redefault_dpd:
            loan.redefaulted = True
            events["redefaults"] += 1
        if loan.forborne_since != NEVER:  # the EBA's probation test
            if loan.status is not ACTIVE:
                loan.forborne_since, loan.forborne_dpd, loan.probation_start = NEVER, 0, NEVER
            elif loan.dpd > 30:
                loan.probation_start = day + 1
            elif loan.dpd == 0 and day - loan.probation_start >= cfg.probation_days:
                loan.forborne_since, loan.forborne_dpd, loan.probation_start = NEVER, 0, NEVER
        if (loan.status is not ACTIVE or loan.deferral_until > day or not self.aware
                or day - self.deferral_asked_day < cfg.reapply_after_days):
            return
        shocked = self.jobless_until > day or self.ill_until > day
        if not (shocked or loan.dpd > 0):
            return
        rate = cfg.apply_rate / DAYS_PER_MONTH
        if loan.strategic_default:
            rate *= rules.deferral_apply_multiplier
        if model.random.random() >= min(rate, 1.0):
            return
        self.deferral_asked_day = day
        events["deferrals_requested"] += 1
        if not cfg.enabled:
            events["deferrals_refused"] += 1
            return
        eligible = ((cfg.eligible_hardship and shocked)
                    or (cfg.eligible_force_majeure and force_majeure)
                    or (cfg.eligible_small_balance
                        and loan.principal <= rules.small_balance_cents
                        and loan.worst_dpd <= cfg.good_record_max_dpd))
        # A strategic applicant in no shock makes a false claim, caught by the review with
        # its own accuracy.
        false_claim = self.kind is STRATEGIC and not shocked
        detection = cfg.false_claim_detection if false_claim else cfg.verification_accuracy
        fooled = model.random.random() >= detection
        if loan.deferrals_used < cfg.max_per_loan and (eligible or fooled):
            events["deferrals_granted"] += 1
            if not eligible:
                events["deferrals_granted_ineligible"] += 1
            self.grant_deferral()
        else:
            events["deferrals_refused"] += 1

    def grant_deferral(self) -> None:
        """Re-age the loan: arrears rescheduled over the remaining term plus the unpaid
        installments, past-due interest and fees waived (or carried), a filed case withdrawn;
        then pause payments or cut the rate."""
        model = self.model
        loan = self.loan
        cfg, day = model.rules.deferral, model.day
        unpaid = -(-loan.arrears // max(loan.installment, 1))
        if cfg.waive_arrears_interest:
            loan.lender.ledger.waive(loan.interest_due, loan.fees_due)
        else:
            loan.deferred_interest += loan.interest_due + loan.fees_due
        loan.interest_due = loan.fees_due = loan.principal_due = 0
        loan.forborne_dpd = (max(loan.forborne_dpd, loan.dpd) if loan.forborne_since != NEVER
                             else loan.dpd)
        loan.forborne_since = day
        remaining = max(loan.installments_left + unpaid, 1)
        if cfg.mode == "extend":
            resume = day + cfg.extend_months * DAYS_PER_MONTH
            if cfg.accrue_interest:
                months = max(resume - loan.last_due - DAYS_PER_MONTH, 0) / DAYS_PER_MONTH
                loan.deferred_interest += round(loan.principal * loan.rate * months)
            loan.next_due = resume
            loan.deferral_until = resume
            loan.probation_start = resume
        else:
            loan.rate *= 1.0 - cfg.rate_cut_share
            loan.next_due = day + DAYS_PER_MONTH
            loan.probation_start = day
        loan.installments_left = remaining
        loan.installment = annuity(loan.principal, loan.rate, remaining)
        loan.dpd = 0
        loan.reported = False  # back to current: a new late episode may be reported
        loan.legal_day = None  # a case against a re-aged loan is withdrawn
        loan.deferrals_used += 1
        loan.deferred_ever = True
        loan.strategic_default = False  # decided afresh at the next due date

    # --- collection ---------------------------------------------------------------------------
    def in_collection(self) -> bool:
        """Active and past due outside a deferral pause, or charged off with a claim left."""
        loan = self.loan
        if loan is None:
            return False
        if loan.status is ACTIVE:
            return loan.dpd > 0 and loan.deferral_until <= self.model.day
        return loan.claim > 0

    def contacts_since(self, first_day: int) -> int:
        """Collection contact attempts on days >= first_day (older ones are forgotten)."""
        days = self.contact_days
        horizon = self.model.day - WEEK
        while days and days[0] < horizon:
            days.popleft()
        return sum(1 for d in days if d >= first_day)

    def escalate(self) -> None:
        """Serious-delinquency report and legal filing at the policy DPDs."""
        model = self.model
        loan = self.loan
        rules = model.rules
        if loan.dpd == rules.report_dpd and not loan.reported:  # once per late episode
            loan.reported = True
            model.bureau.report(self, "reported")
            model.events["bureau_reports"] += 1
        if rules.legal_enabled and loan.dpd == rules.legal_dpd and loan.legal_day is None:
            loan.legal_day = model.day + rules.legal_delay
            loan.lender.ledger.pay_legal_cost(rules.legal_cost_cents)
            model.flows["legal_costs"] += rules.legal_cost_cents
            model.events["legal_filed"] += 1

    def receive_contact(self, channel: str) -> None:
        """A collection attempt on `channel`: it costs, counts toward the cap, may reach the
        borrower (or a third party) and then adds stress, informs, may cause a complaint, an
        opt-out, churn from the lender, and prompt a payment."""
        model = self.model
        loan = self.loan
        rules, events, day, rand = model.rules, model.events, model.day, model.random.random
        spec = rules.channels[channel]
        model.charge_contact(loan.lender, channel)
        self.contact_days.append(day)
        events[f"contacts_{channel}"] += 1

        reached = rand() < spec.rpc_rate
        third_party = (not reached and rules.third_party_contact and channel == "phone"
                       and rand() < rules.third_party_reach)
        if reached:
            events[f"rpc_{channel}"] += 1
        if third_party:
            events["third_party_contacts"] += 1
        if not (reached or third_party):
            return
        stress_before = self.stress * 0.5 ** ((day - self.stress_day) / rules.stress_half_life)
        self.stress = stress_before + spec.stress
        self.stress_day = day
        if spec.informs_deferral and not third_party:
            self.aware = True
        complaint_p = spec.complaint_probability * (
            1.0 + rules.complaint_stress_elasticity * stress_before)
        if third_party:
            complaint_p *= rules.third_party_complaint_multiplier
        if rand() < min(complaint_p, 1.0):
            events["complaints"] += 1
            if rand() < rules.complaint_opt_out_probability:
                if not self.opted_out:
                    events["opt_outs"] += 1
                self.opted_out = True
        if self.stress >= rules.churn_stress and loan.lender.index not in self.churned:
            self.churned.add(loan.lender.index)
            events["churned"] += 1
        if loan.strategic_default:
            prompt_p = spec.pay_effect * rules.contact_response
        elif self.kind is FORGETFUL:
            prompt_p = rules.contact_cure_probability
        else:
            prompt_p = spec.pay_effect
        prompt_p *= self.willingness()
        if rand() < prompt_p:
            loan.strategic_default = False
            if self.try_to_pay():
                events["payments_after_contact"] += 1

    # --- charge-off ---------------------------------------------------------------------------
    def charge_off(self) -> None:
        """Principal becomes the lender's loss; the whole debt becomes a claim."""
        model = self.model
        loan = self.loan
        loan.lender.ledger.charge_off(loan.principal)
        model.events["defaults"] += 1
        model.events["defaults_strategic"] += int(loan.strategic_default)
        model.events["charged_off_principal"] += loan.principal
        loan.claim = loan.principal + loan.interest_due + loan.fees_due + loan.deferred_interest
        loan.principal = loan.principal_due = loan.interest_due = loan.fees_due = 0
        loan.deferred_interest = 0
        loan.status = CHARGED_OFF
        loan.chargeoff_day = model.day
        loan.deferral_until = min(loan.deferral_until, model.day)
        model.bureau.report(self, "charged_off")

    def step_chargeoff(self) -> None:
        """Judgment day of a filed case; charge-off at the policy DPD; debt sale; end of the
        recovery window."""
        model = self.model
        loan = self.loan
        rules, day, events = model.rules, model.day, model.events
        if loan.legal_day == day:
            if loan.status is ACTIVE:
                self.charge_off()
            if model.random.random() < rules.enforceable_share:  # a payment order on income
                loan.garnish_until = day + rules.order_days
                events["legal_enforced"] += 1
            events["legal_judgments"] += 1
            model.bureau.report(self, "legal")
            return
        if loan.status is ACTIVE:
            if loan.dpd < rules.chargeoff_dpd:
                return
            self.charge_off()
        age = day - loan.chargeoff_day
        if rules.debt_sale and age == rules.sale_after_days and loan.claim > 0:
            price = round(loan.claim * rules.sale_price)
            loan.lender.ledger.receive_recovery(price, sale=True)
            model.flows["debt_sales"] += price
            events["debts_sold"] += 1
            self.close_loan()
            return
        if age >= rules.recovery_window_days and loan.garnish_until <= day:
            events["claims_written_off"] += 1
            self.close_loan()


# --- the market ---------------------------------------------------------------------------------
class Rules:
    """The scenario's parameters as plain attributes (cents where money), read in hot loops."""

    def __init__(self, config: ScenarioConfig) -> None:
        b, shocks, lend = config.borrowers, config.shocks, config.lending
        rep, coll, s = config.repayment, config.collection, config.strategic
        self.turnover_p = daily_probability(b.turnover_rate)
        shares = {REGULAR: max(0.0, 1.0 - b.hardship_share - b.strategic_share
                               - b.forgetful_share),
                  HARDSHIP: b.hardship_share, STRATEGIC: b.strategic_share,
                  FORGETFUL: b.forgetful_share}
        total = sum(shares.values())
        self.strategic_below = shares[STRATEGIC] / total
        self.forgetful_below = (shares[STRATEGIC] + shares[FORGETFUL]) / total
        rest = shares[REGULAR] + shares[HARDSHIP]
        regular_given = shares[REGULAR] / rest if rest > 0 else 1.0
        self.fragile_above = (math.inf if regular_given >= 1 else -math.inf
                              if regular_given <= 0 else NormalDist().inv_cdf(regular_given))
        self.risk_shock_loading = b.risk_shock_loading
        self.income_median, self.income_sigma = b.income_median, b.income_sigma
        self.income_volatility, self.expense_ratio = b.income_volatility, b.expense_ratio
        self.buffer_median, self.buffer_sigma = b.buffer_months_median, b.buffer_sigma
        self.hardship_buffer_multiplier = b.hardship_buffer_multiplier
        self.hardship_shock_multiplier = b.hardship_shock_multiplier
        self.autopay_share, self.opt_out_share = b.autopay_share, b.opt_out_share
        self.awareness = config.deferral.awareness
        self.score_mean, self.score_sd = (config.bureau.initial_score_mean,
                                          config.bureau.initial_score_sd)
        self.score_risk_correlation = config.bureau.score_risk_correlation

        self.job_loss_rate, self.illness_rate = shocks.job_loss_rate, shocks.illness_rate
        self.job_p_end, self.ill_p_end = 1.0 / shocks.job_loss_mean_days, \
            1.0 / shocks.illness_mean_days
        self.income_replacement = shocks.job_loss_income_replacement
        self.income_scar = shocks.job_loss_income_scar
        self.illness_cost_share = shocks.illness_cost_share

        self.need_p = daily_probability(lend.need_rate)
        self.loan_months_median, self.loan_sigma = (lend.loan_months_of_income_median,
                                                    lend.loan_size_sigma)
        self.term_months, self.min_score, self.max_dti = (lend.term_months, lend.min_score,
                                                          lend.max_dti)
        self.apr_by_band = list(lend.apr_by_band)
        self.flag_lookback = lend.bureau_flag_lookback_days
        self.cooldown_days = lend.repeat_cooldown_days

        self.late_fee_cents = to_cents(rep.late_fee)
        self.partial_payments, self.partial_pay_share = rep.partial_payments, \
            rep.partial_pay_share
        self.self_cure_p = rep.self_cure_rate / DAYS_PER_MONTH
        self.chargeoff_willingness = config.chargeoff.payment_willingness
        self.reporting_delay = config.bureau.reporting_delay_days

        f = config.forgetful
        self.miss_probability, self.reminder_fix_share = f.miss_probability, \
            f.reminder_fix_share
        self.contact_cure_probability = f.contact_cure_probability

        self.base_propensity, self.peer_weight = s.base_propensity, s.peer_weight
        self.w_contacts = s.enforcement_weight_contacts
        self.enforcement_cap = max(coll.max_contacts_per_7_days, 1)
        self.contact_response = s.contact_response
        self.deferral_apply_multiplier = s.deferral_apply_multiplier

        def earliness(dpd: int) -> float:
            return max(0.0, 1.0 - dpd / s.enforcement_horizon_days)

        felt = s.enforcement_weight_report * earliness(config.bureau.report_dpd)
        if config.legal.enabled:
            felt += s.enforcement_weight_legal * earliness(config.legal.dpd)
        self.policy_enforcement = min(max(felt, 0.0), 1.0)

        self.deferral = config.deferral
        self.small_balance_cents = to_cents(config.deferral.small_balance_max)

        self.reminder_channel = coll.reminder_channel
        self.channels = {c: getattr(config.channels, c) for c in CHANNELS}
        self.channel_cost_cents = {c: to_cents(self.channels[c].cost) for c in CHANNELS}
        self.weekly = {c: [getattr(getattr(coll.ladder, bucket), c) for bucket in DPD_BUCKETS]
                       for c in CHANNELS}
        self.opt_out_channels = frozenset(coll.opt_out_channels)
        self.contact_cap = coll.max_contacts_per_7_days
        self.expected_contacts = min(sum(coll.ladder.dpd_1_30.model_dump().values())
                                     / max(coll.max_contacts_per_7_days, 1), 1.0)
        self.collectors_per_lender = coll.collectors_per_lender
        self.capacity_priority = coll.capacity_priority
        self.complaint_opt_out_probability = coll.complaint_opt_out_probability
        self.third_party_contact, self.third_party_reach = (coll.third_party_contact,
                                                            coll.third_party_reach)
        self.third_party_complaint_multiplier = coll.third_party_complaint_multiplier
        self.stress_half_life = coll.stress_half_life_days
        self.complaint_stress_elasticity = coll.complaint_stress_elasticity
        self.churn_stress = coll.churn_stress

        legal = config.legal
        self.legal_enabled, self.legal_dpd, self.legal_delay = (legal.enabled, legal.dpd,
                                                                legal.delay_days)
        self.legal_cost_cents = to_cents(legal.cost)
        self.garnish_share, self.enforceable_share = legal.garnish_share, legal.enforceable_share
        self.order_days = legal.order_months * DAYS_PER_MONTH
        self.report_dpd = config.bureau.report_dpd

        co = config.chargeoff
        self.chargeoff_dpd, self.recovery_window_days = co.dpd, co.recovery_window_days
        self.debt_sale, self.sale_price, self.sale_after_days = (co.debt_sale, co.sale_price,
                                                                 co.sale_after_days)


def dpd_bucket(dpd: int) -> int:
    """Ladder bucket of an account past due: 0 for 1-30, 1 for 31-60, 2 for 61-90, 3 for 90+."""
    return min((dpd - 1) // DAYS_PER_MONTH, len(DPD_BUCKETS) - 1)


class ReferenceMarket(mesa.Model):
    """The credit market with one Mesa agent per borrower, stepped one day at a time.

    Attributes:
        config: the scenario (`sim.config.ScenarioConfig`), as for `CreditMarket`.
        day: the day the next `step()` simulates.
        borrowers: the borrower agents in row order (a departing borrower's row gets the new
            one); lenders, collectors: the other agents; bureau: the credit bureau.
        events: today's event counts; totals: cumulative counts (the core's event names).
        flows: cumulative external money flows in cents.
    """

    def __init__(self, config: ScenarioConfig | None = None, rng: int | None = None) -> None:
        config = config or ScenarioConfig()
        super().__init__(rng=config.run.seed if rng is None else rng)
        self.config = config
        self.rules = Rules(config)
        self.day = 0
        self.market_dpd30_share = 0.0
        self.events: dict[str, int] = dict.fromkeys(EVENT_NAMES, 0)
        self.totals: dict[str, int] = dict.fromkeys(EVENT_NAMES, 0)
        self.flows: dict[str, int] = defaultdict(int)
        self.bureau = ReferenceBureau(self)

        n, n_lenders = config.run.borrowers, config.lending.lenders
        capital = to_cents(config.lending.capital_per_borrower) * n
        self.lenders = [ReferenceLender(self, k, capital // n_lenders) for k in range(n_lenders)]
        capacity = int(round(config.collection.capacity_per_1000_borrowers * n / n_lenders
                             / 1000))
        self.collectors: list[ReferenceCollector] = []
        for lender in self.lenders:
            for slot in range(config.collection.collectors_per_lender):
                collector = ReferenceCollector(self, lender, slot, capacity)
                lender.collectors.append(collector)
                self.collectors.append(collector)
        self.borrowers = [ReferenceBorrower(self, row, self.random.randrange(DAYS_PER_MONTH))
                          for row in range(n)]
        self.initial_money = self.money_in_system()

    # --- helpers ------------------------------------------------------------------------------
    def macro_multipliers(self) -> tuple[float, float, bool]:
        """Job-loss and illness multipliers and force majeure of today's macro windows."""
        job, ill, force = 1.0, 1.0, False
        for window in self.config.shocks.macro:
            if window.start_day <= self.day <= window.end_day:
                job *= window.job_loss_multiplier
                ill *= window.illness_multiplier
                force = force or window.force_majeure
        return job, ill, force

    def charge_contact(self, lender: ReferenceLender, channel: str) -> None:
        """The lender pays for one contact attempt (reminder or collection) on `channel`."""
        cost = self.rules.channel_cost_cents[channel]
        lender.ledger.pay_contact_cost(channel, cost)
        self.flows["contact_costs"] += cost

    def money_in_system(self) -> int:
        """Cash of all borrowers and lenders, in cents."""
        return sum(b.cash for b in self.borrowers) + sum(x.ledger.cash for x in self.lenders)

    # --- one day ------------------------------------------------------------------------------
    def step(self) -> None:
        """One day: the seven phases in the core's order, then the end-of-day bookkeeping."""
        self.events = dict.fromkeys(EVENT_NAMES, 0)
        self.life_phase()
        self.lending_phase()
        self.repayment_phase()
        self.deferral_phase()
        self.collection_phase()
        self.events["score_updates"] += self.bureau.apply_due()  # reporting
        self.chargeoff_phase()
        self.end_of_day()
        self.day += 1

    def run_days(self, days: int | None = None) -> None:
        """Step `days` days (default: the scenario's `run.days`)."""
        for _ in range(self.config.run.days if days is None else days):
            self.step()

    def life_phase(self) -> None:
        """Turnover of borrowers without a loan, shocks, pay days."""
        rules, day, rand = self.rules, self.day, self.random.random
        job_mult, ill_mult, _ = self.macro_multipliers()
        fragile = rules.hardship_shock_multiplier
        p_job = daily_probability(rules.job_loss_rate * job_mult)
        p_job_fragile = daily_probability(rules.job_loss_rate * job_mult * fragile)
        p_ill = daily_probability(rules.illness_rate * ill_mult)
        p_ill_fragile = daily_probability(rules.illness_rate * ill_mult * fragile)
        pay_dom = day % DAYS_PER_MONTH
        for row, borrower in enumerate(self.borrowers):
            if borrower.loan is None and rand() < rules.turnover_p:
                borrower = self.replace(row)
            if borrower.kind is HARDSHIP:
                borrower.step_shocks(p_job_fragile, p_ill_fragile)
            else:
                borrower.step_shocks(p_job, p_ill)
            if borrower.pay_dom == pay_dom:
                borrower.step_pay_day()

    def replace(self, row: int) -> ReferenceBorrower:
        """The borrower in `row` leaves the market (pending bureau reports about them are
        dropped); a new person takes the row and its pay day."""
        old = self.borrowers[row]
        old.departed = True
        self.flows["turnover_cash_out"] += old.cash
        old.remove()
        new = ReferenceBorrower(self, row, old.pay_dom)
        self.borrowers[row] = new
        self.flows["turnover_cash_in"] += new.cash
        self.events["borrowers_replaced"] += 1
        return new

    def lending_phase(self) -> None:
        """Needs arise, borrowers apply, each lender reviews its applications and lends."""
        rules, day, rand = self.rules, self.day, self.random.random
        n_lenders = len(self.lenders)
        applications = [
            borrower.apply_for_loan() for borrower in self.borrowers
            if borrower.loan is None and borrower.cooldown_until <= day
            and len(borrower.churned) < n_lenders and rand() < rules.need_p]
        self.events["applications"] += len(applications)
        for lender in self.lenders:
            mine = [app for app in applications if app.lender is lender]
            if not mine:
                continue
            approved = lender.review(mine)
            total = 0
            for app in approved:
                app.borrower.open_loan(app)
                total += app.amount
            lender.ledger.disburse(total)
            self.flows["loans_spent"] += total
            self.events["originations"] += len(approved)
            self.events["originated_principal"] += total

    def repayment_phase(self) -> None:
        """Every borrower with a loan ages it, pays or misses what falls due, self-cures."""
        for borrower in self.borrowers:
            if borrower.loan is not None:
                borrower.step_repayment()

    def deferral_phase(self) -> None:
        """Re-defaults are marked; borrowers in difficulty apply; lenders grant or refuse."""
        _, _, force_majeure = self.macro_multipliers()
        for borrower in self.borrowers:
            if borrower.loan is not None:
                borrower.step_deferral(force_majeure)

    def collection_phase(self) -> None:
        """Escalation, then each channel in order: every account in collection gets an
        attempt with probability (weekly rate of its DPD bucket) / 7, unless cured by an
        earlier channel, opted out of the channel or at the 7-day cap; calls and letters are
        rationed by the collectors' capacity."""
        rules, day, rand = self.rules, self.day, self.random.random
        for collector in self.collectors:
            collector.used_today = 0
        for borrower in self.borrowers:
            if borrower.loan is not None:
                borrower.escalate()
        accounts = [(b, dpd_bucket(b.loan.dpd)) for b in self.borrowers if b.in_collection()]
        if not accounts:
            return
        window_start = day - WEEK + 1
        for channel in CHANNELS:
            weekly = rules.weekly[channel]
            if not any(weekly):
                continue
            chance = [w / WEEK for w in weekly]
            blocked = channel in rules.opt_out_channels
            chosen = [b for b, bucket in accounts
                      if rand() < chance[bucket] and b.in_collection()
                      and not (blocked and b.opted_out)
                      and b.contacts_since(window_start) < rules.contact_cap]
            if rules.channels[channel].uses_capacity:
                chosen = self.ration(chosen)
            for borrower in chosen:
                borrower.receive_contact(channel)

    def ration(self, chosen: list[ReferenceBorrower]) -> list[ReferenceBorrower]:
        """Each collector keeps the attempts on its caseload that fit its capacity."""
        per_lender = self.rules.collectors_per_lender
        kept: list[ReferenceBorrower] = []
        for collector in self.collectors:
            mine = [b for b in chosen if b.loan.lender is collector.lender
                    and b.row % per_lender == collector.slot]
            if mine:
                kept.extend(collector.take(mine))
        kept.sort(key=lambda b: b.row)
        return kept

    def chargeoff_phase(self) -> None:
        """Judgments, charge-offs, debt sales and the end of recovery windows."""
        for borrower in self.borrowers:
            if borrower.loan is not None:
                borrower.step_chargeoff()

    def end_of_day(self) -> None:
        """Add today's events to the totals, note the share of active loans 30+ DPD (what
        strategic borrowers see tomorrow) and check the books."""
        for name, count in self.events.items():
            self.totals[name] += count
        active = dpd30 = 0
        for borrower in self.borrowers:
            loan = borrower.loan
            if loan is not None and loan.status is ACTIVE:
                active += 1
                # peers count a loan re-aged from 30+ DPD as delinquent until its probation ends
                dpd30 += loan.dpd >= 30 or (loan.forborne_since != NEVER
                                            and loan.forborne_dpd >= 30)
        self.market_dpd30_share = dpd30 / active if active else 0.0
        if self.config.run.check_invariants:
            self.check_accounts()

    def check_accounts(self) -> None:
        """Raise AccountingError if a lender's books or the system's money do not balance."""
        outstanding = dict.fromkeys(self.lenders, 0)
        borrower_cash = 0
        for b in self.borrowers:
            borrower_cash += b.cash
            loan = b.loan
            if b.cash < 0 or (loan is not None and (loan.principal < 0 or loan.claim < 0)):
                raise AccountingError(f"reference: negative cash, principal or claim, row {b.row}")
            if loan is not None:
                outstanding[loan.lender] += loan.principal
        for lender in self.lenders:
            lender.ledger.check(outstanding[lender], name=f"reference lender {lender.index}")
        f = self.flows
        expected = (self.initial_money + f["income"] - f["living_expenses"] - f["loans_spent"]
                    - f["contact_costs"] - f["legal_costs"] + f["debt_sales"]
                    - f["turnover_cash_out"] + f["turnover_cash_in"])
        money = borrower_cash + sum(x.ledger.cash for x in self.lenders)
        if money != expected:
            raise AccountingError(f"reference: money {money} != {expected}")


# --- summaries --------------------------------------------------------------------------------
def _summary(totals: dict[str, int], ledgers: list[Ledger], flows: dict[str, int],
             score_mean: float, active: int, dpd30: int,
             claims_open: int, borrower_cash: int) -> dict[str, float]:
    out = {name: float(totals[name]) for name in EVENT_NAMES}
    for name in LEDGER_FIELDS:
        out[f"ledger_{name}"] = sum(getattr(x, name) for x in ledgers) / CENTS
    for name in FLOW_FIELDS:
        out[f"flow_{name}"] = flows.get(name, 0) / CENTS
    out["mean_score"] = score_mean
    out["loans_active_end"] = float(active)
    out["loans_dpd30_end"] = float(dpd30)
    out["claims_open_end"] = float(claims_open)
    out["borrower_cash_end"] = borrower_cash / CENTS
    return out


def reference_summary(model: ReferenceMarket) -> dict[str, float]:
    """End-of-run measures of a reference run: cumulative event counts (the core's event
    names), lender ledger totals and external flows (currency units), the mean score and the
    book at the end. Same keys as `core_summary`."""
    loans = [b.loan for b in model.borrowers if b.loan is not None]
    active = [x for x in loans if x.status is ACTIVE]
    return _summary(
        model.totals, [x.ledger for x in model.lenders], model.flows,
        sum(b.score for b in model.borrowers) / max(len(model.borrowers), 1),
        len(active), sum(1 for x in active if x.dpd >= 30),
        sum(1 for x in loans if x.status is CHARGED_OFF),
        sum(b.cash for b in model.borrowers))


def core_summary(model: CreditMarket) -> dict[str, float]:
    """The same measures as `reference_summary`, read from the vectorised core."""
    pop = model.population
    active = pop.status == 1
    return _summary(
        model.totals, [x.ledger for x in model.lender_list], model.flows,
        float(pop.score.mean()), int(active.sum()), int((active & (pop.dpd >= 30)).sum()),
        int((pop.status == 2).sum()), int(pop.cash.sum()))


# --- benchmark --------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description="Borrower-ticks per second of the reference "
                                     "(and of the core on the same scenario).")
    parser.add_argument("--borrowers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-core", action="store_true", help="time the reference only")
    args = parser.parse_args()
    config = ScenarioConfig().model_copy(update={"run": ScenarioConfig().run.model_copy(
        update={"borrowers": args.borrowers, "days": args.days, "seed": args.seed})})
    models: list[tuple[str, type]] = [("reference (Mesa, per agent)", ReferenceMarket)]
    if not args.no_core:
        from sim.model import CreditMarket

        models.append(("core (vectorised)", CreditMarket))
    for name, cls in models:
        start = time.perf_counter()
        model = cls(config)
        built = time.perf_counter() - start
        start = time.perf_counter()
        model.run_days(args.days)
        wall = time.perf_counter() - start
        print(f"{name}: {args.borrowers:,} borrowers x {args.days} days in {wall:.2f} s "
              f"(setup {built:.2f} s): {args.borrowers * args.days / wall:,.0f} "
              "borrower-ticks/s")


if __name__ == "__main__":
    main()
