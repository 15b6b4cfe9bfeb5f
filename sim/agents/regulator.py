"""The regulator: reviews complaints about each lender's collection and sanctions the worst."""

from __future__ import annotations

import math

import mesa

from sim.units import to_cents


class Regulator(mesa.Agent):
    """A regulator that, every `regulation.period_days`, compares the complaints about each
    lender in the period with `regulation.complaint_threshold_per_1000` per 1,000 of its
    accounts (active loans and open claims) on the period's average day, so a book that
    shrinks (a run-off) or grows does not move the threshold;
    above it, the lender pays `penalty_per_excess_complaint` per complaint over the threshold
    and its contacts are capped at `restricted_max_contacts_per_7_days` for
    `restriction_days`.

    Attributes:
        sanctions: sanctions imposed since the start.
    """

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.sanctions = 0

    def review(self) -> None:
        """Review every lender's complaints since the last review and sanction those above
        the threshold; the count of complaints starts afresh."""
        model = self.model
        rules = model.config.regulation
        for lender in model.lender_list:
            complaints, lender.complaints_period = lender.complaints_period, 0
            account_days, days = lender.account_days_period, lender.days_period
            lender.account_days_period = lender.days_period = 0
            if not rules.enabled or days == 0:
                continue
            accounts = account_days / days
            excess = complaints - rules.complaint_threshold_per_1000 * accounts / 1000
            if excess <= 0:
                continue
            fine = to_cents(rules.penalty_per_excess_complaint) * math.ceil(excess)
            lender.ledger.pay_penalty(fine)
            model.flows["penalties"] += fine
            lender.restricted_until = model.day + rules.restriction_days
            model.events["regulatory_sanctions"] += 1
            self.sanctions += 1
