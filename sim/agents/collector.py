"""Collectors: contact delinquent accounts of one lender within a daily capacity."""

from __future__ import annotations

import mesa


class Collector(mesa.Agent):
    """A collector working one lender's delinquent accounts.

    Attributes:
        lender_index: the lender whose accounts this collector works.
        slot: position among that lender's collectors; account i is in this collector's
            caseload when i % collectors_per_lender == slot.
        capacity: capacity-using contact attempts per day (calls, letters).
        used_today: attempts already made today.
        contacts_total: attempts made since the start, by channel.
    """

    def __init__(self, model: mesa.Model, lender_index: int, slot: int, capacity: int) -> None:
        super().__init__(model)
        self.lender_index = lender_index
        self.slot = slot
        self.capacity = capacity
        self.used_today = 0
        self.contacts_total: dict[str, int] = {}

    def take(self, attempts: int, channel: str) -> None:
        """Use capacity for `attempts` attempts on `channel` (the collection phase keeps only
        as many as fit in what is left of today's capacity)."""
        self.used_today += attempts
        self.contacts_total[channel] = self.contacts_total.get(channel, 0) + attempts
