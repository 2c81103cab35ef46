import numpy as np
import pytest

from serai.errors import InputError
from serai.network import read_demand, read_flows, read_network, validate, write_network
from serai.network.io import write_demand
from tests.conftest import SIOUX, tntp_net


def test_sioux_falls_reads(sioux_net):
    net = sioux_net
    assert len(net.nodes) == 24 and len(net.links) == 76
    assert net.nodes["is_zone"].all() and net.nodes["passable"].all()
    assert validate(net).ok
    first = net.links.iloc[0]
    assert (first.from_node, first.to_node, first.capacity, first.free_flow_time) == (
        1,
        2,
        25900.20064,
        6,
    )
    assert first.alpha == 0.15 and first.beta == 4
    assert net.nodes.loc[0, "x"] == pytest.approx(-96.77041974)


def test_trips_total_matches_metadata():
    trips = read_demand(SIOUX / "SiouxFalls_trips.tntp")
    assert trips["volume"].sum() == pytest.approx(360600.0)
    assert trips["origin"].nunique() == 24


def test_flows():
    flows = read_flows(SIOUX / "SiouxFalls_flow.tntp")
    assert len(flows) == 76 and flows.loc[0, "volume"] == pytest.approx(4494.6576464564205)


def test_first_thru_node_blocks_zones():
    net = read_network(tntp_net("Anaheim", "Anaheim"))
    nodes = net.nodes.set_index("node_id")
    assert nodes.loc[1:38, "is_zone"].all() and not nodes.loc[1:38, "passable"].any()
    assert nodes.loc[39:, "passable"].all()


def test_chicago_zero_times_and_first_thru_one():
    net = read_network(tntp_net("ChicagoSketch", "Chicago-Sketch"))
    assert (net.links["free_flow_time"] == 0).sum() > 0
    assert net.nodes["passable"].all()  # FIRST THRU NODE 1
    report = validate(net)
    zeros = int((net.links["free_flow_time"] == 0).sum())
    # said once, with the count
    assert report.ok and len(report.warnings) == 1
    assert f": {zeros} of {len(net.links)} rows" in report.warnings[0].message


def test_roundtrip(tmp_path, sioux_net):
    out = write_network(sioux_net, tmp_path / "SF_net.tntp")
    back = read_network(out)
    cols = [
        "link_id",
        "from_node",
        "to_node",
        "capacity",
        "length",
        "free_flow_time",
        "alpha",
        "beta",
    ]
    assert back.links[cols].equals(sioux_net.links[cols])
    np.testing.assert_allclose(back.nodes["x"], sioux_net.nodes["x"])
    trips = read_demand(SIOUX / "SiouxFalls_trips.tntp")
    write_demand(trips, tmp_path / "SF_trips.tntp")
    again = read_demand(tmp_path / "SF_trips.tntp")
    assert again.equals(trips)


def test_bad_line_names_file_row_field(tmp_path):
    text = (SIOUX / "SiouxFalls_net.tntp").read_text().replace("25900.20064", "lots", 1)
    p = tmp_path / "bad_net.tntp"
    p.write_text(text)
    with pytest.raises(InputError, match=r"bad_net.tntp, row 10, field 'capacity': not a number"):
        read_network(p)


def test_write_never_overwrites(tmp_path, sioux_net):
    p = tmp_path / "x_net.tntp"
    p.write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        write_network(sioux_net, p)
    assert p.read_text() == "mine"


def test_cost_factor_that_is_not_a_number_names_the_metadata(tmp_path):
    text = (SIOUX / "SiouxFalls_net.tntp").read_text()
    bad = tmp_path / "x_net.tntp"
    bad.write_text(text.replace("<END OF METADATA>", "<TOLL FACTOR> cheap\n<END OF METADATA>", 1))
    with pytest.raises(InputError, match=r"metadata <TOLL FACTOR> is not a number: 'cheap'"):
        read_network(bad)
