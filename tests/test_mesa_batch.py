"""Mesa as Mesa users expect: `running` turns False after `run.days`, `mesa.batch_run`
takes dotted scenario keys (and a scenario file) as parameters and returns flat columns,
and lenders report agent variables."""

from __future__ import annotations

import re
from pathlib import Path

import mesa
import pandas as pd
import pytest

from sim.agents import Lender
from sim.model import CreditMarket
from sim.scenario import ScenarioError

SMALL = {"run.borrowers": 300, "run.days": 30}
LENDER_VARIABLES = ["book", "cash", "equity", "capital_ratio", "loans", "approvals",
                    "min_score", "collectors"]


def test_run_model_stops_after_run_days():
    market = CreditMarket(**SMALL)
    market.run_model()
    assert market.steps == 30 and not market.running
    assert market.metrics.rows == 30


def test_batch_run_over_two_dotted_keys_and_two_seeds():
    results = mesa.batch_run(
        CreditMarket,
        parameters={**SMALL, "deferral.mode": ["extend", "rate_cut"],
                    "collection.max_contacts_per_7_days": [3, 7]},
        rng=[1, 2], max_steps=1000, number_processes=1, data_collection_period=-1,
        display_progress=False)
    frame = pd.DataFrame(results)
    assert frame["RunId"].nunique() == 8
    runs = frame.drop_duplicates("RunId")
    assert (runs["Step"] == 30).all()
    assert set(runs["deferral.mode"]) == {"extend", "rate_cut"}
    assert set(runs["collection.max_contacts_per_7_days"]) == {3, 7}
    assert set(runs["rng"]) == {1, 2}
    assert len(runs.groupby(["deferral.mode", "collection.max_contacts_per_7_days",
                             "rng"])) == 8
    for column in ("deferral.mode", "collection.max_contacts_per_7_days", "run.borrowers",
                   "originations", *LENDER_VARIABLES):
        assert all(isinstance(v, str | int | float) for v in frame[column]), column
    # the two seeds give two markets; the same seed and settings, the same market
    again = CreditMarket(**SMALL, rng=1, **{"deferral.mode": "extend",
                                           "collection.max_contacts_per_7_days": 3})
    again.run_model()
    first = runs[(runs["rng"] == 1) & (runs["deferral.mode"] == "extend")
                 & (runs["collection.max_contacts_per_7_days"] == 3)].iloc[0]
    assert first["originations"] == again.metrics.latest["originations"]
    assert first["book"] == again.lender_list[0].ledger.outstanding / 100
    assert runs.groupby("rng")["book"].sum().nunique() == 2


def test_batch_run_every_day_and_a_scenario_file():
    results = mesa.batch_run(
        CreditMarket, parameters={"scenario": "scenarios/lenient.toml", **SMALL,
                                  "lending.lenders": 2},
        rng=[5], data_collection_period=1, display_progress=False)
    frame = pd.DataFrame(results)
    assert sorted(frame["Step"].unique()) == list(range(1, 31))
    assert len(frame) == 30 * 2  # a row per day and lender
    assert (frame["scenario"] == "scenarios/lenient.toml").all()


def test_lenders_report_agent_variables():
    market = CreditMarket(**SMALL)
    market.run_model()
    agents = market.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == LENDER_VARIABLES
    assert len(agents) == 30
    assert agents["approvals"].sum() == market.totals["originations"]
    assert agents["loans"].iloc[-1] == market.active_loans()
    assert agents.equals(market.datacollector.get_agenttype_vars_dataframe(Lender))


def test_a_bad_dotted_key_names_it():
    with pytest.raises(ScenarioError, match="deferral.mood"):
        CreditMarket(**SMALL, **{"deferral.mood": "extend"})
    with pytest.raises(ScenarioError, match="not both"):
        CreditMarket(CreditMarket().config, scenario="scenarios/lenient.toml")


def test_the_readme_example_runs(capsys):
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.+?)\n```", text, flags=re.S)
              if "batch_run" in b]
    assert len(blocks) == 1
    exec(compile(blocks[0], "README.md", "exec"), {})  # noqa: S102
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 + 8 and "rate_cut" in lines[-1]
