"""Variants and anchors are overlays: a comparison's variant file or a sweep's anchor file
changes only what its own extends chain sets, on the comparison's (or sweep's) market; a file
built on another market is refused unless the file says `market = "own"`; an anchor keeps its
own policy over the sweep's `set`; reports open with the keys each variant changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.batch.compare import run_comparison
from sim.batch.comparison import load_comparison
from sim.overlay import file_overlay
from sim.report.variant_table import differences_from_base, variant_table_lines
from sim.scenario import ScenarioError, load_scenario
from sim.sweep.spec import load_sweep

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE_RATE = load_scenario(SCENARIOS / "baseline.toml").shocks.job_loss_rate
DOUBLED = 2 * BASELINE_RATE


def market_folder(tmp_path: Path) -> Path:
    """A copy of the shipped market and policies, a doubled-job-loss world on it, a
    rate-cut policy built on the world, and a market that extends nothing (`island.toml`),
    with comparisons in `compare/`."""
    for name in ("baseline.toml", "strict.toml", "lenient.toml"):
        (tmp_path / name).write_text((SCENARIOS / name).read_text())
    (tmp_path / "doubled.toml").write_text(
        f'extends = "baseline.toml"\ntitle = "Doubled job loss"\n'
        f"[shocks]\njob_loss_rate = {DOUBLED}\n")
    (tmp_path / "rate_cut.toml").write_text(
        'extends = "doubled.toml"\n[deferral]\nenabled = true\nmode = "rate_cut"\n')
    (tmp_path / "island.toml").write_text(
        "[shocks]\njob_loss_rate = 0.01\n[deferral]\nenabled = false\n")
    (tmp_path / "compare").mkdir()
    return tmp_path


def comparison(folder: Path, variants: str, extra: str = "") -> Path:
    path = folder / "compare" / "c.toml"
    path.write_text('base = "../doubled.toml"\nreplicates = 2\n'
                    'set = { "run.borrowers" = 300, "run.days" = 30 }\n' + extra + variants)
    return path


STRICT_LENIENT_RATE_CUT = """
[[variant]]
name = "strict"
scenario = "../strict.toml"

[[variant]]
name = "lenient"
scenario = "../lenient.toml"

