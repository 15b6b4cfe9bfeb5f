"""Classroom presets: their shape and texts, the two-borrower case study step by step, and
every expected result the lesson guide (docs/classroom.md) quotes, in both languages, from
runs of the same presets and seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.config import LANGUAGES
from sim.model import CreditMarket
from sim.presets import load_preset, presets

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "classroom.md"
LESSONS = ["collection_ladder", "hardship_vs_strategic", "shock", "reminders", "two_borrowers"]
"""The presets in the guide's order (section 1 to 5)."""


def run(name: str, policy: str | None = None, overrides: tuple[str, ...] = ()) -> CreditMarket:
    market = CreditMarket(load_preset(f"classroom/{name}", list(overrides), policy),
                          collect=False)
    market.run_days()
    return market


def guide_sections(number: int) -> dict[str, str]:
    """Section `number` of the guide, in English and in Chinese."""
    text = GUIDE.read_text(encoding="utf-8")
    english, chinese = text.split("# 课堂指南（中文）")
    out = {}
    for language, part in (("en", english), ("zh-CN", chinese)):
        found = re.search(rf"^## {number}\. .*?(?=^## |\Z)", part, flags=re.S | re.M)
        assert found, f"section {number} missing from the {language} guide"
        out[language] = found.group(0)
    return out


def assert_quoted(number: int, values: list[object]) -> None:
    """Each value appears in bold in section `number` of both languages of the guide."""
    for language, section in guide_sections(number).items():
        for value in values:
            shown = f"{value:,}" if isinstance(value, int) else str(value)
            assert f"**{shown}**" in section, f"guide section {number} ({language}) should " \
                f"quote **{shown}** (the run gives it)"


def test_every_classroom_preset_is_small_explained_and_listed():
    listed = presets()
    for name in LESSONS:
        assert f"classroom/{name}" in listed
        config = load_preset(f"classroom/{name}")
        assert 200 <= config.run.borrowers <= 1000
        assert config.lending.lenders == 1 and config.collection.collectors_per_lender == 2
        assert 365 <= config.run.days <= 730
        for language in LANGUAGES:
            text = config.lesson[language]
            assert text.title and text.goal and len(text.explanation) > 100
        assert f"`classroom/{name}`" in GUIDE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def case_study():
    market = run("two_borrowers")
    story = market.tracker.frame()
    names = {name: row for row, name in market.cast.names.items()}
    return market, {name: story[story["borrower"] == row].set_index("day")
                    for name, row in names.items()}


def days_with(story, column: str, event: str) -> list[int]:
    return [day for day, text in story[column].items() if event in text.split(",")]


def test_two_borrowers_start_alike_and_fall_ill_together(case_study):
    market, stories = case_study
    li, wang = stories["Li Na"], stories["Wang Fang"]
    assert set(stories) == {"Li Na", "Wang Fang"}
    same = ["cash", "income", "score", "has_loan", "ill", "jobless"]
    assert li.loc[:99, same].equals(wang.loc[:99, same])  # the same record before day 100
    assert days_with(li, "events", "loan_approved")[0] == 0
    assert days_with(wang, "events", "loan_approved")[0] == 0
    for story in (li, wang):
        assert story.loc[100, "ill"] and story.loc[100, "jobless"]
        assert not story.loc[99, "ill"] and not story.loc[200, "jobless"]


def test_li_na_asks_gets_three_months_recovers_repays_and_keeps_a_good_score(case_study):
    market, stories = case_study
    li = stories["Li Na"]
    assert days_with(li, "events", "deferral_asked") == [100]
    assert days_with(li, "events", "deferral_granted") == [100]
    paused = li.index[li["in_deferral"]]
    assert paused.min() == 100 and paused.max() - paused.min() + 1 == 90  # three months
    assert not li["jobless"].loc[paused.max():].any()  # back at work when payments resume
    assert li["dpd"].max() == 0 and not days_with(li, "reports", "missed")
    assert not days_with(li, "reports", "reported")
    first_loan_closed = li.index[(li["loans_taken"] == 1) & ~li["has_loan"]].min()
    assert first_loan_closed < 500 and not li.loc[first_loan_closed, "charged_off"]
    assert li["score"].min() >= 700 and li.loc[500, "score"] == 724
    assert days_with(li, "events", "loan_approved")[1] == 500


def test_wang_fang_does_not_ask_falls_behind_is_reported_and_is_later_refused(case_study):
    market, stories = case_study
    wang = stories["Wang Fang"]
    assert not days_with(wang, "events", "deferral_asked")
    assert not wang["in_deferral"].any()
    assert len(days_with(wang, "reports", "missed")) == 3
    assert wang["dpd"].max() >= market.config.bureau.report_dpd
    reported = days_with(wang, "reports", "reported")
    assert reported == [150]  # one late episode, reported once
    assert wang.loc[reported[0] + market.config.bureau.reporting_delay_days + 1, "score"] \
        < wang.loc[reported[0], "score"]
    assert days_with(wang, "events", "loan_refused_bureau_flag") == [500]
    assert wang.loc[500, "score"] == 632 and not wang.loc[500:, "has_loan"].any()
    assert_quoted(5, [reported[0], 724, 632])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("sick_days", [45, 60, 75])
