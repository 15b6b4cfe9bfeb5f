"""The borrower population: one numpy column per attribute, one row per borrower.

Every phase reads and writes these columns with vectorised numpy or with loops compiled by
numba (which take them as `sim.columns.Columns`); no code loops over borrowers in Python.
A borrower has at most one loan at a time, so the loan's terms live in the same row.
Money columns are int64 cents; days are absolute day numbers (day 0 is the first tick).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numba import njit

from sim.borrower_money import ITEMS as MONEY_ITEMS
from sim.config import DPD_BUCKETS, SCORE_BAND_EDGES, SCORE_BAND_NAMES, RunConfig, ScenarioConfig
from sim.rows import union_rows
from sim.streams import LATER
from sim.units import DAYS_PER_MONTH

NEVER = -(2**30)
"""Day number meaning 'never happened' (far in the past)."""

# Behavioural types (column `kind`).
REGULAR, FRAGILE, STRATEGIC, FORGETFUL = 0, 1, 2, 3
KIND_NAMES = ("regular", "hardship", "strategic", "forgetful")

# Loan status (column `status`).
NO_LOAN, ACTIVE, CHARGED_OFF = 0, 1, 2

WEEK = 7

SCORE_MIN, SCORE_MAX = SCORE_BAND_EDGES[0], SCORE_BAND_EDGES[-1]


class BorrowerPopulation:
    """Numpy columns describing every borrower and their current loan.

    Borrower: `income` (cents/month, normal income), `cash` (cents), `pay_dom` (day of the
    30-day month on which income arrives), `kind` (REGULAR, FRAGILE, STRATEGIC, FORGETFUL),
    `autopay`, `opted_out`, `aware` (knows deferral exists), `jobless_until` and `ill_until`
    (day a shock ends; a shock is on while day < until), `shock_proneness` (the person's
    shock rates relative to their type's, from their latent risk), `score` (350-950),
    `score_anchor` (the starting score, to which payment history fades), `score_history`
    (points the reports have moved the score from its anchor, fading; the score is the anchor
    plus this, rounded, within 350-950), `stress`
    (points, decaying; `stress_day` is the day it was last brought up to date),
    `contacts_week` (contact attempts on each of the last 7 days, shape 7 x N),
    `churned` (bit k set: stopped borrowing from lender k), `cooldown_until`, `flag_day`
    (last negative bureau report), `generation` (how many people the row has held: its
    person's key for counter-based draws, `sim.streams`), `life_digest` (a hash of the row's
    shocks: job losses and illnesses with their start days). `score_counts[s]` is the number
    of borrowers with score `s`, kept up to date by `set_scores` so daily metrics need not
    scan every score.

    Loan: `lender` (-1 if none), `status` (NO_LOAN, ACTIVE, CHARGED_OFF), `principal` (cents
    not yet repaid), `principal_due`, `interest_due`, `fees_due` (cents past due or due
    today), `deferred_interest` (cents, due with the first installment after a pause),
    `claim` (cents owed on a charged-off loan), `rate` (monthly), `installment` (cents),
    `installments_left`, `next_due` and `last_due` (days), `dpd` (days past due), `worst_dpd`,
    `deferral_until`, `deferrals_used`, `deferral_asked_day`,
    `first_deferral_day` (day of the loan's first deferral or plan, NEVER if none; the loan was
    deferred if set, `deferred_ever`), `redefaulted`,
    `strategic_default`, `legal_day` (judgment day of a filed case, -1 if none),
    `garnish_until` (day a judgment's payment order on the claim ends; NEVER if none),
    `chargeoff_day`, `loans_taken`; forbearance: `forborne_since` (day of the deferral grant
    that made the loan forborne, NEVER if it is not), `forborne_dpd` (days past due when it
    was granted), `probation_start` (first day of the current run of performance since the
    grant's pause ended or the loan was last past due); default as supervisors define it:
    `default_until` (for a loan in default, the first day it may cure; NEVER if it is not,
    `sim.default_status`).

    `window_start[0]` is the first day of the measured window (NEVER until one is set):
    recoveries on claims charged off before it are booked apart as legacy recoveries.
    `borrower_money[kind, band, item]` is what borrowers have paid and lost since day 0, by
    type, score band and item (`sim.borrower_money`).

    `watched` holds, ascending, the rows that may be in arrears: those past due at the end of
    the last repayment phase and those whose installment fell due in it. Days past due only
    grow in the repayment phase, on rows of `watched`, so it is a superset of the rows with
    `dpd > 0` at any moment, and phases search it instead of scanning every row.
    `due_calendar[day]` lists the rows given that `next_due` day by `schedule_due` (some may
    have been rescheduled or closed since; `due_on` filters them out). `court_calendar[day]`
    likewise lists the rows whose legal case `file_cases` set to be judged on `day` (a case
    withdrawn since has `legal_day` -1; `judged_on` filters them out).

    A new population has its columns but no people yet (no income, no cash, score 0):
    `sim.people.draw_people` gives rows their people, as the model does for every row at the
    start and for departing borrowers' rows later.
    """

    def __init__(self, config: ScenarioConfig, rng: np.random.Generator) -> None:
        n = config.run.borrowers
        self.n = n

        self.income = np.zeros(n, np.int64)
        self.kind = np.zeros(n, np.int8)
        self.cash = np.zeros(n, np.int64)
        self.pay_dom = rng.integers(0, DAYS_PER_MONTH, n).astype(np.int8)
        self.autopay = np.zeros(n, bool)
        self.opted_out = np.zeros(n, bool)
        self.aware = np.zeros(n, bool)
        self.jobless_until = np.full(n, NEVER, np.int32)
        self.ill_until = np.full(n, NEVER, np.int32)
        self.score = np.zeros(n, np.int16)
        self.score_anchor = np.zeros(n, np.int16)
        self.score_history = np.zeros(n, np.float32)
        self.shock_proneness = np.ones(n, np.float32)
        self.score_counts = np.zeros(SCORE_MAX + 1, np.int64)
        self.score_counts[0] = n
        self.stress = np.zeros(n, np.float32)
        self.stress_day = np.zeros(n, np.int32)
        self.contacts_week = np.zeros((WEEK, n), np.uint8)
        self.churned = np.zeros(n, np.uint8)
        self.cooldown_until = np.full(n, NEVER, np.int32)
        self.flag_day = np.full(n, NEVER, np.int32)
        self.generation = np.zeros(n, np.int32)
        self.life_digest = np.zeros(n, np.uint64)
        # Day of each slot's next candidate event (`sim.streams.next_candidate`; LATER: none
        # yet): departure, job loss, illness, need for a loan.
        self.next_leave = np.full(n, LATER, np.int32)
        self.next_job_loss = np.full(n, LATER, np.int32)
        self.next_illness = np.full(n, LATER, np.int32)
        self.next_need = np.full(n, LATER, np.int32)

        self.lender = np.full(n, -1, np.int8)
        self.status = np.zeros(n, np.int8)
        self.principal = np.zeros(n, np.int64)
        self.principal_due = np.zeros(n, np.int64)
        self.interest_due = np.zeros(n, np.int64)
        self.fees_due = np.zeros(n, np.int64)
        self.deferred_interest = np.zeros(n, np.int64)
        self.claim = np.zeros(n, np.int64)
        self.rate = np.zeros(n, np.float64)
        self.installment = np.zeros(n, np.int64)
        self.installments_left = np.zeros(n, np.int16)
        self.next_due = np.full(n, NEVER, np.int32)
        self.last_due = np.full(n, NEVER, np.int32)
        self.dpd = np.zeros(n, np.int32)
        self.worst_dpd = np.zeros(n, np.int32)
        self.deferral_until = np.full(n, NEVER, np.int32)
        self.deferrals_used = np.zeros(n, np.int8)
        self.deferral_asked_day = np.full(n, NEVER, np.int32)
        self.first_deferral_day = np.full(n, NEVER, np.int32)
        self.redefaulted = np.zeros(n, bool)
        self.strategic_default = np.zeros(n, bool)
        self.legal_day = np.full(n, -1, np.int32)
        self.garnish_until = np.full(n, NEVER, np.int32)
        self.chargeoff_day = np.full(n, NEVER, np.int32)
        self.origin_day = np.full(n, NEVER, np.int32)  # day the current loan was opened
        self.origin_score = np.zeros(n, np.int16)  # the borrower's score on that day
        self.forborne_since = np.full(n, NEVER, np.int32)
        self.forborne_dpd = np.zeros(n, np.int32)
        self.probation_start = np.full(n, NEVER, np.int32)
        self.default_until = np.full(n, NEVER, np.int32)
        self.loans_taken = np.zeros(n, np.int16)  # at most one loan a month: fits any run
        self.window_start = np.full(1, NEVER, np.int32)
        self.borrower_money = np.zeros((len(KIND_NAMES), len(SCORE_BAND_NAMES),
                                        len(MONEY_ITEMS)), np.int64)
        self.watched = np.zeros(0, np.int64)
        # Rows reported to the bureau in their current delinquency episode (ascending): a
        # partial payment that brings DPD back under the report point and past it again
        # does not report the episode twice; back to current, a new episode may be.
        self.reported_open = np.zeros(0, np.int64)
        self.due_calendar: defaultdict[int, list[np.ndarray]] = defaultdict(list)
        self.court_calendar: defaultdict[int, list[np.ndarray]] = defaultdict(list)

    @property
    def deferred_ever(self) -> np.ndarray:
        """Whether each row's loan has been deferred or put on a plan (bool)."""
        return self.first_deferral_day != NEVER

    @classmethod
    def bytes_per_row(cls) -> int:
        """Bytes one borrower takes over every column, measured from the columns' dtypes."""
        n = 2
        tiny = cls(ScenarioConfig(run=RunConfig(borrowers=n)), np.random.default_rng(0))
        return sum(value.nbytes // n for value in vars(tiny).values()
                   if isinstance(value, np.ndarray) and value.shape[-1] == n)

    def set_scores(self, rows: np.ndarray, scores: np.ndarray) -> None:
        """Give the borrowers `rows` the scores `scores` (see `set_score`)."""
        _set_scores(self.score, self.score_counts, np.asarray(rows, np.int64),
                    np.asarray(scores, np.int64))

    def schedule_due(self, rows: np.ndarray, day: int) -> None:
        """Set the next installment of loans `rows` due on `day`."""
        self.next_due[rows] = day
        if rows.size:
            self.due_calendar[day].append(rows.astype(np.int32))

    def due_on(self, day: int) -> np.ndarray:
        """Active loans with an installment due on `day`, ascending; clears that day's
        calendar entry (call once per day)."""
        filed = self.due_calendar.pop(day, None)
        if not filed:
            return np.zeros(0, np.int64)
        rows = union_rows(*filed)
        return rows[(self.next_due[rows] == day) & (self.status[rows] == ACTIVE)]

    def file_cases(self, rows: np.ndarray, judgment_day: int) -> None:
        """File legal cases against `rows`, to be judged on `judgment_day`."""
        self.legal_day[rows] = judgment_day
        if rows.size:
            self.court_calendar[judgment_day].append(rows.astype(np.int32))

    def judged_on(self, day: int) -> np.ndarray:
        """Rows whose case is judged on `day` (not withdrawn since it was filed), ascending;
        clears that day's calendar entry (call once per day)."""
        filed = self.court_calendar.pop(day, None)
        if not filed:
            return np.zeros(0, np.int64)
        rows = union_rows(*filed)
        return rows[self.legal_day[rows] == day]

    # --- derived views -------------------------------------------------------------------
    def past_due_rows(self) -> np.ndarray:
        """Rows with `dpd > 0` (active past-due loans and charged-off claims), ascending."""
        return self.watched[self.dpd[self.watched] > 0]

    def row(self, i: int) -> dict[str, object]:
        """All columns of borrower `i` as plain Python values (for inspection)."""
        out: dict[str, object] = {}
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray) and value.shape[-1] == self.n:
                out[name] = value[..., i].tolist() if value.ndim > 1 else value[i].item()
        return out


@njit(cache=True)
def dpd_bucket(dpd: np.ndarray) -> np.ndarray:
    """Collection bucket of accounts past due (dpd >= 1): 0 for 1-30, 1 for 31-60, 2 for
    61-90, 3 for 90 or more (the order of `sim.config.DPD_BUCKETS`). For an array or one
    value; compiled, so compiled code calls it too."""
    return np.minimum((dpd - 1) // DAYS_PER_MONTH, len(DPD_BUCKETS) - 1)


@njit(cache=True, inline="always")
def set_score(score: np.ndarray, score_counts: np.ndarray, i: int, new: int) -> None:
    """Give borrower `i` the score `new`, keeping the score histogram `score_counts` (the
    number of borrowers at each score) in step: the one place a score changes."""
    score_counts[score[i]] -= 1
    score[i] = new
    score_counts[new] += 1


@njit(cache=True)
def _set_scores(score: np.ndarray, score_counts: np.ndarray, rows: np.ndarray,
                scores: np.ndarray) -> None:
    for k in range(rows.size):
        set_score(score, score_counts, rows[k], scores[k])
