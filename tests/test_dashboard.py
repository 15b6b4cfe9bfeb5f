"""The dashboard without a browser: render the page, step, reset, move controls, switch a
preset, reject a bad seed with the schema's message; one model per session. And the offline
assets command, with a stand-in for npm."""

from __future__ import annotations

import os
import re
import stat
import tarfile
from pathlib import Path

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from sim.dashboard.app import MODEL_PARAMS, DashboardModel, Page, presets
from sim.dashboard.assets import AssetsError, fill_cache, required_packages


def render():
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    return box, rc


def status_text(box) -> str:
    """Everything the page shows as text (the status card's Markdown, any error), read from
    the rendered widget tree."""
    return repr(box).replace("\\n", " ")


def on_day(box, day: int) -> bool:
    """Whether the status card says the market is on `day`."""
    return re.search(rf"day {day}\b", status_text(box)) is not None


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def control(rc, label: str):
    return rc.find(v.Slider, label=label).widget


def test_step_and_reset_move_the_day_and_draw_the_plots():
    box, rc = render()
    assert on_day(box, 0)
    for _ in range(3):
        click(rc, "Step")
    assert on_day(box, 3)
    # the borrower timeline, five time-series figures and the score histogram
    assert len(rc.find(widgets.Image).widgets) == 7
    click(rc, "Reset")
    assert on_day(box, 0)


def test_a_slider_and_a_preset_take_effect_on_reset():
    box, rc = render()
    assert "1,000 borrowers" in status_text(box)
    control(rc, "Borrowers").v_model = 2500
    rc.find(v.Select, label="Scenario preset").widget.v_model = "strict"
    click(rc, "Reset")
    text = status_text(box)
    assert "2,500 borrowers" in text and "Strict collection" in text


def test_a_bad_seed_shows_the_message_and_keeps_the_last_good_model():
    box, rc = render()
    click(rc, "Step")
    click(rc, "Step")
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "abc"
    seed.fire_event("keyup.enter", None)  # the box takes its value on Enter or leaving it
    click(rc, "Reset")
    text = status_text(box)
    assert "Not applied" in text and "not a whole number" in text
    assert on_day(box, 2)  # the last good model goes on where it was
    click(rc, "Step")
    assert on_day(box, 3) and "seed 1," in status_text(box)


def test_each_session_has_its_own_model():
    first_box, first = render()
    second_box, _ = render()
    click(first, "Step")
    click(first, "Step")
    assert on_day(first_box, 2) and on_day(second_box, 0)


def test_presets_and_controls_map_to_the_schema():
    names = presets()
    assert {"baseline", "strict", "lenient"} <= set(names)
    assert not any(n.startswith(("compare/", "validation/", "calibration/")) for n in names)
    session = type("SessionModel", (DashboardModel,), {})  # as Page makes one per session
    model = session(preset="lenient", seed="5", borrowers=300, contact_cap=3,
                    chargeoff_dpd=MODEL_PARAMS["chargeoff_dpd"]["value"])
    config = model.markets["lenient"].config
    assert config.run.borrowers == 300 and config.run.seed == 5
    assert config.collection.max_contacts_per_7_days == 3
    assert config.deferral.enabled  # the preset's own value: the slider was not moved
    model.step()
    bad = session(preset="baseline", borrowers=300, chargeoff_dpd=0)
    assert "chargeoff.dpd" in bad.input_error
    assert bad.markets is model.markets and bad.day == 1


def test_side_by_side_runs_strict_and_lenient_on_the_same_seed_and_draws_differences():
    box, rc = render()
    rc.find(v.Select, label=MODEL_PARAMS["mode"]["label"]).widget.v_model = "side_by_side"
    click(rc, "Reset")
    for _ in range(3):
        click(rc, "Step")
    text = status_text(box)
    assert "Strict collection" in text and "Lenient" in text
    assert len(re.findall(r"seed 1, day 3\b", text)) == 2
    # the differences, two borrower timelines, two columns for each time-series figure, and
    # the score histograms
    assert len(rc.find(widgets.Image).widgets) == 1 + 2 + 2 * 5 + 1


def test_the_inspector_redraws_the_chosen_borrowers_story():
    box, rc = render()
    for _ in range(3):
        click(rc, "Step")
    slider = rc.find(v.Slider, label="Borrower to inspect").widget
    before = {bytes(w.value) for w in rc.find(widgets.Image).widgets}
    slider.v_model = 7
    after = {bytes(w.value) for w in rc.find(widgets.Image).widgets}
    assert len(after - before) == 1  # only the timeline changed
    slider.v_model = 700  # not followed yet: followed from today
    assert "followed from day 3" in status_text(box)
    click(rc, "Step")
    click(rc, "Step")
    assert len(rc.find(widgets.Image).widgets) == 7


def _fake_npm(folder: Path) -> Path:
    """An `npm` that packs a tarball with package/package.json for any spec."""
    script = folder / "npm"
    script.write_text("#!/bin/sh\n"
                      "mkdir -p package && echo '{\"name\": \"x\"}' > package/package.json\n"
                      "tar czf fake-1.0.0.tgz package && rm -r package\n"
                      "echo fake-1.0.0.tgz\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_assets_fill_the_cache_once(tmp_path):
    npm = _fake_npm(tmp_path)
    packages = required_packages()
    assert any(p.startswith("@widgetti/solara-vuetify") for p in packages)
    assert "requirejs@2.3.6" in packages
    cache = tmp_path / "cdn"
    first = fill_cache(cache, npm=str(npm), packages=packages)
    assert {status for _, status in first} == {"fetched"}
    assert all((cache / p / "package.json").is_file() for p in packages)
    again = fill_cache(cache, npm=str(npm), packages=packages)
    assert {status for _, status in again} == {"cached"}
    assert not any(name.startswith(".pack-") for name in os.listdir(cache))
    with tarfile.open(tmp_path / "fake-1.0.0.tgz", "w:gz"):
        pass  # the stand-in leaves nothing behind in the working directory either


def test_assets_without_npm_say_what_to_install(tmp_path):
    with pytest.raises(AssetsError, match="Install Node.js"):
        fill_cache(tmp_path / "cdn", npm="no-such-npm-here", packages=["requirejs@2.3.6"])


def test_a_classroom_preset_explains_itself_in_both_languages_with_its_case_studies():
    box, rc = render()
    rc.find(v.Select, label="Scenario preset").widget.v_model = "classroom/two_borrowers"
    click(rc, "Reset")
    text = status_text(box)
    assert "Two borrowers, one illness" in text and "Learning goal" in text
    assert "300 borrowers" in text and "seed 7," in text  # the preset's own size and seed
    click(rc, "Step")
    click(rc, "Step")
    assert "Li Na" in status_text(box) and "Wang Fang" in status_text(box)
    # two case-study timelines, the inspector's timeline, five series and the scores
    assert len(rc.find(widgets.Image).widgets) == 2 + 1 + 5 + 1
    language = rc.find(v.BtnToggle).widget  # the buttons English, 简体中文 (a click sets this)
    language.v_model = 1
    text = status_text(box)
    assert "学习目标" in text and "两位借款人" in text and "天 2" in text
    assert rc.find(v.Select, label="场景预设").widget.v_model == "classroom/two_borrowers"
    click(rc, "Step")  # the same model goes on
    assert "天 3" in status_text(box)
    rc.find(v.BtnToggle).widget.v_model = 0
    assert on_day(box, 3) and "Learning goal" in status_text(box)
