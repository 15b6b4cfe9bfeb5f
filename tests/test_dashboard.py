"""The dashboard without a browser: render the page, step, reset, move controls, switch a
preset, reject a bad seed with the schema's message; one model per session. And the offline
assets command, with a stand-in for the npm registry."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import urllib.parse

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from sim.dashboard.app import MODEL_PARAMS, DashboardModel, Page, presets
from sim.dashboard.assets import AssetsError, fill_cache, required_packages, split_package


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


def _fake_registry(packages: list[str], corrupt: str | None = None):
    """A stand-in for the npm registry: for each package its metadata (tarball address and
    sha512 integrity) and a tarball holding package/package.json; `corrupt` gets a tarball
    that does not match its checksum. Returns (download function, list of fetched URLs)."""
    files: dict[str, bytes] = {}
    for package in packages:
        name, version = split_package(package)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            body = json.dumps({"name": name, "version": version}).encode()
            info = tarfile.TarInfo("package/package.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        archive = buffer.getvalue()
        digest = base64.b64encode(hashlib.sha512(archive).digest()).decode()
        tarball = f"https://registry.test/{name}/-/{version}.tgz"
        files[f"https://registry.test/{name}/{version}"] = json.dumps(
            {"dist": {"tarball": tarball, "integrity": f"sha512-{digest}"}}).encode()
        files[tarball] = archive + (b"x" if package == corrupt else b"")
    fetched: list[str] = []

    def download(url: str) -> bytes:
        url = urllib.parse.unquote(url)  # a scoped name comes as @scope%2Fname
        fetched.append(url)
        if url not in files:
            raise OSError(f"404 {url}")
        return files[url]

    return download, fetched


def test_assets_fill_the_cache_once(tmp_path):
    packages = required_packages()
    assert any(p.startswith("@widgetti/solara-vuetify") for p in packages)
    assert "requirejs@2.3.6" in packages
    download, fetched = _fake_registry(packages)
    cache = tmp_path / "cdn"
    first = fill_cache(cache, packages=packages, download=download,
                       registry="https://registry.test")
    assert {status for _, status in first} == {"fetched"}
    assert all((cache / p / "package.json").is_file() for p in packages)
    assert json.loads((cache / "requirejs@2.3.6" / "package.json").read_text())["version"] \
        == "2.3.6"
    calls = len(fetched)
    again = fill_cache(cache, packages=packages, download=download,
                       registry="https://registry.test")
    assert {status for _, status in again} == {"cached"} and len(fetched) == calls
    assert not any(name.startswith(".pack-") for name in os.listdir(cache))


def test_assets_refuse_a_tarball_that_fails_its_checksum(tmp_path):
    download, _ = _fake_registry(["requirejs@2.3.6"], corrupt="requirejs@2.3.6")
    with pytest.raises(AssetsError, match="checksum"):
        fill_cache(tmp_path / "cdn", packages=["requirejs@2.3.6"], download=download,
                   registry="https://registry.test")
    assert not (tmp_path / "cdn" / "requirejs@2.3.6").exists()


def test_assets_unreachable_registry_says_what_to_do(tmp_path):
    download, _ = _fake_registry([])
    with pytest.raises(AssetsError, match="run `python run.py assets` again"):
        fill_cache(tmp_path / "cdn", packages=["requirejs@2.3.6"], download=download,
                   registry="https://registry.test")


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