[[variant]]
name = "rate_cut"
scenario = "../rate_cut.toml"
"""


def test_variant_files_run_on_the_comparisons_market(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    loaded = load_comparison(comparison(folder, STRICT_LENIENT_RATE_CUT))
    assert loaded.base.shocks.job_loss_rate == DOUBLED
    configs = dict(loaded.variants)
    for name, config in configs.items():
        assert config.shocks.job_loss_rate == DOUBLED, name
    # Each is the base with exactly its own file's keys: the same config as laying the
    # policy's own keys over the doubled world by hand.
    strict_by_hand = load_scenario(folder / "doubled.toml", [
        "deferral.enabled=false", "bureau.report_dpd=30", "legal.enabled=true", "legal.dpd=60",
        'collection.reminder_channel="sms"', 'title="Strict collection"',
        "run.borrowers=300", "run.days=30"]
        + [f"collection.ladder.{b}.{c}={v}" for b, row in {
            "dpd_1_30": (1.0, 2.0, 0.0, 4.0), "dpd_31_60": (0.0, 2.0, 1.0, 5.0),
            "dpd_61_90": (0.0, 1.0, 1.0, 5.0), "dpd_90_plus": (0.0, 1.0, 1.0, 5.0)}.items()
           for c, v in zip(("app", "sms", "letter", "phone"), row, strict=True)])
    assert configs["strict"].model_dump(exclude={"description"}) == \
        strict_by_hand.model_dump(exclude={"description"})
    assert configs["lenient"].deferral.enabled and configs["lenient"].bureau.report_dpd == 90
    assert configs["rate_cut"].deferral.mode == "rate_cut"
    assert configs["rate_cut"].bureau.report_dpd == loaded.base.bureau.report_dpd


def test_a_variant_on_another_market_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    path = comparison(folder, STRICT_LENIENT_RATE_CUT
                      + '[[variant]]\nname = "island"\nscenario = "../island.toml"\n')
    with pytest.raises(ScenarioError) as error:
        load_comparison(path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: key 'variant.3.scenario': ")
    assert "island.toml is not built on the base's market" in message
    assert "doubled.toml -> " in message and 'market = "own"' in message


def test_an_ancestor_of_the_base_as_a_variant_is_refused(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    path = comparison(folder, STRICT_LENIENT_RATE_CUT
                      + '[[variant]]\nname = "calm"\nscenario = "../baseline.toml"\n')
    with pytest.raises(ScenarioError, match="changes nothing"):
        load_comparison(path)


def test_market_own_runs_the_files_whole_scenario(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    own = ('[[variant]]\nname = "island"\nscenario = "../island.toml"\nmarket = "own"\n'
           '[[variant]]\nname = "calm"\nscenario = "../baseline.toml"\nmarket = "own"\n')
    loaded = load_comparison(comparison(folder, STRICT_LENIENT_RATE_CUT + own))
    configs = dict(loaded.variants)
    assert configs["island"].shocks.job_loss_rate == 0.01
    assert configs["calm"].shocks.job_loss_rate == BASELINE_RATE
    assert configs["island"].run == loaded.base.run, "the run section is still the base's"
    with pytest.raises(ScenarioError, match='market = "own" needs a scenario file'):
        load_comparison(comparison(folder, STRICT_LENIENT_RATE_CUT
                                   + '[[variant]]\nname = "x"\nmarket = "own"\n'))
    with pytest.raises(ScenarioError, match="variant.3.market"):
        load_comparison(comparison(folder, STRICT_LENIENT_RATE_CUT
                                   + '[[variant]]\nname = "x"\nscenario = "../island.toml"\n'
                                   'market = "mine"\n'))


def test_precedence_set_then_file_then_variant_set_then_command_line(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    extra = 'set = { "run.borrowers" = 300, "run.days" = 30, "bureau.report_dpd" = 45 }\n'
    path = folder / "compare" / "c.toml"
    path.write_text('base = "../doubled.toml"\n' + extra + """
[[variant]]
name = "strict"
scenario = "../strict.toml"

[[variant]]
name = "lenient"
scenario = "../lenient.toml"
set = { "bureau.report_dpd" = 75 }

