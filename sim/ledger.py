"""A lender's books in integer cents, and the identities they must satisfy every day.

Every movement of a lender's cash goes through one `Ledger` method, which updates the cash and
the matching cumulative account together. `check` then verifies, against the borrower columns:

    cash = capital - disbursed + principal_repaid + interest_income + fee_income
           + recoveries - collection_cost - legal_cost - staff_cost - regulatory_cost
    disbursed = principal_repaid + principal_outstanding + charged_off_principal

Interest and fees are income when received (cash basis); unpaid interest written off at a
charge-off or waived at a deferral was never income, so it is not a loss either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config import CHANNELS


class AccountingError(AssertionError):
    """An accounting identity failed: a bug in the model, never a user error."""


@dataclass
class Ledger:
    """Cumulative accounts of one lender, in cents."""

    capital: int
    cash: int = 0
    disbursed: int = 0
    principal_repaid: int = 0
    interest_income: int = 0
    fee_income: int = 0
    recoveries: int = 0
    sale_proceeds: int = 0
    legacy_recoveries: int = 0
    charged_off_principal: int = 0
    collection_cost: int = 0
    legal_cost: int = 0
    staff_cost: int = 0
    regulatory_cost: int = 0
    interest_waived: int = 0
    fees_waived: int = 0
    interest_fees_charged_off: int = 0
    cost_by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))

    def __post_init__(self) -> None:
        self.cash = self.capital

    def disburse(self, amount: int) -> None:
        """Cash out for new loans."""
        self.disbursed += amount
        self.cash -= amount

    def receive_payment(self, principal: int, interest: int, fees: int) -> None:
        """Cash in from installments on active loans, split by what they paid."""
        self.principal_repaid += principal
        self.interest_income += interest
        self.fee_income += fees
        self.cash += principal + interest + fees

    def receive_recovery(self, amount: int, sale: bool = False, legacy: int = 0) -> None:
        """Cash in on charged-off loans (a debt sale counts as a recovery); `legacy` of it on
        claims charged off before the measured window began."""
        self.recoveries += amount
        self.legacy_recoveries += legacy
        if sale:
            self.sale_proceeds += amount
        self.cash += amount

    def charge_off(self, principal: int, interest_fees: int = 0) -> None:
        """Principal written off, and the unpaid interest and fees that go into the claim
        with it (never income, so no loss in these books; counted as income forgone in the
        lifetime net loss). No cash moves."""
        self.charged_off_principal += principal
        self.interest_fees_charged_off += interest_fees

    def pay_contact_cost(self, channel: str, amount: int) -> None:
        """Cash out for contact attempts (reminders and collection) on one channel."""
        self.cost_by_channel[channel] += amount
        self.collection_cost += amount
        self.cash -= amount

    def pay_legal_cost(self, amount: int) -> None:
        """Cash out for legal cases filed."""
        self.legal_cost += amount
        self.cash -= amount

    def pay_staff_cost(self, amount: int) -> None:
        """Cash out for hiring collectors."""
        self.staff_cost += amount
        self.cash -= amount

    def pay_penalty(self, amount: int) -> None:
        """Cash out for a regulator's fine."""
        self.regulatory_cost += amount
        self.cash -= amount

    def waive(self, interest: int, fees: int) -> None:
        """Past-due interest and fees forgiven at a deferral (no cash moves)."""
        self.interest_waived += interest
        self.fees_waived += fees

    @property
    def outstanding(self) -> int:
        """Principal of active loans by the books, in cents (disbursed less repaid less
        charged off); `check` verifies it against the borrower columns."""
        return self.disbursed - self.principal_repaid - self.charged_off_principal

    @property
    def bad_debt_loss(self) -> int:
        """Charged-off principal net of recoveries, in cents."""
        return self.charged_off_principal - self.recoveries

    @property
    def profit(self) -> int:
        """Income less losses and costs, in cents (cash basis)."""
        return (self.interest_income + self.fee_income - self.bad_debt_loss
                - self.collection_cost - self.legal_cost - self.staff_cost
                - self.regulatory_cost)

    def check(self, outstanding: int, name: str = "lender") -> None:
        """Raise AccountingError if an identity fails; `outstanding` is the principal of this
        lender's active loans summed from the borrower columns."""
        expected_cash = (self.capital - self.disbursed + self.principal_repaid
                         + self.interest_income + self.fee_income + self.recoveries
                         - self.collection_cost - self.legal_cost - self.staff_cost
                         - self.regulatory_cost)
        if self.cash != expected_cash:
            raise AccountingError(f"{name}: cash {self.cash} != flows {expected_cash} (cents)")
        if self.collection_cost != sum(self.cost_by_channel.values()):
            raise AccountingError(f"{name}: collection cost differs from the sum by channel")
        accounted = self.principal_repaid + outstanding + self.charged_off_principal
        if self.disbursed != accounted:
            raise AccountingError(
                f"{name}: disbursed {self.disbursed} != repaid + outstanding + charged off "
                f"{accounted} (cents)")
