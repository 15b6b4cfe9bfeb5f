"""Burned-in markets kept on disk: read back, a fork goes on exactly as a fresh burn-in would;
any change to the base scenario, seed or length is another market."""

from __future__ import annotations

import numpy as np
import pytest

from sim.batch import burn_in_cache
from sim.batch.burn_in_cache import burned_in
from sim.batch.runner import simulate_run
from tests.helpers import make_config


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(burn_in_cache.ENV_VAR, str(tmp_path))
    return tmp_path


def test_a_kept_burn_in_continues_as_a_fresh_one(cache, monkeypatch):
    base = make_config(borrowers=800, days=120, seed=3)
    variant = make_config(borrowers=800, days=120, seed=3, deferral__enabled=True)
    first = simulate_run(base, variant, 150, seed=3, runoff_max_days=400)
    kept = list(cache.glob("*.pickle"))
    assert len(kept) == 1 and not list(cache.glob(".partial-*"))
    again = simulate_run(base, variant, 150, seed=3, runoff_max_days=400)  # read back
    monkeypatch.setenv(burn_in_cache.ENV_VAR, "off")
    fresh = simulate_run(base, variant, 150, seed=3, runoff_max_days=400)
    assert len(list(cache.glob("*.pickle"))) == 1
    for result in (again, fresh):
        assert result["summary"] == pytest.approx(first["summary"], nan_ok=True)
        assert np.array_equal(result["life_digest"], first["life_digest"])
        assert result["frame"].equals(first["frame"])


def test_another_base_seed_or_length_is_another_market(cache):
    base = make_config(borrowers=300, days=60, seed=1)
    keys = {burn_in_cache.cache_key(base, 1, 60), burn_in_cache.cache_key(base, 2, 60),
            burn_in_cache.cache_key(base, 1, 61),
            burn_in_cache.cache_key(make_config(borrowers=300, days=60, seed=1,
                                                shocks__job_loss_rate=0.2), 1, 60)}
    assert len(keys) == 4


def test_an_unreadable_file_is_simulated_again_and_replaced(cache):
    base = make_config(borrowers=300, days=60, seed=1)
    path = cache / burn_in_cache.cache_key(base, 1, 40)
    path.write_bytes(b"not a market")
    model = burned_in(base, 1, 40)
    assert model.day == 40
    assert burn_in_cache.load(path).day == 40


def test_the_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(burn_in_cache.ENV_VAR, "off")
    assert burn_in_cache.cache_folder() is None
