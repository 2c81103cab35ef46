"""Route requests: arguments refused before any search."""

import pytest

from serai.errors import InputError
from serai.freight.query import RouteRequest, run_request


@pytest.mark.parametrize("field", ["origin_country", "destination_country"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_country_filter_is_refused(field, value):
    # an empty filter used to be dropped silently (the fuzz harness: exit 0 on invalid input)
    req = RouteRequest("Xi'an", "Duisburg", **{field: value})
    with pytest.raises(InputError, match="empty") as e:
        run_request(None, req)  # refused before the router is used
    assert e.value.field in {"from_country", "to_country"}


def test_unknown_commodity_and_product_messages_read_as_one_sentence():
    """'unknown commodity 'bananas' Known: ...' lacked its separator (CLI, API, batch)."""
    from types import SimpleNamespace

    import pandas as pd

    from serai.errors import InputError
    from serai.freight import commodity
    from serai.minerals.facilities import FacilityMixin

    with pytest.raises(InputError) as e:
        commodity("bananas")
    assert e.value.reason.startswith("unknown commodity 'bananas' (known: container_feu, ")
    assert e.value.reason.endswith("oil_products)")
    with pytest.raises(InputError) as e:
        commodity("urnaium")
    assert "; did you mean uranium, " in e.value.reason and "? (known: " in e.value.reason
    with pytest.raises(InputError, match=r"unknown product 'gold' \(known: uranium, .*lithium\)$"):
        FacilityMixin.mineral_of(
            SimpleNamespace(data=SimpleNamespace(products=pd.DataFrame())), "gold"
        )
