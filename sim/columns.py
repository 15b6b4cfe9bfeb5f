"""The borrower columns handed to compiled code, as one named tuple of arrays.

numba compiles loops over borrower rows (`sim.payments`, `sim.contacts`,
`sim.phases.collection`); they take this tuple instead of the population object. Its arrays
are the population's own (changed in place, never replaced), so a write through it is a write
to the population.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from sim.population import BorrowerPopulation
    from sim.transitions import TransitionRecorder


class Columns(NamedTuple):
    """Views of `BorrowerPopulation` columns (see there for meanings and units) and of the
    transition recorder's `ended`."""

    cash: np.ndarray
    kind: np.ndarray
    jobless_until: np.ndarray
    ill_until: np.ndarray
    status: np.ndarray
    lender: np.ndarray
    claim: np.ndarray
    fees_due: np.ndarray
    interest_due: np.ndarray
    principal_due: np.ndarray
    principal: np.ndarray
    deferred_interest: np.ndarray
    installment: np.ndarray
    rate: np.ndarray
    last_due: np.ndarray
    next_due: np.ndarray
    installments_left: np.ndarray
    dpd: np.ndarray
    worst_dpd: np.ndarray
    deferral_until: np.ndarray
    strategic_default: np.ndarray
    legal_day: np.ndarray
    cooldown_until: np.ndarray
    stress: np.ndarray
    stress_day: np.ndarray
    aware: np.ndarray
    opted_out: np.ndarray
    autopay: np.ndarray
    churned: np.ndarray
    contacts_week: np.ndarray
    ended: np.ndarray

    @classmethod
    def of(cls, pop: BorrowerPopulation, transitions: TransitionRecorder) -> Columns:
        """The columns of `pop`, and `transitions.ended`."""
        return cls(*(transitions.ended if name == "ended" else getattr(pop, name)
                     for name in cls._fields))