[[variant]]
name = "plain"
""")
    configs = dict(load_comparison(path).variants)
    assert configs["strict"].bureau.report_dpd == 30, "the file keeps its policy over set"
    assert configs["lenient"].bureau.report_dpd == 75, "the variant's own set wins"
    assert configs["plain"].bureau.report_dpd == 45
    assert load_comparison(path).kept == {"strict": ["bureau.report_dpd"],
                                          "lenient": ["bureau.report_dpd"]}
    configs = dict(load_comparison(path, ["bureau.report_dpd=20"]).variants)
    assert {c.bureau.report_dpd for c in configs.values()} == {20}, "--set wins over all"


def test_overlay_is_the_variant_chain_below_where_it_meets_the_base(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    (folder / "strict_sms.toml").write_text(
        'extends = "strict.toml"\n[collection]\nreminder_channel = "none"\n')
    overlay = file_overlay(folder / "strict_sms.toml", folder / "doubled.toml", "c", "k")
    assert [p.name for p in overlay.files] == ["strict_sms.toml", "strict.toml"]
    assert overlay.raw["collection"]["reminder_channel"] == "none"
    assert "shocks" not in overlay.raw
    assert file_overlay(folder / "doubled.toml", folder / "doubled.toml", "c", "k").raw == {}


@pytest.mark.parametrize("name", ["strict_vs_lenient", "shock_2020", "strategic_wave",
                                  "platform_run"])
def test_shipped_comparisons_run_each_policy_file_on_the_base(name: str) -> None:
    loaded = load_comparison(SCENARIOS / "compare" / f"{name}.toml")
    for variant, config in loaded.variants:
        assert config.shocks.job_loss_rate == loaded.base.shocks.job_loss_rate, variant
        assert config.run == loaded.base.run


# ---------------------------------------------------------------- sweeps


def test_a_sweep_anchor_keeps_its_own_deferral_setting() -> None:
    sweep = load_sweep(SCENARIOS / "sweeps" / "collection_policy.toml")
    assert sweep.base.deferral.enabled, "the file's set offers deferral in the design"
    anchors = dict(sweep.anchors)
    assert anchors["strict"].deferral.enabled is False
    assert anchors["lenient"].deferral.enabled is True
    assert sweep.kept == {"strict": ["deferral.enabled"], "lenient": ["deferral.enabled"]}


def test_a_sweep_anchor_is_laid_over_the_sweeps_market(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    sweep_file = folder / "sweep.toml"
    anchors = ('[[anchor]]\nname = "strict"\nscenario = "strict.toml"\n'
               '[[anchor]]\nname = "island"\nscenario = "island.toml"\n')
    sweep_file.write_text(
        'base = "doubled.toml"\nsamples = 2\nmetrics = ["bad_debt_loss"]\n'
        'set = { "run.borrowers" = 300, "deferral.enabled" = true }\n'
        '[[parameter]]\nkey = "legal.cost"\nlow = 10.0\nhigh = 90.0\n' + anchors)
    with pytest.raises(ScenarioError, match="anchor.1.scenario.*island.toml is not built"):
        load_sweep(sweep_file)
    sweep_file.write_text(sweep_file.read_text().replace(
        'scenario = "island.toml"', 'scenario = "island.toml"\nmarket = "own"'))
    sweep = load_sweep(sweep_file, ["legal.dpd=100"])
    configs = dict(sweep.anchors)
    assert configs["strict"].shocks.job_loss_rate == DOUBLED
    assert configs["strict"].deferral.enabled is False
    assert configs["strict"].legal.dpd == 100, "--set wins over the anchor"
    assert configs["island"].shocks.job_loss_rate == 0.01
    assert configs["island"].deferral.enabled is True, "own market: the sweep's set on top"


# ---------------------------------------------------------------- reports


def test_the_comparison_report_opens_with_the_variant_table(tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    path = comparison(folder, STRICT_LENIENT_RATE_CUT, extra="runoff_max_days = 0\n")
    loaded = load_comparison(path, ["run.borrowers=200", "run.days=20"], replicates=1)
    table = differences_from_base(loaded.base, loaded.variants)
    rows = table.set_index("key")
    assert "shocks.job_loss_rate" not in rows.index, "every variant runs the base's market"
    assert rows.loc["bureau.report_dpd", "strict"] == 30
    assert rows.loc["bureau.report_dpd", "lenient"] == 90
    assert rows.loc["deferral.mode", "rate_cut"] == "rate_cut"
    assert "title" not in rows.index and "run.days" not in rows.index

    out = run_comparison(loaded, tmp_path / "out", workers=1, progress=False).folder
    report = (out / "report.md").read_text()
    sections = [line for line in report.splitlines() if line.startswith("## ")]
    assert sections[0] == "## What each variant changes"
    lines = report.splitlines()
    header = lines.index("| key | base | strict | lenient | rate_cut |")
    dpd = next(line for line in lines[header:] if line.startswith("| `bureau.report_dpd`"))
    assert dpd.split(" | ")[1:] == ["60", "30", "90", "= |"]
    csv = pd.read_csv(out / "variants.csv", dtype=str).set_index("key")
    assert list(csv.columns) == ["base", "strict", "lenient", "rate_cut"]
    assert csv.loc["deferral.enabled"].tolist() == ["false", "false", "true", "true"]


def test_variant_table_marks_what_a_file_kept_and_an_empty_difference() -> None:
    base = load_scenario(SCENARIOS / "baseline.toml")
    table = differences_from_base(base, [("a", base), ("b", base)])
    assert table.empty and list(table.columns) == ["key", "base", "a", "b"]
    text = "\n".join(variant_table_lines(table, {"a": ["deferral.enabled"]}, noun="anchor"))
    assert "Every anchor runs with exactly the base's parameters." in text
    assert "a keeps its own scenario file's value of `deferral.enabled`" in text


@pytest.mark.slow
def test_the_sweep_report_shows_each_anchors_keys_and_what_it_kept(tmp_path: Path) -> None:
    from sim.sweep.job import run_sweep

    folder = market_folder(tmp_path)
    sweep_file = folder / "sweep.toml"
    sweep_file.write_text(
        'base = "doubled.toml"\ndesign = "grid"\nlevels = 2\nreplicates = 1\n'
        'top_parameters = 0\nmetrics = ["bad_debt_loss"]\n'
        'set = { "run.borrowers" = 200, "run.days" = 20, "deferral.enabled" = true }\n'
        '[[parameter]]\nkey = "collection.max_contacts_per_7_days"\nlow = 1\nhigh = 7\n'
        'integer = true\n'
        '[[anchor]]\nname = "strict"\nscenario = "strict.toml"\n'
        '[[anchor]]\nname = "lenient"\nscenario = "lenient.toml"\n')
    run_sweep(load_sweep(sweep_file), tmp_path / "out", workers=1, progress=False)
    report = (tmp_path / "out" / "report.md").read_text()
    lines = report.splitlines()
    header = lines.index("| key | base | strict | lenient |")
    assert lines[header - 4] == "## What each anchor changes"
    deferral = next(line for line in lines[header:] if line.startswith("| `deferral.enabled`"))
    assert deferral.split(" | ")[1:] == ["true", "false", "= |"]
    assert "- strict keeps its own scenario file's value of `deferral.enabled`" in report
    assert "| `shocks.job_loss_rate`" not in report


def test_a_variant_or_sweep_parameter_that_changes_who_is_born_is_refused_after_a_burn_in(
        tmp_path: Path) -> None:
    folder = market_folder(tmp_path)
    wave = ('[[variant]]\nname = "strict"\nscenario = "../strict.toml"\n'
            '[[variant]]\nname = "wave"\nscenario = "../lenient.toml"\n'
            'set = { "borrowers.strategic_share" = 0.2 }\n')
    with pytest.raises(ScenarioError, match=r"variant.1.*borrowers.strategic_share.*after the"):
        load_comparison(comparison(folder, wave, extra="burn_in_days = 20\n"))
    # without a burn-in each variant's market is drawn with its own people: allowed
    unburned = dict(load_comparison(comparison(folder, wave)).variants)
    assert unburned["wave"].borrowers.strategic_share == 0.2
    # set for the base and every variant: the burn-in already has them
    shared = comparison(folder, STRICT_LENIENT_RATE_CUT, extra="burn_in_days = 20\n")
    shared.write_text(shared.read_text().replace(
        '"run.days" = 30', '"run.days" = 30, "borrowers.strategic_share" = 0.2'))
    loaded = load_comparison(shared)
    assert loaded.base.borrowers.strategic_share == 0.2
    assert all(c.borrowers.strategic_share == 0.2 for _, c in loaded.variants)
    sweep_file = folder / "sweep.toml"
    sweep_file.write_text(
        'base = "doubled.toml"\nsamples = 2\nmetrics = ["bad_debt_loss"]\nburn_in_days = 20\n'
        '[[parameter]]\nkey = "borrowers.autopay_share"\nlow = 0.1\nhigh = 0.9\n')
    with pytest.raises(ScenarioError, match=r"parameter.0.key.*\[worlds\]"):
        load_sweep(sweep_file)
