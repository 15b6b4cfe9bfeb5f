"""Expected credit loss (ECL): the allowance a lender holds against its open loans.

In the spirit of IFRS 9 and CECL, each active loan is placed in a stage by its state:

- stage 1, performing (current, 1-30 DPD): the loss expected from defaults within 12 months;
- stage 2, significant increase in credit risk (31-90 DPD, and every forborne loan): the loss
  expected over the loan's remaining life;
- stage 3, credit-impaired (90+ DPD): lifetime loss too (its default chance is near 1).

The chance of default from each state comes from the model's own monthly transition matrix
(`sim.transitions`): a Markov chain in which "charged off" and "paid off" absorb, so the 12-month
chance of default is the charged-off entry of the 12-step matrix and the lifetime chance its
limit. The loss given default is 1 minus the recovery rate observed on charge-offs. The
allowance is exposure (principal) x chance of default x loss given default, summed over states.
`docs/accounting.md` explains each measure.
"""

from __future__ import annotations

import numpy as np

from sim.population import BorrowerPopulation
from sim.transitions import ACTIVE_STATES, CHARGED_OFF_STATE, STATES, loan_states

STAGE_OF_STATE: tuple[int, ...] = (1, 1, 2, 2, 3, 2)
"""IFRS 9 stage of each of `ACTIVE_STATES` (current, 1-30, 31-60, 61-90, 90+, forborne)."""
TWELVE_MONTHS = 12
LIFETIME_MONTHS = 240
"""Steps of the chain taken as a loan's whole life (far beyond any term: the chain has
absorbed by then)."""


def book_by_state(pop: BorrowerPopulation) -> np.ndarray:
    """Principal of active loans in each of `ACTIVE_STATES`, in cents (int64)."""
    states = loan_states(pop.status, pop.dpd, pop.forborne_since)
    active = np.flatnonzero((states >= 0) & (states < len(ACTIVE_STATES)))
    return np.bincount(states[active], weights=pop.principal[active],
                       minlength=len(ACTIVE_STATES)).astype(np.int64)


def transition_matrix(counts: np.ndarray) -> np.ndarray:
    """The monthly Markov matrix over `STATES` (8 x 8) from transition counts (6 x 8):
    charged off and paid off absorb. An active state never observed as an origin takes the
    row of the nearest worse state that was observed (a forborne loan: the row of 31-60 DPD
    or worse), and with none observed defaults at once, so no state is treated as riskless
    for lack of data."""
    n_active, n = len(ACTIVE_STATES), len(STATES)
    matrix = np.zeros((n, n))
    observed = counts.sum(axis=1) > 0
    dpd_states = ACTIVE_STATES.index("forborne")
    for s in range(n_active):
        source = s
        if not observed[s]:
            first = s + 1 if s < dpd_states else ACTIVE_STATES.index("dpd_31_60")
            worse = [t for t in range(first, dpd_states) if observed[t]]
            source = worse[0] if worse else -1
        if source >= 0:
            matrix[s] = counts[source] / counts[source].sum()
        else:  # nothing to go by: the loan stays where it is, then defaults at once
            matrix[s, CHARGED_OFF_STATE] = 1.0
    matrix[n_active:, :] = 0.0
    for absorbing in range(n_active, n):
        matrix[absorbing, absorbing] = 1.0
    return matrix


def default_probabilities(counts: np.ndarray, months: int) -> np.ndarray:
    """Chance that a loan in each of `ACTIVE_STATES` is charged off within `months` months."""
    steps = np.linalg.matrix_power(transition_matrix(counts), months)
    return steps[: len(ACTIVE_STATES), CHARGED_OFF_STATE]


def expected_credit_loss(book: np.ndarray, counts: np.ndarray, loss_given_default: float
                         ) -> float:
    """The allowance for a book (principal by `ACTIVE_STATES`, any unit) in the same unit:
    12-month ECL for stage 1, lifetime ECL for stages 2 and 3 (see the module docstring)."""
    twelve = default_probabilities(counts, TWELVE_MONTHS)
    lifetime = default_probabilities(counts, LIFETIME_MONTHS)
    pd_by_state = np.where(np.asarray(STAGE_OF_STATE) == 1, twelve, lifetime)
    return float(np.dot(np.asarray(book, float), pd_by_state) * loss_given_default)


def loss_given_default(charged_off: float, recovered: float) -> float:
    """1 minus the recovery rate observed on charged-off principal (1 with no charge-off yet),
    kept within 0-1."""
    if charged_off <= 0:
        return 1.0
    return float(np.clip(1.0 - recovered / charged_off, 0.0, 1.0))