def test_the_case_holds_for_other_seeds_and_shock_lengths(seed, sick_days):
    """Li Na gets her second loan and Wang Fang is refused on day 500, Wang Fang's episode is
    reported once, whatever the market's seed and however long the illness and the job loss
    (the job loss lasting 15 days longer than the illness, as in the case)."""
    overrides = (f"run.seed={seed}",)
    config = load_preset("classroom/two_borrowers", list(overrides), None)
    cast = [member.model_copy(update={"illness_days": sick_days,
                                      "job_loss_days": sick_days + 15})
            for member in config.cast]
    market = CreditMarket(config.model_copy(update={"cast": cast}), collect=False)
    market.run_days()
    story = market.tracker.frame()
    names = {name: row for row, name in market.cast.names.items()}
    li = story[story["borrower"] == names["Li Na"]].set_index("day")
    wang = story[story["borrower"] == names["Wang Fang"]].set_index("day")
    assert days_with(li, "events", "loan_approved")[1:] == [500]
    assert days_with(wang, "events", "loan_refused_bureau_flag") == [500]
    assert len(days_with(wang, "reports", "reported")) == 1


def test_guide_ladder_exercise():
    market = run("collection_ladder")
    last = market.metrics.frame().iloc[-1]
    contacts, legal, recovered = (round(last[c]) for c in
                                  ("collection_cost_cum", "legal_cost_cum", "recoveries_cum"))
    enforced, judged = market.totals["legal_enforced"], market.totals["legal_judgments"]
    assert contacts + legal > recovered and enforced < judged  # what the guide concludes
    assert_quoted(1, [contacts, legal, recovered])


def test_guide_hardship_vs_strategic_exercise():
    strict, lenient = (run("hardship_vs_strategic", p).totals for p in ("strict", "lenient"))
    assert lenient["missed_hardship"] < strict["missed_hardship"]
    assert lenient["missed_strategic"] > strict["missed_strategic"]
    assert 0 < lenient["deferrals_granted_ineligible"] < lenient["deferrals_granted"]
    assert_quoted(2, [strict["missed_hardship"], lenient["missed_hardship"],
                      strict["missed_strategic"], lenient["missed_strategic"],
                      lenient["deferrals_granted"], lenient["deferrals_granted_ineligible"],
                      strict["defaults"], lenient["defaults"]])


def test_guide_shock_exercise():
    quoted = []
    for policy in ("strict", "lenient"):
        market = run("shock", policy)
        frame = market.metrics.frame()
        last = frame.iloc[-1]
        quoted.append((market.totals["defaults"], market.totals["deferrals_granted"],
                       round(last["collection_cost_cum"]), round(last["complaints_cum"]),
                       f"{100 * frame['dpd30_share'].max():.1f}"))
    (s_def, _, s_cost, s_comp, s_peak), (l_def, l_granted, l_cost, l_comp, l_peak) = quoted
    assert l_def < s_def and l_cost < s_cost and l_comp < s_comp
    assert float(l_peak) < float(s_peak)  # re-aged loans are forborne, not delinquent
    assert_quoted(3, [s_def, l_def, l_granted, s_cost, l_cost, s_comp, l_comp, s_peak, l_peak])


def test_guide_reminders_exercise():
    without = run("reminders").totals
    with_sms = run("reminders", overrides=('collection.reminder_channel="sms"',)).totals
    assert with_sms["missed_forgetful"] < 0.5 * without["missed_forgetful"]
    assert without["reminders"] == 0
    assert_quoted(4, [without["missed_forgetful"], with_sms["missed_forgetful"],
                      with_sms["reminders"]])


def test_a_cast_member_without_a_script_meets_no_random_event(tmp_path):
    # Shocks, turnover and loan needs so frequent that every other borrower meets them.
    config = load_preset("classroom/two_borrowers", [
        "shocks.job_loss_rate=20.0", "shocks.illness_rate=20.0", "borrowers.turnover_rate=20.0",
        "run.days=120"])
    unscripted = config.cast[0].model_copy(
        update={"illness_day": -1, "job_loss_day": -1, "loan_days": []})
    config = config.model_copy(update={"cast": [unscripted, *config.cast[1:]]})
    market = CreditMarket(config, collect=False)
    market.run_days()
    story = market.tracker.frame(0)
    assert not story["ill"].any() and not story["jobless"].any()
    assert (story["loans_taken"] == 0).all() and (story["income"] == 6000.0).all()
    assert market.totals["borrowers_replaced"] > 100 and market.totals["originations"] > 50
    assert market.population.jobless_until[2:].max() > 0  # the others do lose their jobs


def test_lesson_and_cast_survive_the_results_folder_round_trip(tmp_path):
    from sim.params_doc import render_toml
    from sim.scenario import load_scenario

    config = load_preset("classroom/two_borrowers")
    path = tmp_path / "config.toml"
    path.write_text(render_toml(config), encoding="utf-8")
    assert load_scenario(path) == config
