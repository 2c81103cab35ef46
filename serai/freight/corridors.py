"""Corridor label of a route, derived from the elements it uses.

The rules are data (``RULES``): each names the countries, sea passages or
Caspian crossing a route must use. A route gets the first matching land label
(plus ``CKU`` when it uses the CKU railway, ``Kyrgyzstan road`` when it enters
Kyrgyzstan straight from China by road and goes on to Uzbekistan, ``Zangezur`` when it
takes the TRIPP line through Armenia's Syunik (Meghri) between mainland Azerbaijan and
Nakhchivan), or a sea label when most of its
distance is at sea (unless it crossed the Caspian: the land corridor that reached the
port, ``Middle Corridor (TITR) + sea``), with the land bridge it takes (``Sea + land via Iran`` for a ship
to Bandar Abbas and rail on through Iran and Türkiye).

The CKU (China–Kyrgyzstan–Uzbekistan) is a railway, under construction (facts §2.3:
opening around 2030); its links are the named line ``cku``. It is the only railway
between China and Kyrgyzstan, so a route entering Kyrgyzstan from China without it goes
by road (Torugart, Irkeshtam) and is not labelled after the railway.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

__all__ = ["RULES", "corridor_label"]

# label, required countries (all), required passages (any), needs a Caspian crossing
RULES: tuple[tuple[str, frozenset[str], frozenset[str], bool], ...] = (
    ("Middle Corridor (TITR)", frozenset(), frozenset(), True),
    ("Northern (via Russia)", frozenset({"RU"}), frozenset(), False),
    ("Southern (via Iran)", frozenset({"IR"}), frozenset(), False),
)
SEA_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Sea via Suez", frozenset({"suez", "babalmandab", "bab_el_mandeb"})),
    ("Sea via Cape", frozenset({"cape", "cape_of_good_hope", "good_hope"})),
    ("Sea via Panama", frozenset({"panama"})),
    ("Sea via Northern Sea Route", frozenset({"northern_sea_route", "nsr"})),
)
CASPIAN = frozenset({"KZ", "TM", "RU", "IR"}), frozenset({"AZ"})
# countries whose land a mostly-sea route may cross between two coasts (a land bridge):
# "Sea + land via <name>" when the route moves through one of them between its first and
# last country
LAND_BRIDGES: tuple[tuple[str, str], ...] = (("IR", "Iran"), ("RU", "Russia"))
# the named lines of the Zangezur link (facts §2.3): the TRIPP / Meghri section through
# Armenia between Horadiz-Aghband (mainland Azerbaijan) and the Nakhchivan railway. A route
# merely in both Armenia and Azerbaijan (Baku-Tbilisi-Yerevan; Yerevan-Iran-Nakhchivan)
# does not use it.
ZANGEZUR_LINES = frozenset({"tripp_armenia"})


def corridor_label(
    countries: Iterable[str],
    passages: Iterable[str],
    ferry_country_pairs: Iterable[tuple[str, str]] = (),
    sea_share: float = 0.0,
    lines: Iterable[str] = (),
) -> str:
    """Label a route from the countries, sea passages and ferry crossings it uses.

    Parameters
    ----------
    countries
        ISO2 codes of the countries the route moves through, in order.
    passages
        Sea passages (``suez``, ``cape``, ``bosporus``, ...).
    ferry_country_pairs
        (from, to) countries of each ferry service used.
    sea_share
        Share of the route's km at sea.
    lines
        Names of the links used (named lines such as ``cku`` or ``tripp_armenia``
        mark their corridor even when the data gives the whole line one country).

    Examples
    --------
    >>> from serai.freight.corridors import corridor_label
    >>> corridor_label(["CN", "KZ", "AZ", "GE", "TR"], [], [("KZ", "AZ")])
    'Middle Corridor (TITR)'
    >>> corridor_label(["CN", "KZ", "RU", "BY", "PL", "DE"], [])
    'Northern (via Russia)'
    >>> corridor_label(["CN", "KG", "UZ", "TM", "IR", "TR"], [], lines=["cku"])
    'CKU + Southern (via Iran)'
    >>> corridor_label(["CN", "KG", "UZ"], [])   # no CKU railway used: the road
    'Kyrgyzstan road'
    >>> corridor_label(["CN", "KZ", "KG", "KZ", "UZ", "TM", "IR", "TR"], [])
    'Southern (via Iran)'
    >>> corridor_label(["CN", "IR", "TR", "BG", "DE"], ["malacca", "ormuz"], sea_share=0.8)
    'Sea + land via Iran'
    >>> corridor_label(["CN", "KZ", "RO", "DE"], ["volga_don"], [("KZ", "RO")])
    'Volga–Don (via Russia)'
    >>> corridor_label(["CN", "NL"], ["malacca", "babalmandab", "suez"], sea_share=0.97)
    'Sea via Suez'
    >>> corridor_label(["KZ", "AZ", "GE", "US"], ["bosporus", "gibraltar"], [("KZ", "AZ")], 0.8)
    'Middle Corridor (TITR) + sea'
    >>> corridor_label(["AZ", "AM", "TR"], [], lines=["horadiz_aghband", "tripp_armenia"])
    'Other land route + Zangezur'
    >>> corridor_label(["AZ", "GE", "AM"], [])   # Baku-Tbilisi-Yerevan: not Zangezur
    'Other land route'
    """
    countries = list(countries)
    cs = set(countries)
    ps = {p.lower() for p in passages if p}
    caspian = any(
        (a in CASPIAN[0] and b in CASPIAN[1]) or (b in CASPIAN[0] and a in CASPIAN[1])
        for a, b in ferry_country_pairs
    )
    if sea_share > 0.5 and not caspian:
        label = next((lab for lab, need in SEA_RULES if ps & need), "Sea")
        inner = set(countries[1:-1])
        for code, name in LAND_BRIDGES:
            if code in inner:
                label += f" + land via {name}"
        return label
    label = "Other land route"
    if "volga_don" in ps:
        label = "Volga–Don (via Russia)"
    for name, need, _, needs_caspian in RULES if label == "Other land route" else ():
        if needs_caspian and not caspian:
            continue
        if need <= cs:
            label = name
            break
    names = {str(x).lower() for x in lines}
    if "cku" in names:
        label = f"CKU + {label}" if label != "Other land route" else "CKU"
    elif any(a == "CN" and b == "KG" for a, b in itertools.pairwise(countries)) and "UZ" in cs:
        road = "Kyrgyzstan road"
        label = f"{road} + {label}" if label != "Other land route" else road
    if names & ZANGEZUR_LINES:
        label += " + Zangezur"
    if sea_share > 0.5:  # a land corridor across the Caspian to a port, then at sea
        label += " + sea"
    elif ps & {"bosporus", "dardanelles"} and sea_share > 0.05:
        label += " + Black Sea"
    return label
