"""`serai route`'s errors name the option the user typed, not the Python API's field.

Before: "field 'carbon_price_usd_per_t': ...", "field 'avoid_countries': ...", "field
'origin': ..." for --carbon-price, --avoid-country, --from. Oracle: the option given is the
only bad argument of the command line, so the one-line error must name it.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from serai.cli import app
from serai.network import write_network
from tests.freight.toy import toy_network


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "net"
    write_network(toy_network(), path, format="csv")
    return path


BAD = [
    (["--from", "Atlantis"], "--from"),
    (["--to", "Atlantis"], "--to"),
    (["--commodity", "coal"], "--commodity"),
    (["--objective", "fastest"], "--objective"),
    (["--carbon-price", "-5"], "--carbon-price"),
    (["--avoid-country", "Narnia"], "--avoid-country"),
    (["--avoid-passage", "red"], "--avoid-passage"),
    (["--modes", "air"], "--modes"),
    (["--via", "Atlantis"], "--via"),
    (["--crew", "triple"], "--crew"),
    (["--to-country", "XX"], "--to-country"),
    (["--reliability", "--month", "13"], "--month"),
    (["--reliability", "--deadline", "-3"], "--deadline"),
    (["--alternatives", "9"], "--alternatives"),
]


@pytest.mark.parametrize(("bad", "option"), BAD, ids=[o for _, o in BAD])
def test_the_error_names_the_option(net_dir, bad, option):
    base = {"--from": "Almaty", "--to": "Duisburg"}
    given = dict(zip(bad[::2], bad[1::2], strict=False)) if "--reliability" not in bad else {}
    argv = ["route", "--network", str(net_dir), "--no-server"]
    for k, v in base.items():
        if k not in given:
            argv += [k, v]
    r = CliRunner().invoke(app, [*argv, *bad])
    assert r.exit_code == 2, r.output
    line = r.output.strip()
    assert "\n" not in line, line
    assert line.startswith(f"error: field '{option}': "), line
