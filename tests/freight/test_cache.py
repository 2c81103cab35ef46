"""The on-disk router cache: hits return the same answers, keys follow content, writes are atomic."""

from __future__ import annotations

import threading

import pytest

from serai.freight import cache
from serai.freight.query import load_network, make_router
from serai.network import write_network
from tests.freight.toy import toy_network


@pytest.fixture()
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("SERAI_CACHE_DIR", str(root))
    return root


@pytest.fixture()
def net_dir(tmp_path):
    path = tmp_path / "net"
    write_network(toy_network(), path, format="csv")
    return path


def _answer(router):
    r = router.route("Almaty", "Duisburg", "container", avoid_countries=["RU"])
    return r.corridor, round(r.days, 9), round(r.usd, 9), tuple(r.legs["from_node"])


def test_hit_gives_the_same_routes_as_a_fresh_build(cache_root, net_dir):
    fresh = make_router(load_network(net_dir))
    first = cache.cached_router(net_dir)  # miss: built and stored
    files = list(cache_root.glob("router-*.pkl"))
    assert len(files) == 1
    second = cache.cached_router(net_dir)  # hit: read back
    assert second is not first
    assert _answer(second) == _answer(fresh) == _answer(first)
    # the second call warmed the container costs: stored again, read back warm
    assert cache.save_router(second) is True
    assert cache.save_router(second) is False  # nothing new
    third = cache.cached_router(net_dir)
    assert _answer(third) == _answer(fresh)


def test_key_follows_content_year_and_code(cache_root, net_dir, monkeypatch):
    k0 = cache.router_key(net_dir)
    assert cache.router_key(net_dir) == k0
    assert cache.router_key(net_dir, year=2030) != k0
    nodes = net_dir / "nodes.csv"
    nodes.write_text(nodes.read_text().replace("Duisburg", "Duisburg-Ruhrort"))
    k1 = cache.router_key(net_dir)
    assert k1 != k0
    router = cache.cached_router(net_dir)
    assert router.route("Almaty", "Duisburg-Ruhrort", "container").destination_name == (
        "Duisburg-Ruhrort"
    )
    monkeypatch.setattr(cache, "code_hash", lambda: "other code")
    assert cache.router_key(net_dir) != k1


def test_code_key_follows_the_gazetteer(tmp_path, monkeypatch):
    """A cached router holds node labels made from the gazetteer (serai/data/places): a
    corrected place name must not be answered from a router cached before it."""
    import serai
    from serai import _cachekey

    pkg = tmp_path / "serai"
    places = pkg / "data" / "places"
    places.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    table = places / "places.parquet"
    table.write_bytes(b"Sol-lletsk")
    monkeypatch.setattr(serai, "__file__", str(pkg / "__init__.py"))
    _cachekey.code_hash.cache_clear()
    try:
        before = _cachekey.code_hash()
        table.write_bytes(b"Sol-Iletsk")
        _cachekey.code_hash.cache_clear()
        assert _cachekey.code_hash() != before
    finally:
        _cachekey.code_hash.cache_clear()


def test_torn_file_is_rebuilt(cache_root, net_dir):
    cache.cached_router(net_dir)
    (entry,) = cache_root.glob("router-*.pkl")
    entry.write_bytes(entry.read_bytes()[:1000])  # a torn write (not possible via _write_atomic)
    router = cache.cached_router(net_dir)
    assert _answer(router)[0] == "Middle Corridor (TITR)"
    assert entry.stat().st_size > 1000


def test_concurrent_writers_leave_one_whole_entry(cache_root, net_dir):
    router = cache.cached_router(net_dir)
    key = cache._meta(router)[0]
    errors = []

    def write():
        try:
            for _ in range(3):
                with cache._META_LOCK:  # forget what was stored: every call writes again
                    cache._META.pop(router, None)
                cache.save_router(router, key + "x")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert not list(cache_root.glob(".*.tmp"))  # no temporary file left behind
    back = cache.load_cached(key + "x")
    assert back is not None and _answer(back) == _answer(router)


def test_cache_off(monkeypatch, net_dir, tmp_path):
    monkeypatch.setenv("SERAI_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    router = cache.cached_router(net_dir)
    assert _answer(router)[0] == "Middle Corridor (TITR)"


def test_prune_keeps_newest(cache_root):
    import os

    cache_root.mkdir(parents=True)
    for i in range(cache.KEEP + 3):
        p = cache_root / f"router-{i:02d}.pkl"
        p.write_bytes(b"x")
        os.utime(p, (1000 + i, 1000 + i))
    cache._prune(cache_root)
    left = sorted(p.name for p in cache_root.glob("router-*.pkl"))
    assert left == [f"router-{i:02d}.pkl" for i in range(3, cache.KEEP + 3)]


def test_string_arrays_round_trip_exactly(tmp_path):
    """Object arrays of str are stored as codes + distinct strings; every other array as before."""
    import numpy as np
    import pandas as pd

    rnd = np.random.default_rng(5)
    words = np.array(["rail", "sea", "", "Алматы", "x" * 300, "ferry"], dtype=object)
    arrays = {
        "flat": words[rnd.integers(0, len(words), 5000)],
        "c2d": words[rnd.integers(0, len(words), (40, 30))],
        "f2d": np.asfortranarray(words[rnd.integers(0, len(words), (40, 30))]),
        "mixed": np.array(["a", None, float("nan"), 3] * 40, dtype=object),
        "np_str": np.array([np.str_("a"), np.str_("b")] * 40, dtype=object),
        "short": np.array(["a", "b"], dtype=object),
        "empty_2d": np.empty((0, 70), dtype=object),
        "numbers": rnd.random(1000),
    }
    df = pd.DataFrame({"name": arrays["flat"][:200], "km": np.arange(200.0)})
    path = tmp_path / "entry.pkl"
    path.write_bytes(b"".join(bytes(c) for c in cache._dumps({"arrays": arrays, "df": df})))
    back = cache._loads_mapped(path)
    for name, a in arrays.items():
        b = back["arrays"][name]
        assert b.dtype == a.dtype and b.shape == a.shape, name
        assert b.flags.f_contiguous == a.flags.f_contiguous, name
        assert [type(x) for x in b.ravel()] == [type(x) for x in a.ravel()], name
        assert pd.Series(b.ravel()).equals(pd.Series(a.ravel())), name
    pd.testing.assert_frame_equal(back["df"], df)


def test_cached_router_tables_equal_the_built_ones(cache_root, net_dir):
    import numpy as np

    built = cache.cached_router(net_dir)
    back = cache.cached_router(net_dir)
    assert back is not built
    for name, a in built._cols.items():
        b = back._cols[name]
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    for name in ("_e_kind", "_e_mode", "_e_passage", "_e_service"):
        assert np.array_equal(getattr(built, name), getattr(back, name)), name
    assert back.labels.equals(built.labels)
