"""Results folders never lose a user's files: what `--overwrite` may replace, what `--resume`
may continue, paths that cannot be written, failures while staging or renaming, a comparison
with no finished run, damaged shards, a scheduler address that cannot be one, and pool
workers outliving a killed parent. Each refusal is exit status 2 and one line on stderr."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.batch import runner
from sim.batch.compare import run_comparison
from sim.batch.comparison import load_comparison
from sim.cli import main
from sim.report import writer
from sim.report.writer import OutputError, OutputExistsError, check_output, staged_folder

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
SMALL = ["--borrowers", "300", "--days", "60", "--quiet"]


def tiny_comparison(folder: Path, replicates: int = 2) -> Path:
    """A comparison file of strict against lenient with a short burn-in and run-off."""
    path = folder / "tiny.toml"
    scenarios = REPO / "scenarios"
    path.write_text(f'''title = "Tiny"
base = "{scenarios / "baseline.toml"}"
replicates = {replicates}
burn_in_days = 30
runoff_max_days = 30
set = {{ "run.borrowers" = 300, "run.days" = 60 }}

[[variant]]
name = "strict"
scenario = "{scenarios / "strict.toml"}"

[[variant]]
name = "lenient"
scenario = "{scenarios / "lenient.toml"}"
''', encoding="utf-8")
    return path


def run_cli(*args: object, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "run.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False)


def one_line_refusal(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit 2 and exactly one line, `error: ...`, on stderr; returns it."""
    assert proc.returncode == 2, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- --overwrite replaces only the project's folders ---------------------------------------


@pytest.mark.parametrize("files", [{"thesis.txt": "three years of work"},
                                   {".bashrc": "export PATH", "notes/todo.md": "- x"}],
                         ids=["a thesis folder", "a home folder"])
def test_overwrite_refuses_a_folder_the_project_did_not_write(tmp_path, files):
    folder = tmp_path / "mine"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    before = snapshot(folder)
    line = one_line_refusal(run_cli("run", BASELINE, *SMALL, "--out", folder, "--overwrite"))
    assert str(folder) in line and "not a results folder this project wrote" in line
    assert snapshot(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_every_kind_of_manifest_is_recognised_and_old_folders_too(tmp_path):
    """A manifest naming its kind marks a folder as the project's; so does one written before
    manifests had a kind (every such manifest had the same keys); a folder with a
    manifest.json of some other program is not the project's."""
    old = {key: None for key in writer.LEGACY_MANIFEST_KEYS}
    cases = {"new": ({"kind": "sweep"}, "sweep"), "old run": (old, "run"),
             "old comparison": ({**old, "comparison": {}}, "comparison"),
             "other program": ({"name": "my-package", "version": "1"}, None)}
    for name, (data, kind) in cases.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
        assert writer.output_kind(tmp_path / name) == kind, name
    check_output(tmp_path / "old run", "run", overwrite=True)
    with pytest.raises(OutputExistsError, match="not a results folder this project wrote"):
        check_output(tmp_path / "other program", "run", overwrite=True)
    # an interrupted comparison from before: only its shards
    (tmp_path / "shards-only" / "shards").mkdir(parents=True)
    (tmp_path / "shards-only" / "shards" / "config_hash.txt").write_text("abc\n")
    assert writer.output_kind(tmp_path / "shards-only") == "comparison"


# --- --resume continues only its own kind ---------------------------------------------------


def test_compare_resume_refuses_a_single_runs_folder(tmp_path):
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "manifest.json").write_text(json.dumps({"kind": "run", "seed": 1}))
    (run_folder / "report.md").write_text("# my run\n")
    before = snapshot(run_folder)
    line = one_line_refusal(run_cli("compare", tiny_comparison(tmp_path), "--resume", "--out",
                                    run_folder, "--quiet"))
    assert "a run's results, not a comparison's" in line
    assert snapshot(run_folder) == before


# --- paths that cannot be written -----------------------------------------------------------


def test_an_empty_out_is_refused_and_nothing_is_written(tmp_path):
    line = one_line_refusal(run_cli("run", BASELINE, *SMALL, "--out", "", "--overwrite",
                                    cwd=tmp_path))
    assert "--out is empty" in line
    assert not list(tmp_path.iterdir())


def test_out_under_a_file_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    line = one_line_refusal(run_cli("run", BASELINE, *SMALL, "--out",
                                    tmp_path / "notes.txt" / "out"))
    assert "notes.txt is a file" in line
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_out_in_a_folder_that_cannot_be_written_is_one_line(tmp_path):
    """A folder made immutable with chattr (which stops root too, as these tests run):
    the staging folder cannot be made; nothing is left behind."""
    locked = tmp_path / "locked"
    locked.mkdir()
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        for out in (locked / "out", locked / "deeper" / "out"):
            line = one_line_refusal(run_cli("run", BASELINE, *SMALL, "--out", out))
            assert "cannot write the results folder" in line
        assert not list(locked.iterdir())
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)


