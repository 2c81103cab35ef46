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
