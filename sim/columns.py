"""The borrower columns handed to compiled code, as one numba structure of arrays.

numba compiles loops over borrower rows (`sim.loans`, `sim.contacts`, `sim.totals` and the
collection and repayment phases); they take this structure instead of the population object.
Its arrays are the population's own (changed in place, never replaced), so a write through it
is a write to the population.

It is a numba `StructRef` (one reference-counted object) rather than a tuple of arrays: a
compiled helper that receives a tuple pays a reference-count update for every array in it at
every call, which made the per-row helpers several times slower than the arithmetic they do.

It also holds the run's decision key (`col.key`, `sim.streams.decision_key`): compiled code
draws every decision as `uniform(col.key, row, day, purpose)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit, types
from numba.experimental import structref

if TYPE_CHECKING:
    from sim.population import BorrowerPopulation
    from sim.transitions import TransitionRecorder

FIELDS: tuple[str, ...] = (
    "cash", "income", "kind", "jobless_until", "ill_until", "status", "lender", "claim", "fees_due",
    "interest_due", "principal_due", "principal", "deferred_interest", "installment", "rate",
    "last_due", "next_due", "installments_left", "dpd", "worst_dpd", "deferral_until",
    "strategic_default", "legal_day", "garnish_until", "cooldown_until", "stress", "stress_day",
    "aware", "opted_out", "autopay", "churned", "contacts_week", "score", "score_anchor",
    "score_history", "score_counts", "shock_proneness", "flag_day",
    "loans_taken", "chargeoff_day", "deferral_asked_day", "deferrals_used",
    "first_deferral_day", "redefaulted", "generation", "life_digest", "forborne_since",
    "forborne_dpd", "probation_start", "default_until", "window_start", "borrower_money",
    "next_leave", "next_job_loss", "next_illness", "next_need",
    "ended", "key",
)
"""Columns of `BorrowerPopulation` (see there for meanings and units), the transition
recorder's `ended`, and the run's decision key `key`."""


@structref.register
class ColumnsType(types.StructRef):
    """The numba type of `Columns`."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class Columns(structref.StructRefProxy):
    """The arrays of `FIELDS`, for compiled code (`col.cash[i]` and so on)."""

    @classmethod
    def of(cls, pop: BorrowerPopulation, transitions: TransitionRecorder,
           key: np.uint64) -> Columns:
        """The columns of `pop`, `transitions.ended` and the decision key `key`."""
        extra = {"ended": transitions.ended, "key": np.uint64(key)}
        return _make(*(extra[name] if name in extra else getattr(pop, name)
                       for name in FIELDS))


structref.define_proxy(Columns, ColumnsType, list(FIELDS))


@njit(cache=True)
def _make(*arrays):
    return Columns(*arrays)
