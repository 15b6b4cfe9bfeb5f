"""The dashboard without a browser: render the page, step, reset, move controls, switch a
preset, reject a bad seed with the schema's message; one model per session; the warm-up;
side by side from the first day; a classroom preset's story events; downloads; every label
in Chinese. And the offline assets command, with a stand-in for the npm registry."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import urllib.parse
import zipfile

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from sim.dashboard.app import (
    MODEL_PARAMS,
    DashboardModel,
    Page,
    figures_zip,
    presets,
    tables_zip,
)
from sim.dashboard.assets import AssetsError, fill_cache, required_packages, split_package
from sim.dashboard.session import CONTROLS, SLIDERS, WARM_UP_DAYS, build_config
from sim.i18n import catalog
from sim.model import CreditMarket

WARM = WARM_UP_DAYS
"""The warm-up of every preset but the classroom's: the page opens on this day."""


def render():
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    return box, rc


def status_text(box) -> str:
    """Everything the page shows as text (the Markdown, any error), read from the rendered
    widget tree."""
    return repr(box).replace("\\n", " ")


def on_day(box, day: int) -> bool:
    """Whether the status says the market is on `day`."""
    return re.search(rf"day {day}\b", status_text(box)) is not None


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def choose(rc, label: str, value: object) -> None:
    rc.find(v.Select, label=label).widget.v_model = value


def open_tab(rc, index: int) -> None:
    rc.find(v.Tabs).widget.v_model = index


def images(rc) -> list:
    return rc.find(widgets.Image).widgets


@pytest.mark.slow
def test_step_and_reset_move_the_day_and_draw_the_plots():
    box, rc = render()
    assert on_day(box, WARM)  # opens after the warm-up
    for _ in range(3):
        click(rc, "Step")
    assert on_day(box, WARM + 3)
    # the Market tab: delinquency, defaults and losses, the lender, credit supply, the scores
    assert len(images(rc)) == 5
    open_tab(rc, 1)
    assert len(images(rc)) == 2  # contacts and cost, deferrals
    click(rc, "Reset")
    assert on_day(box, WARM)


@pytest.mark.slow
def test_the_page_opens_on_a_market_already_under_way():
    box, rc = render()
    text = status_text(box)
    defaults = int(re.search(r"defaults (\d+)", text).group(1))
    loans = int(re.search(r"active loans ([\d,]+)", text).group(1).replace(",", ""))
    assert defaults > 0 and loans > 300
    assert "six years before the page opened" in text
    # the warm-up ran once; a second session gets its own copy of it
    other_box, other = render()
    assert re.search(r"defaults (\d+)", status_text(other_box)).group(1) == str(defaults)
    click(other, "Step")
    assert on_day(other_box, WARM + 1) and on_day(box, WARM)


def test_every_slider_starts_at_the_value_the_market_runs_on():
    config = build_config("baseline", 1, {})
    for name, key in SLIDERS.items():
        spec = CONTROLS[name][2]
        if name == "borrowers" or not str(spec["type"]).startswith("Slider"):
            continue
        section, field = key.split(".")
        assert spec["value"] == getattr(getattr(config, section), field), name


def test_a_forked_market_goes_on_exactly_as_the_original():
    market = CreditMarket(build_config("baseline", "3", {"borrowers": 300}))
    market.run_days(60)
    copy = market.fork()
    market.run_days(30)
    copy.run_days(30)
    assert copy.metrics.frame().equals(market.metrics.frame())
    assert copy.population is not market.population


@pytest.mark.slow
def test_a_slider_and_a_preset_take_effect_on_reset():
    box, rc = render()
    assert "1,000 borrowers" in status_text(box)
    rc.find(v.Slider, label="Borrowers: 1000").widget.v_model = 2500
    choose(rc, "Scenario preset", "strict")
    click(rc, "Reset")
    text = status_text(box)
    assert "2,500 borrowers" in text and "Strict collection" in text


@pytest.mark.slow
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
    assert on_day(box, WARM + 2)  # the last good model goes on where it was
    click(rc, "Step")
    assert on_day(box, WARM + 3) and "seed 1," in status_text(box)


@pytest.mark.slow
def test_each_session_has_its_own_model():
    first_box, first = render()
    second_box, _ = render()
    click(first, "Step")
    click(first, "Step")
    assert on_day(first_box, WARM + 2) and on_day(second_box, WARM)


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
    assert bad.markets is model.markets and bad.day == model.day


@pytest.mark.slow
def test_side_by_side_forks_one_warm_up_into_strict_and_lenient():
    box, rc = render()
    choose(rc, "Mode", "side_by_side")
    click(rc, "Reset")
    text = status_text(box)
    assert "Strict collection" in text and "Lenient" in text
    assert len(re.findall(rf"seed 1, day {WARM}\b", text)) == 2
    open_tab(rc, 3)
    assert len(images(rc)) == 1  # the differences, at once
    assert "strict - lenient" in status_text(box)
    open_tab(rc, 0)
    # two columns of each Market figure
    assert len(images(rc)) == 2 * 5


