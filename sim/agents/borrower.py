"""Borrower: a read-only Mesa agent view of one row of the borrower population."""

from __future__ import annotations

import mesa

from sim.population import KIND_NAMES


class Borrower(mesa.Agent):
    """One borrower, seen through the numpy columns of `model.population`.

    The model never steps borrowers one by one; this view exists for inspection, dashboards
    and teaching. Attributes read the live columns, so a view is always up to date.
    """

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    def _col(self, name: str):
        return getattr(self.model.population, name)[self.row].item()

    @property
    def kind(self) -> str:
        """Behavioural type: regular, hardship, strategic or forgetful."""
        return KIND_NAMES[self._col("kind")]

    @property
    def score(self) -> int:
        """Bureau score, 350-950."""
        return self._col("score")

    @property
    def cash(self) -> float:
        """Liquidity, in currency units."""
        return self._col("cash") / 100

    @property
    def dpd(self) -> int:
        """Days past due on the current loan (0 if none or current)."""
        return self._col("dpd")

    @property
    def principal(self) -> float:
        """Outstanding principal of the active loan, in currency units."""
        return self._col("principal") / 100

    def snapshot(self) -> dict[str, object]:
        """Every column of this borrower's row."""
        return self.model.population.row(self.row)
