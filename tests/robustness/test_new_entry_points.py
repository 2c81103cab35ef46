"""Gates of the entry points added after the first robustness measurement (issue 12).

Each case was found by the harness (``python -m tests.robustness.harness --area cli
--only ...`` and the API calls of ``api_cases.py``): a traceback, a hang, or an
invalid input answered. Fast, library-level checks; the CLI sample is in
``test_cli_fuzz.py``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from serai.errors import InputError


@pytest.mark.parametrize(
    "kw",
    [
        {"text": ""},
        {"text": "  "},
        {"text": None},
        {"text": "Alma", "country": "XX"},
        {"text": "Alma", "country": "Narnia"},
        {"text": "Alma", "country": 7},
        {"text": "Alma", "limit": 0},
        {"text": "Alma", "limit": 10**9},
        {"text": "Alma", "limit": "3"},
    ],
)
def test_search_places_refuses(kw):
    from serai.freight.resolver import search_places

    with pytest.raises(InputError):
        search_places(**kw)


def test_search_places_country_by_name_or_code():
    from serai.freight.resolver import search_places

    a = search_places("Alma", country="Kazakhstan")
    b = search_places("Alma", country="kz")
    assert list(a["name"]) == list(b["name"]) and set(a["country"]) == {"KZ"}


def test_unknown_country_suggests():
    from serai.freight.gazetteer import load_gazetteer
    from serai.freight.resolver import country_iso

    gz = load_gazetteer()
    assert country_iso(gz, "Russia") == "RU"
    with pytest.raises(InputError, match="unknown country 'XX'"):
        country_iso(gz, "XX")


@pytest.mark.parametrize("km", [1e308, -1.0, math.nan, math.inf, "x", 50_000.0])
def test_road_leg_bounded(km):
    from serai.freight import road_leg

    with pytest.raises(InputError):  # 1e308 km looped day by day for ever
        road_leg(km)


def test_road_leg_longest_accepted():
    from serai.freight import road_leg

    leg = road_leg(40_000.0)
    assert math.isfinite(leg.hours) and leg.hours > 40_000.0 / 100


@pytest.mark.parametrize(
    "kw",
    [
        {"gap": 0.0},
        {"gap": math.nan},
        {"max_iter": 0},
        {"max_iter": 2.5},
        {"theta": math.inf},
        {"year": 99999},
        {"year": "x"},
        {"method": None},
        {"unmet_factor": -1.0},
        {"delay_scale": math.nan},
        {"time_limit": 0.0},
        {"max_paths": 0},
    ],
)
def test_flow_config_refuses(kw):
    from serai.flows import FlowConfig

    with pytest.raises(InputError):
        FlowConfig(**kw)


@pytest.mark.parametrize(
    "kw",
    [
        {"carbon_price_usd_per_t": math.nan},
        {"carbon_price_usd_per_t": math.inf},
        {"demand_growth": math.nan},
        {"demand_growth": -2.0},
        {"discount_rate": 1.0},
        {"horizon_years": 0},
    ],
)
def test_appraisal_settings_refuse(kw):
    from serai.scenarios.appraise import AppraisalSettings

    with pytest.raises(InputError):
        AppraisalSettings.of({}, **kw)


def test_check_folder(tmp_path, monkeypatch):
    from serai._fs import check_folder

    f = tmp_path / "file.csv"
    f.write_text("x\n")
    for bad in ("", ".", f, f / "sub", "/proc/serai_out"):
        with pytest.raises(InputError):
            check_folder(bad)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="current folder"):
        check_folder(tmp_path)
    assert check_folder(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.csv"]  # the probe is gone


@pytest.mark.parametrize("name", ["empty.csv", "folder.csv"])
def test_read_demand_empty_or_folder(tmp_path, name):
    from serai.demand import read_demand

    p = tmp_path / name
    p.mkdir() if name.startswith("folder") else p.write_text("")
    with pytest.raises(InputError):
        read_demand(p)


def test_load_demand_year_bounds():
    from serai.demand import load_demand

    for y in (-5, 0, 1800, 99999):
        with pytest.raises(InputError):
            load_demand(y)


@pytest.mark.parametrize(
    "args",
    [("", 8000, 1, "warning"), ("127.0.0.1", -1, 1, "warning"), ("127.0.0.1", 99999, 1, "info"),
     ("127.0.0.1", 8000, 0, "info"), ("127.0.0.1", 8000, 1, "loud")],
)  # fmt: skip
def test_serve_options_checked_before_start(args):
    from serai.cli.serve import _check_options

    with pytest.raises(InputError):
        _check_options(*args)


def test_numba_first_use_skips_scipy_linalg():
    """A cached kernel runs without importing scipy.linalg (numba's BLAS probe): start-up."""
    code = (
        "import sys, numpy as np\n"
        "from serai.paths._kernels import search\n"
        "from serai._jit import njit\n"
        "@njit(cache=False)\n"
        "def f(a):\n"
        "    return a.sum()\n"
        "assert f(np.arange(3.0)) == 3.0\n"
        "print('scipy.linalg' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", ["exists.csv", "d.xlsx", "sub"])
def test_demand_write_refuses_before_the_synthesis(tmp_path, name):
    """`serai demand write` checks its output first (the synthesis takes a minute under load)."""
    from typer.testing import CliRunner

    from serai.cli import app

    (tmp_path / "exists.csv").write_text("precious\n")
    (tmp_path / "sub").mkdir()
    r = CliRunner().invoke(app, ["demand", "write", str(tmp_path / name)])
    assert r.exit_code == 2, r.output  # serai's own error, not a traceback (exit 1/70)
    assert (tmp_path / "exists.csv").read_text() == "precious\n"


@pytest.mark.parametrize("year", ["99999", "-1", "1.5"])
def test_read_demand_year_column(tmp_path, year):
    from serai.demand import read_demand

    p = tmp_path / "d.csv"
    p.write_text(
        f"group,origin,destination,volume,unit,year\nmetals_ores,KZ_ALA,CN_XIY,1,t,{year}\n"
    )
    with pytest.raises(InputError, match="year"):
        read_demand(p)


@pytest.mark.parametrize("v", ["nan", "inf", "-inf", "1e300"])
def test_scenario_numbers_finite(v):
    from serai.scenarios import scenario_from_text

    text = (
        f'extends = "base-2024"\n[[parameter]]\nid = "border.rail.KZ.in"\nadd = {v}\nsource = "x"\n'
    )
    with pytest.raises(InputError):
        scenario_from_text(text, name="fz")


# --- found by the CLI run on the integrated code (this session): refused before the work


def _cli(*args, cwd=None):
    from typer.testing import CliRunner

    from serai.cli import app

    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_data_build_out_under_a_file_or_unwritable_is_refused_at_once(tmp_path):
    f = tmp_path / "legs.csv"
    f.write_text("a\n")
    for out in (f / "sub", "/proc/serai_build"):
        r = _cli("data", "build", "--out", str(out))
        assert r.exit_code == 2, r.output  # was: minutes of building, then the write failed
        assert "Traceback" not in r.output
    assert f.read_text() == "a\n"


def test_sweep_seed_out_of_range_is_refused():
    r = _cli("scenario", "sweep", "base-2024", "--store", "none", "--seed", "99999999999999999999")
    assert r.exit_code == 2 and "--seed" in r.output


def test_batch_year_is_checked_once_before_any_row(tmp_path):
    ship = tmp_path / "ship.csv"
    ship.write_text("origin,destination,commodity\nAlmaty,Poti,container_feu\n")
    out = tmp_path / "routes.csv"
    r = _cli("route", "--batch", str(ship), "--out", str(out), "--year", "99999")
    assert r.exit_code == 2 and "--year" in r.output
    assert not out.exists()  # was: a results file of 0 routed rows
