"""Run functions for the sweep's failure tests: they kill their own worker process (SIGKILL,
as the kernel's out-of-memory killer would) or stop the sweep as Ctrl-C would, for one chosen
run. They live in a module of their own so worker processes can import them."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from sim.sweep.execute import RunRequest, run_request

Chosen = dict[str, Any]
"""The run to act on: the world's values, the sample's values and the seed of its request."""


def _chosen(request: RunRequest, chosen: Chosen) -> bool:
    return (request.world, request.values, request.seed) == (
        chosen["world"], chosen["values"], chosen["seed"])


def kill_once(request: RunRequest, chosen: Chosen, marker: str) -> dict[str, Any]:
    """Kill the worker the first time the chosen run starts (the marker file remembers)."""
    if _chosen(request, chosen) and not Path(marker).exists():
        Path(marker).write_text("killed\n")
        os.kill(os.getpid(), signal.SIGKILL)
    return run_request(request)


def kill_always(request: RunRequest, chosen: Chosen) -> dict[str, Any]:
    """Kill the worker every time the chosen run starts."""
    if _chosen(request, chosen):
        os.kill(os.getpid(), signal.SIGKILL)
    return run_request(request)


def kill_every(request: RunRequest) -> dict[str, Any]:
    """Kill the worker at every run, as a worker that cannot run anything would die."""
    os.kill(os.getpid(), signal.SIGKILL)
    return run_request(request)


def interrupt(request: RunRequest, chosen: Chosen) -> dict[str, Any]:
    """Stop the sweep (KeyboardInterrupt reaches the client) when the chosen run starts."""
    if _chosen(request, chosen):
        raise KeyboardInterrupt
    return run_request(request)


def kill_replicate_one(comparison: Any, task: Any, burned: Any) -> dict[str, Any]:
    """A comparison's run function that kills its worker at every run of replicate 1."""
    from sim.batch.runner import _run_task

    if task.replicate == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return _run_task(comparison, task, burned)
