"""Mesa agents: lenders, collectors and the regulator (few, ordinary agents) and borrower views
(one row each)."""

from sim.agents.borrower import Borrower
from sim.agents.collector import Collector
from sim.agents.lender import REJECTION_REASONS, Lender
from sim.agents.regulator import Regulator

__all__ = ["REJECTION_REASONS", "Borrower", "Collector", "Lender", "Regulator"]
