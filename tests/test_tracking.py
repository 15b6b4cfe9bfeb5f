"""Borrower tracking records each tracked borrower's day, agrees with the model's own counts,
and does not change the run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model import CreditMarket
from tests.helpers import make_config

CONFIG = dict(borrowers=800, days=300, shocks__job_loss_rate=0.6, deferral__enabled=True)


def test_tracking_does_not_change_the_run_and_records_every_day():
    plain = CreditMarket(make_config(**CONFIG))
    plain.run_days()
    tracked = CreditMarket(make_config(**CONFIG))
    tracker = tracked.track(np.arange(0, 800, 4))
    tracked.run_days()
    pd.testing.assert_frame_equal(plain.metrics.frame(), tracked.metrics.frame())
    story = tracker.frame()
    assert len(story) == 300 * 200
    one = tracker.frame(8)
    assert one["day"].tolist() == list(range(300)) and (one["borrower"] == 8).all()


def test_stories_agree_with_the_columns_and_the_counts():
    model = CreditMarket(make_config(**CONFIG))
    tracker = model.track(np.arange(800))  # everyone: the stories must add up to the totals
    model.run_days()
    story = tracker.frame()
    for channel in ("app", "sms", "letter", "phone"):
        assert story[f"contacts_{channel}"].sum() == model.totals[f"contacts_{channel}"]
    assert story["contacts_reminder"].sum() == model.totals["reminders"]
    assert len(tracker.reports) == sum(model.bureau.reports.values())
    last = story[story["day"] == 299].set_index("borrower")
    pop = model.population
    assert (last["score"].to_numpy() == pop.score).all()
    assert (last["dpd"].to_numpy() == pop.dpd).all()
    # a missed installment is reported on its due day (the loan may end later that day, when
    # a contact prompts the borrower to pay everything)
    missed = {(d, r) for d, r, e in tracker.reports if e == "missed"}
    due = story[story["due_today"] | ~story["has_loan"]]
    assert missed and missed <= set(zip(due["day"], due["borrower"], strict=True))
