"""Scenario files: every malformed file or override is a `ScenarioError` naming the file, the
key and what is allowed; `extends`, `--set`, the documented baseline and the resolved-config
rendering behave as documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.config import ScenarioConfig, Section
from sim.params_doc import HEADER, render_toml
from sim.scenario import ScenarioError, load_scenario
from sim.single_run import RESOLVED_HEADER

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, overrides: list[str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return caught.value


# (id, file text, dotted key the error must name, fragments saying what is allowed)
MALFORMED = [
    ("unknown-top-level-key", 'titel = "Crisis"\n', "titel",
     ["is not a parameter", "did you mean 'title'?", "Allowed keys here:", "description",
      "chargeoff"]),
    ("typo-in-run", "[run]\nborowers = 5\n", "run.borowers",
     ["is not a parameter", "did you mean 'borrowers'?",
      "Allowed keys here: borrowers, days, seed"]),
    ("typo-in-deferral", '[deferral]\nmod = "extend"\n', "deferral.mod",
     ["did you mean 'mode'?", "Allowed keys here:", "extend_months"]),
    ("typo-in-nested-table", "[collection.ladder.dpd_1_30]\nphnoe = 2.0\n",
     "collection.ladder.dpd_1_30.phnoe",
     ["did you mean 'phone'?", "Allowed keys here: app, sms, letter, phone"]),
    ("typo-in-macro-window",
     "[[shocks.macro]]\nstart_day = 1\nend_day = 3\nforce_majuere = true\n",
     "shocks.macro[0].force_majuere",
     ["did you mean 'force_majeure'?", "start_day, end_day"]),
    ("unknown-section", "[runn]\ndays = 5\n", "runn",
     ["is not a parameter", "did you mean 'run'?", "Allowed keys here:", "borrowers",
      "deferral"]),
    ("string-for-int", '[run]\ndays = "ten"\n', "run.days",
     ["expected an integer", '"ten"', "days"]),
    ("fractional-float-for-int", "[run]\ndays = 10.5\n", "run.days",
     ["expected an integer", "10.5"]),
    ("bool-for-int", "[run]\nborrowers = true\n", "run.borrowers",
     ["expected an integer", "true"]),
    ("int-for-bool", "[deferral]\nenabled = 1\n", "deferral.enabled",
     ["expected true or false", "got 1"]),
    ("table-for-int", "[run.days]\nvalue = 1\n", "run.days",
     ["expected an integer", '{"value": 1}']),
    ("table-for-string", "title = { text = \"x\" }\n", "title", ["expected a string"]),
    ("list-for-int", "[run]\ndays = [1, 2]\n", "run.days", ["expected an integer", "[1, 2]"]),
    ("value-for-section", "run = 5\n", "run", ["expected a table", "got 5"]),
    ("negative-days", "[run]\ndays = -3\n", "run.days",
     ["greater than or equal to 1", "-3", "days"]),
    ("share-above-one", "[borrowers]\nautopay_share = 1.5\n", "borrowers.autopay_share",
     ["less than or equal to 1", "1.5"]),
    ("score-above-950", "[bureau]\ninitial_score_mean = 1000.0\n",
     "bureau.initial_score_mean", ["less than or equal to 950", "1000"]),
    ("score-below-350", "[lending]\nmin_score = 300\n", "lending.min_score",
     ["greater than or equal to 350", "300"]),
    ("literal-not-allowed", '[deferral]\nmode = "forever"\n', "deferral.mode",
     ["'extend' or 'rate_cut'", "forever"]),
    ("literal-in-list-not-allowed", '[collection]\nopt_out_channels = ["fax"]\n',
     "collection.opt_out_channels[0]", ["'app', 'sms', 'letter' or 'phone'", "fax"]),
    ("type-shares-above-one",
     "[borrowers]\nhardship_share = 0.5\nstrategic_share = 0.3\nforgetful_share = 0.3\n",
     "borrowers",
     ["hardship_share + strategic_share + forgetful_share", "1.1", "at most 1"]),
    ("apr-by-band-wrong-length", "[lending]\napr_by_band = [0.1, 0.2]\n", "lending",
     ["apr_by_band", "needs 5 rates", "poor, fair, good, very_good, excellent", "got 2"]),
    ("macro-window-ends-before-start", "[[shocks.macro]]\nstart_day = 10\nend_day = 5\n",
     "shocks.macro[0]", ["end_day (5)", "before start_day (10)"]),
    ("second-macro-window-bad",
     "[[shocks.macro]]\nstart_day = 1\nend_day = 3\n\n"
     "[[shocks.macro]]\nstart_day = 20\nend_day = 3\n",
     "shocks.macro[1]", ["end_day (3)", "before start_day (20)"]),
]


@pytest.mark.parametrize(("text", "key", "fragments"), [case[1:] for case in MALFORMED],
                         ids=[case[0] for case in MALFORMED])
def test_malformed_file_names_file_key_and_what_is_allowed(tmp_path, text, key, fragments):
    path = write(tmp_path, "scenario.toml", text)
    error = load_error(path)
    message = str(error)
    assert error.source == str(path)
    assert error.key == key
    assert message.startswith(f"{path}: key '{key}': ")
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


def test_unknown_key_without_close_match_suggests_nothing(tmp_path):
    path = write(tmp_path, "scenario.toml", "[weather]\nrain = 1\n")
    message = str(load_error(path))
    assert f"{path}: key 'weather'" in message
    assert "did you mean" not in message
    assert "Allowed keys here: extends, title, description, lesson, cast, run" in message


def test_every_problem_of_a_file_is_reported(tmp_path):
    path = write(tmp_path, "scenario.toml", "[run]\ndays = -1\nborowers = 3\n")
    message = str(load_error(path))
    assert "key 'run.days'" in message
    assert "also key 'run.borowers'" in message
    assert "did you mean 'borrowers'?" in message


def test_whole_float_for_int_is_rejected_but_int_for_float_is_accepted(tmp_path):
    error = load_error(write(tmp_path, "a.toml", "[run]\ndays = 10.0\n"))
    assert error.key == "run.days"
    assert "expected an integer" in str(error)
    config = load_scenario(write(tmp_path, "b.toml", "[borrowers]\nincome_median = 5000\n"))
    assert config.borrowers.income_median == 5000.0
    assert isinstance(config.borrowers.income_median, float)


def test_broken_toml_syntax_gives_line(tmp_path):
    path = write(tmp_path, "broken.toml", 'title = "ok"\n[run]\ndays = = 3\n')
    error = load_error(path)
    message = str(error)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 3" in message


def test_duplicate_key_is_a_syntax_error_with_line(tmp_path):
    path = write(tmp_path, "dup.toml", "[run]\ndays = 1\ndays = 2\n")
    message = str(load_error(path))
    assert str(path) in message
    assert "line 3" in message


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'title = "caf\xe9"\n')
    message = str(load_error(path))
    assert str(path) in message
    assert "UTF-8" in message


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    message = str(load_error(path))
    assert str(path) in message
    assert "file not found" in message


def test_missing_extends_target(tmp_path):
    path = write(tmp_path, "child.toml", 'extends = "nope.toml"\n[run]\ndays = 5\n')
    error = load_error(path)
    message = str(error)
    assert error.key == "extends"
    assert message.startswith(f"{path}: key 'extends': ")
    assert "'nope.toml' not found" in message
    assert str(tmp_path / "nope.toml") in message


def test_extends_must_be_a_string(tmp_path):
    path = write(tmp_path, "child.toml", "extends = 3\n")
    error = load_error(path)
    assert error.key == "extends"
    assert str(path) in str(error)
    assert 'extends = "baseline.toml"' in str(error)


def test_extends_cycle(tmp_path):
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    b = write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    error = load_error(a)
    message = str(error)
    assert error.key == "extends"
    assert "cycle" in message
    assert f"{a.resolve()} -> {b.resolve()} -> {a.resolve()}" in message


def test_extends_itself(tmp_path):
    path = write(tmp_path, "self.toml", 'extends = "self.toml"\n')
    error = load_error(path)
    assert error.key == "extends"
    assert "cycle" in str(error)
    assert str(path) in str(error)


def test_syntax_error_in_extended_file_names_that_file(tmp_path):
    parent = write(tmp_path, "parent.toml", "[run\ndays = 5\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n')
    message = str(load_error(child))
    assert str(parent) in message
    assert "line 1" in message


def test_invalid_value_in_extended_file_names_that_file(tmp_path):
    """The bad key lives in parent.toml, so the message must point the user there (the child
    file does not contain it)."""
    write(tmp_path, "parent.toml", "[run]\nborowers = 5\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\ntitle = "Child"\n')
    error = load_error(child)
    assert error.key == "run.borowers"
    assert "parent.toml" in str(error)


# --- --set overrides -----------------------------------------------------------------------


def test_set_with_bad_value_names_set():
    error = load_error(BASELINE, ["run.days=-3"])
    message = str(error)
    assert error.source == "--set"
    assert message.startswith("--set: key 'run.days': ")
    assert "greater than or equal to 1" in message
    assert "-3" in message


def test_set_with_bare_word_for_int():
    error = load_error(BASELINE, ["run.days=abc"])
    assert error.source == "--set"
    assert error.key == "run.days"
    assert 'expected an integer, got "abc"' in str(error)


def test_set_with_bad_choice_lists_choices():
    error = load_error(BASELINE, ["deferral.mode=forever"])
    assert error.source == "--set"
    assert "'extend' or 'rate_cut'" in str(error)


@pytest.mark.parametrize("text", ["run.days", "=5", "run..days=5", ".days=5"])
def test_set_without_section_key_equals_value(text):
    error = load_error(BASELINE, [text])
    message = str(error)
    assert error.source == "--set"
    assert text in message
    assert "expected section.key=value" in message


def test_set_below_a_value():
    error = load_error(BASELINE, ["run.days.x=3"])
    assert error.source == "--set"
    assert "'days' is a value, not a table" in str(error)


def test_set_unknown_key_names_set_and_suggests():
    error = load_error(BASELINE, ["run.dayz=30"])
    message = str(error)
    assert error.source == "--set"
    assert "key 'run.dayz'" in message
    assert "did you mean 'days'?" in message


def test_set_unknown_section_names_set():
    """`--set runx.days=3` adds a section that is not in any file; the message must say it came
    from --set, not blame the scenario file."""
    error = load_error(BASELINE, ["runx.days=3"])
    message = str(error)
    assert error.source == "--set", message
    assert "did you mean 'run'?" in message


def test_set_overrides_win_over_the_file(tmp_path):
    path = write(tmp_path, "s.toml",
                 'title = "File"\n[run]\ndays = 100\nseed = 5\n[deferral]\nmode = "extend"\n')
    config = load_scenario(path, ["run.days=200", "deferral.mode=rate_cut", 'title="From set"',
                                  "lending.apr_by_band=[0.5, 0.4, 0.3, 0.2, 0.1]",
                                  "bureau.report_dpd = 45"])
    assert config.run.days == 200
    assert config.run.seed == 5
    assert config.deferral.mode == "rate_cut"
    assert config.title == "From set"
    assert config.lending.apr_by_band == [0.5, 0.4, 0.3, 0.2, 0.1]
    assert config.bureau.report_dpd == 45
    assert load_scenario(path).run.days == 100


def test_later_set_wins_over_earlier_set():
    config = load_scenario(BASELINE, ["run.days=5", "run.days=6"])
    assert config.run.days == 6


# --- extends -------------------------------------------------------------------------------


def test_extends_merges_tables_key_by_key(tmp_path):
    write(tmp_path, "parent.toml",
          'title = "Parent"\ndescription = "from parent"\n'
          "[run]\nborrowers = 50\ndays = 100\nseed = 7\n"
          "[lending]\napr_by_band = [0.4, 0.3, 0.2, 0.1, 0.05]\nmin_score = 600\n"
          "[collection.ladder.dpd_1_30]\nphone = 3.0\n")
    child = write(tmp_path, "child.toml",
                  'extends = "parent.toml"\ntitle = "Child"\n'
                  "[run]\ndays = 200\n"
                  "[lending]\napr_by_band = [0.5, 0.4, 0.3, 0.2, 0.1]\n"
                  "[collection.ladder.dpd_1_30]\nsms = 1.0\n")
    config = load_scenario(child)
    assert config.title == "Child"
    assert config.description == "from parent"
    assert config.run.days == 200
    assert config.run.borrowers == 50
    assert config.run.seed == 7
    assert config.lending.min_score == 600
    assert config.lending.apr_by_band == [0.5, 0.4, 0.3, 0.2, 0.1]
    ladder = config.collection.ladder.dpd_1_30
    assert (ladder.phone, ladder.sms) == (3.0, 1.0)
    assert config.bureau == ScenarioConfig().bureau


def test_partial_nested_table_keeps_the_other_schema_defaults(tmp_path):
    """A file that sets one key of a nested table keeps the schema's defaults for the others:
    the default phone channel has rpc_rate 0.25 and pay_effect 0.40, the default 1-30 DPD
    ladder step has app 2.0 and sms 2.0. They must not fall back to the field defaults of the
    generic ChannelSpec / ChannelRates classes (rpc_rate 1.0, pay_effect 0.0, app 0.0)."""
    path = write(tmp_path, "partial.toml",
                 "[channels.phone]\ncost = 3.0\n[collection.ladder.dpd_1_30]\nphone = 3.0\n")
    config = load_scenario(path)
    default = ScenarioConfig()
    assert config.channels.phone == default.channels.phone.model_copy(update={"cost": 3.0})
    assert config.collection.ladder.dpd_1_30 == (
        default.collection.ladder.dpd_1_30.model_copy(update={"phone": 3.0}))
    via_set = load_scenario(write(tmp_path, "empty.toml", ""), ["channels.sms.cost=0.1"])
    assert via_set.channels.sms == default.channels.sms.model_copy(update={"cost": 0.1})


def test_extends_chain_and_relative_paths(tmp_path):
    write(tmp_path, "grand.toml", "[run]\nborrowers = 11\ndays = 22\nseed = 33\n")
    write(tmp_path, "mid/parent.toml", 'extends = "../grand.toml"\n[run]\ndays = 44\n')
    child = write(tmp_path, "mid/deeper/child.toml",
                  'extends = "../parent.toml"\n[run]\nseed = 55\n')
    run = load_scenario(child).run
    assert (run.borrowers, run.days, run.seed) == (11, 44, 55)


def test_extending_the_shipped_baseline(tmp_path):
    child = write(tmp_path, "child.toml",
                  f'extends = "{BASELINE.as_posix()}"\n[run]\nborrowers = 123\n')
    config = load_scenario(child)
    assert config.run.borrowers == 123
    assert config.model_copy(update={"run": ScenarioConfig().run}) == ScenarioConfig()


# --- shipped scenarios ---------------------------------------------------------------------


def test_strict_and_lenient_load_and_differ_as_claimed():
    baseline = load_scenario(BASELINE)
    strict = load_scenario(SCENARIOS / "strict.toml")
    lenient = load_scenario(SCENARIOS / "lenient.toml")

    assert strict.deferral.enabled is False
    assert strict.bureau.report_dpd == 30
    assert strict.legal.enabled is True
    assert strict.legal.dpd == 60

    assert lenient.deferral.enabled is True
    assert lenient.bureau.report_dpd == 90
    assert lenient.legal.enabled is True
    assert lenient.legal.dpd == 120

    for scenario in (strict, lenient):
        assert scenario.title != baseline.title
        assert scenario.description
        assert scenario.bureau.report_dpd != baseline.bureau.report_dpd
        assert scenario.legal.dpd != baseline.legal.dpd
        assert scenario.collection.ladder != baseline.collection.ladder
        # what the scenarios do not claim to change stays the baseline's
        assert scenario.run == baseline.run
        assert scenario.borrowers == baseline.borrowers
        assert scenario.lending == baseline.lending
    assert lenient.deferral.enabled != baseline.deferral.enabled
    # strict collects harder than lenient: more phone contacts at every DPD bucket
    for bucket in ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus"):
        assert (getattr(strict.collection.ladder, bucket).phone
                > getattr(lenient.collection.ladder, bucket).phone)


def test_baseline_file_is_the_rendered_schema():
    assert BASELINE.read_text(encoding="utf-8") == render_toml(ScenarioConfig())
    assert load_scenario(BASELINE) == ScenarioConfig()


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> dict[str, object]:
    """Dotted name -> FieldInfo of every scalar or list parameter (sub-tables recursed)."""
    leaves: dict[str, object] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            leaves.update(_leaf_fields(annotation, f"{prefix}{name}."))
        else:
            leaves[f"{prefix}{name}"] = field
    return leaves


def test_every_baseline_parameter_has_unit_and_source_comment():
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    fields = _leaf_fields(ScenarioConfig)
    table = ""
    comment: list[str] = []
    documented: set[str] = set()
    for line in lines:
        header = re.fullmatch(r"\[([\w.]+)\]", line)
        if header:
            table, comment = header.group(1) + ".", []
            continue
        if line.startswith("#"):
            comment.append(line.lstrip("#").strip())
            continue
        if not line.strip():
            comment = []
            continue
        name = line.split("=", 1)[0].strip()
        key = table + name
        text = " ".join(comment)
        assert "Unit:" in text and "Source:" in text, f"{key} lacks a Unit/Source comment"
        extra = fields[key].json_schema_extra
        assert f"Unit: {extra['unit']}." in text, key
        assert f"Source: {extra['source']}." in text, key
        documented.add(key)
        comment = []
    # the macro schedule, the classroom texts and the cast are empty lists or tables of
    # tables: documented by a comment, not a value line
    assert documented == set(fields) - {"shocks.macro", "lesson", "cast"}


def test_resolved_config_toml_loads_back_equal(tmp_path):
    raw = {
        "title": 'Crisis "2008" — résumé',
        "description": "two lines\nand a\ttab",
        "run": {"borrowers": 321, "days": 90, "seed": 2**63 - 1, "check_invariants": False},
        "shocks": {"macro": [
            {"start_day": 10, "end_day": 40, "job_loss_multiplier": 3.0,
             "force_majeure": True},
            {"start_day": 50, "end_day": 50, "illness_multiplier": 1.5},
        ]},
        "lending": {"apr_by_band": [0.5, 0.4, 0.3, 0.2, 0.1], "lenders": 3},
        "deferral": {"enabled": True, "mode": "rate_cut", "awareness": 0.123456789},
        "collection": {"opt_out_channels": ["letter"], "reminder_channel": "none",
                       "ladder": {"dpd_1_30": {"phone": 3.5}}},
        "borrowers": {"income_median": 1e-7},
    }
    config = ScenarioConfig.model_validate(raw, strict=True)
    assert config != ScenarioConfig()
    for header in (RESOLVED_HEADER, HEADER):
        text = render_toml(config, header=header)
        tomllib.loads(text)
        path = write(tmp_path, "resolved.toml", text)
        loaded = load_scenario(path)
        assert loaded == config
        assert len(loaded.shocks.macro) == 2
        assert loaded.shocks.macro[0].force_majeure is True
        assert render_toml(loaded, header=header) == text
