"""Routes name the places they pass as they are in the route's year (serai.data.names).

Before: Baku -> Aktau passed "Alat (Baku Int'l Sea Trade Port) / Baku port (Alat) phase 2 /
Baku International Sea Trade Port (Alat)" in every year, though phase 2 is planned with no
date (tools/data/facts/points.csv), and Baku -> Anaklia in 2025 ended at "Anaklia deep-sea
port", planned for 2029, where the route reaches only the rail line at its site.
"""

from __future__ import annotations


def _names(route) -> set[str]:
    legs = route.legs
    return set(legs["from_name"].astype(str)) | set(legs["to_name"].astype(str))


def test_a_route_through_alat_does_not_name_phase_2(eurasia_router_2025):
    r = eurasia_router_2025.route("Baku", "Aktau")
    names = _names(r)
    assert any("Baku International Sea Trade Port (Alat)" in n for n in names), names
    assert not any("phase 2" in n for n in names), names


def test_a_route_to_anaklia_before_2029_does_not_end_at_the_port(eurasia_router_2025):
    r = eurasia_router_2025.route("Baku", "Anaklia")
    assert not any("Anaklia deep-sea port" in n for n in _names(r)), _names(r)
