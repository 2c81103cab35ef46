"""The observations: every published tariff and time of the facts is read, sets are consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from serai.data import load_network
from serai.freight.observations import (
    QUERY_SETS,
    cli_command,
    load_observations,
    load_relations,
    observation_band,
    scope_weights,
)
from serai.freight.params import MONEY, TIME


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return load_observations()


def _refs(obs: pd.DataFrame, table: str) -> set[str]:
    out = set()
    for cell in obs["facts_ref"]:
        for part in str(cell).split(";"):
            part = part.strip()
            if part.startswith(f"{table}:"):
                out.add(part.split(":", 1)[1])
    return out


def test_every_published_tariff_is_read(obs):
    tariffs = load_network().tables["tariffs"].copy()
    for c in ("value", "low", "high"):
        tariffs[c] = pd.to_numeric(tariffs[c].replace("", None), errors="coerce")
    refs = _refs(obs, "tariffs")
    assert set(tariffs["tariff_id"]) <= refs, set(tariffs["tariff_id"]) - refs
    # and the figures agree with the network's copy of the facts
    for t in tariffs.to_dict("records"):
        rows = obs[
            obs["facts_ref"].str.contains(f"tariffs:{t['tariff_id']}", regex=False)
            & (obs["quantity"] == "tariff")
        ]
        for r in rows.to_dict("records"):
            lo, hi = observation_band(r)
            if pd.notna(t["value"]) and pd.isna(t["low"]) and r["set"] != "not_compared":
                if t["tariff_id"].startswith("feu_china_europe_northern"):
                    assert lo <= float(t["value"]) <= hi  # both directions in one V10 band
                else:
                    assert float(r["value"]) == pytest.approx(float(t["value"]))
            elif pd.notna(t["low"]):
                assert (float(r["low"]), float(r["high"])) == (float(t["low"]), float(t["high"]))


def test_every_published_route_time_is_read(obs):
    vr = load_network().tables["validation_routes"]
    times = set(vr.loc[vr["metric"].astype(str).str.startswith("time"), "route_id"])
    refs = _refs(obs, "validation_routes")
    assert times <= refs, times - refs


def test_sets_and_queries(obs):
    assert obs["obs_id"].is_unique
    q = obs[obs["set"].isin(QUERY_SETS)]
    assert (q["origin"] != "").all() and (q["destination"] != "").all()
    assert (obs["reason"] != "").all()  # every row says why it is in its set
    cal = obs[obs["set"] == "calibration"]
    val = obs[obs["set"] == "validation"]
    assert len(cal) and len(val)
    # no quantity is both fitted and validated: the same query in both sets has another scope
    key = ["origin", "destination", "via", "avoid_countries", "avoid_passages", "modes",
           "commodity", "quantity", "scope"]  # fmt: skip
    both = cal[key].merge(val[key], on=key)
    assert both.empty, both
    rel = load_relations()
    assert set(rel["numerator"]) | set(rel["denominator"]) <= set(obs["obs_id"])


def test_scope_weights_by_hand():
    kind = np.array(["access", "move", "border", "move", "board", "move", "egress"])
    mode = np.array(["connector", "rail", "transfer", "rail", "transfer", "rail", "connector"])
    country = np.array(["CN", "CN", "KZ", "KZ", "KZ", "", "AZ"])
    fc = np.array(["CN", "CN", "CN", "KZ", "KZ", "KZ", "AZ"])
    tc = np.array(["CN", "KZ", "KZ", "KZ", "KZ", "AZ", "AZ"])
    svc = np.array(["", "", "", "", "s", "s", ""])
    k = len(TIME)

    def w(scope, quantity="time"):
        return scope_weights(scope, quantity, kind, mode, country, fc, tc, svc)

    assert (w("door_to_door")[:k] == 1).all() and (w("door_to_door")[k:] == 0).all()
    t2t = w("terminal_to_terminal")
    assert (t2t[:, 0] == 0).all() and (t2t[:, -1] == 0).all() and (t2t[:k, 1:-1] == 1).all()
    kz = w("country:KZ")
    # in Kazakhstan: the entry side of the CN>KZ border, the Kazakh move and the boarding;
    # not the Chinese exit side, not the ferry (no country)
    assert kz[TIME.index("border_in"), 2] == 1 and kz[TIME.index("border_out"), 2] == 0
    assert (kz[:k, 3] == 1).all() and (kz[:k, 4] == 1).all() and (kz[:k, 5] == 0).all()
    assert (w("x", "tariff")[k:] == 1).all() and len(MONEY) == w("x", "tariff")[k:].shape[0]
    sc = w("service_crossing")
    assert sc[TIME.index("motion"), 5] == 1 and sc.sum() == 1


def test_cli_command_is_what_a_user_types(obs):
    r = obs.set_index("obs_id").loc["interrail_tm_20"].to_dict()
    assert cli_command(r) == (
        'serai route --from Tashkent --to "Istanbul port" --year 2020 --commodity container_teu '
        '--via "Turkmenbashi port" --via "Alat port" --via Akhalkalaki --avoid-country KZ '
        "--modes rail,ferry"
    )
