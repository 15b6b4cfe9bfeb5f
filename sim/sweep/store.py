"""The `shards/` folder of a sweep's results: finished runs written as they arrive, in
Parquet parts of up to `PART_ROWS` runs (each written atomically), so an interrupted sweep
loses at most the runs since the last part and `--resume` skips every run already written. A
part or daily series that cannot be read whole is removed with a warning (a series' run is
taken out of its part), so its runs are run again."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.runner import ShardStore, unreadable, warn_damaged
from sim.report.writer import write_frame
from sim.sweep.execute import SweepTask

PART_ROWS = 100
"""Runs per shard part."""

PART_SECONDS = 30.0
"""A part is also written when its oldest run has waited this long (seconds)."""


class SweepStore(ShardStore):
    """Shards of one sweep (the config hash in `config_hash.txt` guards `--resume`)."""

    def __init__(self, folder: Path, config_hash: str) -> None:
        super().__init__(folder, config_hash)
        self._rows: list[dict[str, Any]] = []
        self._since = time.monotonic()
        self._parts = 0

    def open(self, resume: bool) -> None:
        super().open(resume)
        (self.folder / "series").mkdir(exist_ok=True)
        self._parts = len(list(self.folder.glob("part-*.parquet")))

    def drop_damaged(self) -> None:
        """Remove the parts and daily series that cannot be read whole, with a warning line
        each; a run whose series is damaged is taken out of its part, so it is run again."""
        for part in sorted(self.folder.glob("part-*.parquet")):
            problem = unreadable(part)
            if problem is not None:
                warn_damaged(f"the shard part {part.name}", problem)
                part.unlink()
        damaged = set()
        for path in sorted(self.folder.glob("series/*.parquet")):
            problem = unreadable(path)
            if problem is not None:
                warn_damaged(f"the daily series of run {path.stem}", problem)
                path.unlink()
                damaged.add(path.stem)
        if not damaged:
            return
        for part in sorted(self.folder.glob("part-*.parquet")):
            frame = pd.read_parquet(part)
            if frame["key"].isin(damaged).any():
                write_frame(part, frame[~frame["key"].isin(damaged)])

    def done(self) -> set[str]:
        """Keys of the runs already written."""
        return set(self._read(columns=["key"])["key"])

    def add(self, task: SweepTask, row: dict[str, Any], frame: pd.DataFrame | None) -> None:
        """Keep one finished run (its row, and its daily series if asked for)."""
        if frame is not None:
            frame = frame.copy()
            frame.insert(0, "key", task.key)
            write_frame(self.folder / "series" / f"{task.key}.parquet", frame)
        if not self._rows:
            self._since = time.monotonic()
        self._rows.append({"key": task.key, "stage": task.stage, "point": task.point,
                           "world": task.world, "replicate": task.replicate,
                           "seed": task.seed, **row})
        if len(self._rows) >= PART_ROWS or time.monotonic() - self._since > PART_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the runs kept since the last part as a new part."""
        if not self._rows:
            return
        while (self.folder / f"part-{self._parts:06d}.parquet").exists():
            self._parts += 1
        write_frame(self.folder / f"part-{self._parts:06d}.parquet", pd.DataFrame(self._rows))
        self._parts += 1
        self._rows = []

    def runs(self) -> pd.DataFrame:
        """Every run written, one row each, ordered by stage, world, point and replicate."""
        self.flush()
        frame = self._read()
        if not len(frame):
            return frame
        frame = frame.drop_duplicates("key", keep="last")
        return frame.sort_values(["stage", "world", "point", "replicate"],
                                 ignore_index=True)

    def series(self) -> pd.DataFrame:
        """The daily series written (runs made with series on)."""
        parts = sorted((self.folder / "series").glob("*.parquet"))
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts \
            else pd.DataFrame()

    def _read(self, columns: list[str] | None = None) -> pd.DataFrame:
        parts = sorted(self.folder.glob("part-*.parquet"))
        frames = [pd.read_parquet(p, columns=columns) for p in parts]
        if self._rows:
            frames.append(pd.DataFrame(self._rows, columns=columns))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["key"])
