"""Masked landmarks (a mask's own ALT landmarks, :func:`serai.freight.search.masked_landmarks`)
as the service's routers get them: laid out for the search when chosen, chosen once a mask
is asked repeatedly and shared through the disk cache by the service's processes (route
workers, restarts), one process choosing them (claims), the others reading them; the
answers stay those of the unmasked bound.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from serai.freight import Constraints, Router, cache, search


@pytest.fixture(scope="module")
def eurasia(eurasia_router_2025) -> Router:
    """The shared router (conftest.py): the tests only route on copies of it (with_params)."""
    return eurasia_router_2025


ASK = ("Lanzhou", "Antwerp", "container")
RU = Constraints.make(avoid_countries=["RU"])


def _masked_sets(r: Router) -> list[tuple]:
    return [k for k in r._landmarks if k[0] == "masked"]


def _summary(route) -> tuple:
    return (route.vlink_rows.tolist(), round(route.totals["gc_usd"], 6), route.corridor)


def _service_router(eurasia: Router, key: str | None) -> Router:
    """A router as a route worker has it: landmarks chosen in the background, known to the
    disk cache under ``key`` (None: not), its objectives' landmarks chosen, masks whose
    searches never pay for landmarks."""
    r = eurasia.with_params(eurasia.params)
    r.landmarks_in_background = True
    r.masked_landmarks_work = 1e9  # (the per-process work rule would never choose them)
    if key is not None:
        cache._set_meta(r, key, ())
    r.landmarks(r.costs("container"), "time")  # (chosen by the service's warm-up)
    return r


def _join_choosers() -> None:
    for t in threading.enumerate():
        if t.name == "serai-masked-landmarks":
            t.join(60)


def _ask(r: Router, times: int) -> list:
    got = []
    for _ in range(times):
        got.append(r.route(*ASK, objective="time", constraints=RU))
        _join_choosers()
    return got


def test_chosen_masked_landmarks_are_laid_out_for_the_search(eurasia, monkeypatch):
    """Masked landmarks chosen in this process are one C-ordered (node, 2, landmark) array
    (see :func:`~serai.freight.search.paired`), which a search uses as it is: chosen as a
    transposed stack, they were copied (10 MB on the embedded network) on every search."""
    monkeypatch.setenv("SERAI_CACHE_DIR", "off")
    r = eurasia.with_params(eurasia.params)
    r.landmarks_after, r.masked_landmarks_work = 0, 0
    lc = r.costs("container")
    bound = r._bound(lc, "time", RU)
    assert bound[0] is r._landmarks[_masked_sets(r)[0]][1]
    both = bound[0].base
    assert both.shape == (r.rg.graph.n_nodes, 2, r.n_masked_landmarks)
    assert both.flags.c_contiguous and not both.flags.writeable
    assert search._marks(*bound) is both  # no copy for the search
    assert np.shares_memory(bound[1], both)


def test_service_routers_share_a_repeated_masks_landmarks_through_the_disk(
    eurasia, monkeypatch, tmp_path
):
    """With a disk cache, a service router gets a mask's landmarks on its third search,
    without waiting for its own searches to pay for them (they are paid once for every
    process of that code): chosen and stored by the first process, read (never chosen
    again) by another. The answers are those of a router without masked landmarks."""
    monkeypatch.setenv("SERAI_CACHE_DIR", str(tmp_path))
    first = _service_router(eurasia, "k" * 32)
    got = _ask(first, 4)
    assert len(_masked_sets(first)) == 1
    assert len(list(tmp_path.glob(f"marks-{'k' * 32}-*.npy"))) == 1
    assert not list(tmp_path.glob(".marks-*.claim"))  # released
    other = _service_router(eurasia, "k" * 32)

    def refuse(*a):
        raise AssertionError("chosen again")

    monkeypatch.setattr("serai.paths._kernels.landmarks", refuse)
    got += _ask(other, 4)
    assert len(_masked_sets(other)) == 1
    monkeypatch.undo()
    plain = eurasia.with_params(eurasia.params)
    plain.n_masked_landmarks = 0
    want = _summary(plain.route(*ASK, objective="time", constraints=RU))
    assert all(_summary(g) == want for g in got)


def test_without_a_disk_cache_the_work_rule_stands(eurasia, monkeypatch):
    """No disk cache (or a router it does not know): nothing to share them through, so a
    mask's landmarks still wait until this process's searches did the work."""
    monkeypatch.setenv("SERAI_CACHE_DIR", "off")
    r = _service_router(eurasia, None)
    _ask(r, 5)
    assert not _masked_sets(r)


def test_a_mask_claimed_by_another_process_is_read_once_stored(eurasia, monkeypatch, tmp_path):
    """While another process holds the claim on a mask's landmarks (it is choosing them),
    this one does not choose them: its searches keep the unmasked bound and look again
    after ``RETRY_S``; once stored, they are read. A claim left by a dead process (older
    than ``CLAIM_STALE_S``) is taken over."""
    monkeypatch.setenv("SERAI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(search, "RETRY_S", 0.0)
    maker = _service_router(eurasia, "c" * 32)
    _ask(maker, 3)
    stored = list(tmp_path.glob("marks-*.npy"))
    assert len(stored) == 1
    digest = stored[0].stem.split("-")[-1]
    hidden = stored[0].rename(tmp_path / "elsewhere.npy")
    assert cache.claim_marks(maker, digest)  # the other process, choosing them
    assert not cache.claim_marks(maker, digest)
    r = _service_router(eurasia, "c" * 32)
    chosen = []
    monkeypatch.setattr("serai.paths._kernels.landmarks", lambda *a: chosen.append(1))
    _ask(r, 4)
    assert not _masked_sets(r) and not chosen
    hidden.rename(stored[0])  # stored by the other process
    cache.release_marks(maker, digest)
    _ask(r, 1)
    assert len(_masked_sets(r)) == 1 and not chosen
    claim = tmp_path / f".{stored[0].stem}.claim"
    assert cache.claim_marks(maker, digest) and claim.is_file()
    old = time.time() - cache.CLAIM_STALE_S - 1
    os.utime(claim, (old, old))
    assert cache.claim_marks(maker, digest)  # stale: taken over
    cache.release_marks(maker, digest)
    assert not claim.exists()


def test_at_most_masked_landmark_sets_masks_chosen_ahead_of_the_work(
    eurasia, monkeypatch, tmp_path
):
    """A process chooses at most ``masked_landmark_sets`` masks' landmarks before their
    searches paid for them (a stream of ever new masks costs a bounded amount)."""
    monkeypatch.setenv("SERAI_CACHE_DIR", str(tmp_path))
    r = _service_router(eurasia, "m" * 32)
    r.masked_landmark_sets = 1
    for avoid in (["RU"], ["IR"]):
        cons = Constraints.make(avoid_countries=avoid)
        for _ in range(4):
            r.route(*ASK, objective="time", constraints=cons)
            _join_choosers()
    assert len(list(tmp_path.glob("marks-*.npy"))) == 1
    assert [k[-1][0] for k in _masked_sets(r)] == [frozenset({"RU"})]