def test_a_failed_final_rename_removes_what_was_staged(tmp_path, monkeypatch):
    """The rename into place fails (simulated: the rename of the staging folder raises
    PermissionError, as it would in a folder that forbids it): OutputError in one line, the
    staged folder is gone and the folder it would have replaced is back, unchanged."""
    final = tmp_path / "results"
    final.mkdir()
    (final / "manifest.json").write_text(json.dumps({"kind": "run"}))
    before = snapshot(final)
    rename = Path.rename

    def refuse(self: Path, target: Path) -> Path:
        if self.name.endswith(".tmp"):
            raise PermissionError(13, "Permission denied", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(OutputError, match="Permission denied") as caught, \
            staged_folder(final, "run", overwrite=True) as staging:
        (staging / "report.md").write_text("new")
    assert "\n" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["results"]
    assert snapshot(final) == before


def test_a_failure_while_staging_removes_the_staged_folder_and_the_folders_made(tmp_path):
    with pytest.raises(RuntimeError), staged_folder(tmp_path / "a" / "b" / "out", "run") \
            as staging:
        (staging / "half.parquet").write_text("half")
        raise RuntimeError("the simulation failed")
    assert not list(tmp_path.iterdir())


# --- runs that fail, shards that are damaged -------------------------------------------------


def test_a_comparison_in_which_every_run_fails_ends_with_an_error_and_no_report(
        tmp_path, monkeypatch, capsys):
    def fail(comparison, task, burned=None):
        raise RuntimeError(f"no market for {task.variant}")

    monkeypatch.setattr(runner, "_run_task", fail)
    out = tmp_path / "out"
    code = main(["compare", str(tiny_comparison(tmp_path)), "--workers", "1", "--out",
                 str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert "wrote" not in captured.out
    assert "none of the comparison's 4 runs finished (4 failed)" in captured.err
    for variant in ("strict", "lenient"):
        for replicate in (0, 1):
            assert (f"run failed: variant {variant}, replicate {replicate}, seed"
                    in captured.err)
    assert f"RuntimeError: no market for {variant}" in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()  # nothing finished: the folder this command made is removed


def test_a_damaged_shard_is_run_again_with_a_warning(tmp_path, capsys):
    comparison = load_comparison(tiny_comparison(tmp_path))
    out = tmp_path / "out"
    run_comparison(comparison, out, workers=1, progress=False)
    runs = pd.read_parquet(out / "runs.parquet")
    assert json.loads((out / "manifest.json").read_text())["kind"] == "comparison"
    shards = out / "shards"
    parquet = shards / "lenient__00001.parquet"
    parquet.write_bytes(parquet.read_bytes()[:200])  # cut short
    (shards / "strict__00000.json").write_text('{"variant": "str')
    capsys.readouterr()
    run_comparison(comparison, out, workers=1, resume=True, progress=False)
    warnings = [line for line in capsys.readouterr().err.splitlines()
                if line.startswith("warning:")]
    assert len(warnings) == 2
    assert any("lenient__00001" in w and "run again" in w for w in warnings)
    assert any("strict__00000" in w for w in warnings)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)


# --- where the runs happen -----------------------------------------------------------------


def test_a_scheduler_address_that_cannot_be_one_is_refused_before_anything(tmp_path):
    out = tmp_path / "out"
    line = one_line_refusal(run_cli("compare", tiny_comparison(tmp_path), "--backend",
                                    "dask", "--scheduler", "not a url", "--out", out,
                                    "--quiet"))
    assert "'not a url' is not a scheduler's address" in line
    assert not out.exists()


def test_pool_workers_end_when_the_main_process_is_killed(tmp_path):
    """kill -9 of a compare's main process: its pool's workers (children of the
    forkserver) end within seconds instead of finishing their runs and waiting for more."""
    psutil = pytest.importorskip("psutil")
    comparison = tiny_comparison(tmp_path, replicates=8)
    proc = subprocess.Popen([sys.executable, str(REPO / "run.py"), "compare",
                             str(comparison), "--workers", "2", "--borrowers", "3000",
                             "--out", str(tmp_path / "out"), "--quiet"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and len(workers) < 2:
            assert proc.poll() is None, "the comparison ended before its workers started"
            workers = [grandchild for child in psutil.Process(proc.pid).children()
                       if "forkserver" in " ".join(child.cmdline())
                       for grandchild in child.children()]
            time.sleep(0.5)
        assert len(workers) >= 2, "no pool workers appeared"
        server = workers[0].parent()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        gone, alive = psutil.wait_procs([*workers, server], timeout=10)
        assert not alive, f"still running after their parent was killed: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for worker in workers:
            if worker.is_running():
                worker.kill()
