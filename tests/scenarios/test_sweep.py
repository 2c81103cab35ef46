"""A sweep on a real dask.distributed LocalCluster: results land in the store, a failed
member (in the worker or in its file) is reported and the others go on."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")


def test_sweep_on_a_local_cluster(tmp_path):
    from serai.scenarios.sweep import sweep
    from serai.store import open_store

    bad_apply = tmp_path / "reopen-open-border.toml"
    bad_apply.write_text(  # valid file; fails in the worker when applied (nothing to reopen)
        'extends = "base-2024"\n[[border]]\na = "KZ"\nb = "CN"\nstatus = "open"\nestimate = true\n'
        'note = "test"\n',
        encoding="utf-8",
    )
    bad_file = tmp_path / "typo.toml"
    bad_file.write_text(
        'extends = "base-2024"\n[[close]]\nelemnt = "passage:suez"\n', encoding="utf-8"
    )
    seen = []
    st = open_store(tmp_path / "runs.duckdb")
    res = sweep(
        ["base-2024", str(bad_apply), "red-sea-closure", str(bad_file)],
        workers=2,
        flows=False,
        routes=False,
        store=st,
        progress=lambda done, total, name, status: seen.append((done, total, status)),
        keep_results=True,
    )
    m = res.members.set_index("scenario")
    assert m.loc["base-2024", "status"] == "ok" and m.loc["red-sea-closure", "status"] == "ok"
    assert m.loc["reopen-open-border", "status"] == "failed"
    assert (
        "line 4" in m.loc["reopen-open-border", "error"]
        and "no closed border" in m.loc["reopen-open-border", "error"]
    )
    assert (
        m.loc[str(bad_file), "status"] == "failed"
        and "did you mean element" in m.loc[str(bad_file), "error"]
    )
    assert sorted(d for d, _, _ in seen) == [1, 2, 3, 4] and all(t == 4 for _, t, _ in seen)
    runs = st.runs()
    assert len(runs) == 4 and set(runs["sweep_id"]) == {res.sweep_id}
    assert sorted(runs["status"]) == ["failed", "failed", "ok", "ok"]
    # the stored result is the worker's result
    r = res.results["red-sea-closure"]
    back = st.get(m.loc["red-sea-closure", "run_id"])
    assert back.record["scenario_hash"] == r.scenario.hash
    assert back.tables["changes"]["what"].tolist() == r.tables["changes"]["what"].tolist()
    st.close()