def test_side_by_side_differences_appear_after_the_first_day():
    box, rc = render()
    choose(rc, "Mode", "side_by_side")
    choose(rc, "Scenario preset", "classroom/shock")  # a story from day 0: no warm-up
    click(rc, "Reset")
    open_tab(rc, 3)
    assert on_day(box, 0) and "the differences appear after the first day" in status_text(box)
    assert len(images(rc)) == 0
    click(rc, "Step")
    assert on_day(box, 1) and len(images(rc)) == 1


def test_the_inspector_redraws_the_chosen_borrowers_story():
    box, rc = render()
    open_tab(rc, 2)
    before = {bytes(w.value) for w in images(rc)}
    assert len(before) == 1  # borrowers 0-49 have a story at once, from the warm-up's end
    rc.find(v.Slider, label="Borrower to inspect: 0").widget.v_model = 7
    after = {bytes(w.value) for w in images(rc)}
    assert len(after) == 1 and after != before
    rc.find(v.Slider, label="Borrower to inspect: 7").widget.v_model = 700
    assert f"followed from day {WARM}" in status_text(box)  # not followed yet: from today
    click(rc, "Step")
    click(rc, "Step")
    assert len(images(rc)) == 1


@pytest.mark.slow
def test_a_classroom_preset_tells_its_story_from_day_0_and_runs_to_its_events():
    box, rc = render()
    choose(rc, "Scenario preset", "classroom/two_borrowers")
    click(rc, "Reset")
    text = status_text(box)
    assert "Two borrowers, one illness" in text and "Learning goal" in text
    assert "300 borrowers" in text and "seed 7," in text  # the preset's own size and seed
    assert on_day(box, 0) and "warm-up" not in text
    click(rc, "Next story event")
    assert on_day(box, 1) and "Li Na: takes a loan" in status_text(box)
    click(rc, "Next story event")
    text = status_text(box)
    assert on_day(box, 101) and "Li Na: falls ill" in text and "Wang Fang: loses the job" in text
    open_tab(rc, 2)
    # two case-study timelines and the inspector's
    assert len(images(rc)) == 2 + 1
    rc.find(v.BtnToggle).widget.v_model = 1  # the buttons English, 简体中文
    text = status_text(box)
    assert "学习目标" in text and "两位借款人" in text and "天 101" in text
    assert "李娜: 生病" in text  # the story event, translated
    assert rc.find(v.Select, label="场景预设").widget.v_model == "classroom/two_borrowers"
    click(rc, "单步")  # the same model goes on
    assert "天 102" in status_text(box)
    rc.find(v.BtnToggle).widget.v_model = 0
    assert on_day(box, 102) and "Learning goal" in status_text(box)


def _labels(rc) -> list[str]:
    """Every label the page's controls, tabs and cards show."""
    texts = []
    for kind in (v.Btn, v.Tab, v.CardTitle, v.Select, v.Slider, v.TextField):
        for widget in rc.find(kind).widgets:
            if getattr(widget, "label", None):
                texts.append(widget.label)
            texts += [c for c in (widget.children or []) if isinstance(c, str)]
            for item in getattr(widget, "items", None) or []:
                texts.append(item["text"] if isinstance(item, dict) else str(item))
    return texts


@pytest.mark.slow
def test_every_label_follows_the_language_switch():
    box, rc = render()
    english = set(catalog("zh-CN"))
    for tab in range(4):
        open_tab(rc, tab)
        assert any(label in english for label in _labels(rc))  # the check can fail
    rc.find(v.BtnToggle).widget.v_model = 1
    for tab in range(4):
        open_tab(rc, tab)
        untranslated = [t for t in _labels(rc) if t.split(":")[0].strip() in english
                        and catalog("zh-CN")[t.split(":")[0].strip()] != t.split(":")[0].strip()]
        assert not untranslated, untranslated


@pytest.mark.slow
def test_downloads_hold_the_runs_tables_and_figures():
    box, rc = render()
    click(rc, "Step")
    session = type("SessionModel", (DashboardModel,), {})
    model = session(preset="classroom/two_borrowers")
    for _ in range(3):
        model.step()
    with zipfile.ZipFile(io.BytesIO(tables_zip(model))) as archive:
        names = archive.namelist()
        frame = archive.read("classroom-two_borrowers-timeseries.csv").decode().splitlines()
    assert {"classroom-two_borrowers-totals.csv", "classroom-two_borrowers-borrowers.csv"} \
        <= set(names)
    assert len(frame) == 1 + 3  # a header and one row per day
    with zipfile.ZipFile(io.BytesIO(figures_zip(model, "en"))) as archive:
        pngs = archive.namelist()
        assert all(archive.read(n).startswith(b"\x89PNG") for n in pngs)
    assert "classroom-two_borrowers-dpd_buckets.png" in pngs
    assert "classroom-two_borrowers-Li_Na.png" in pngs


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


