"""Request and response schemas of the HTTP API (pydantic; they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from serai.modes import MODES

__all__ = [
    "BatchRequest",
    "Health",
    "Place",
    "RouteQuery",
    "RouteResponse",
    "Shipment",
]

OBJECTIVE_PATTERN = r"^(time|cost|generalised|emissions|p50|p90|p95|mean\+\d{1,2}(\.\d{1,3})?std)$"
OBJECTIVE_HELP = (
    "time, cost, generalised or emissions (least WTW CO2e); or a reliability objective "
    "(candidate routes re-ranked by simulated door-to-door days): p50, p90, p95 or "
    "mean+<k>std (k 0..10)."
)

_ROUTE_EXAMPLE = {
    "origin": "Xi'an",
    "destination": "Duisburg",
    "commodity": "container",
    "year": 2025,
    "objective": "generalised",
    "avoid_countries": ["RU"],
    "avoid_passages": [],
    "via": [],
    "modes": None,
}


class RouteQuery(BaseModel):
    """A route question: two places, a commodity, a year, constraints and an objective."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [_ROUTE_EXAMPLE]}, str_strip_whitespace=True
    )

    origin: str = Field(
        min_length=1, max_length=120, description="Name, alias, UN/LOCODE or 'lat,lon'."
    )
    destination: str = Field(min_length=1, max_length=120)
    commodity: str = Field("container", min_length=1, max_length=40)
    year: int | None = Field(
        None,
        description="Network year (None: open today); one the network covers (2013..2030 for "
        "the embedded network), else 422 naming the range.",
    )
    objective: str = Field("generalised", pattern=OBJECTIVE_PATTERN, description=OBJECTIVE_HELP)
    avoid_countries: list[str] = Field(default_factory=list, max_length=60)
    avoid_passages: list[str] = Field(default_factory=list, max_length=20)
    via: list[str] = Field(default_factory=list, description="Places to pass, in order.")
    modes: list[Literal[MODES]] | None = Field(  # type: ignore[valid-type]
        None, description="Allowed modes (None: all): " + ", ".join(MODES) + "."
    )
    carbon_price: float = Field(0.0, ge=0, le=10_000, description="USD per t CO2e (WTW).")
    geometry: bool = Field(True, description="Add each route's path as GeoJSON (real link shapes).")
    reliability: bool = Field(
        False,
        description="Add each route's simulated door-to-door time (P10/P50/P90/P95 days, "
        "mean, sd; Monte Carlo of its elements, docs/reliability.md). Implied by `month`, "
        "`deadline_days` or a reliability objective.",
    )
    month: int | None = Field(
        None, ge=1, le=12, description="Month of departure for reliability (None: any day)."
    )
    deadline_days: float | None = Field(
        None, gt=0, le=365, description="Deadline: probability of arriving within it."
    )


class AlternativesQuery(RouteQuery):
    k: int = Field(3, ge=1, description="Number of distinct routes.")
    distinct_corridors: bool = True


class ParetoQuery(RouteQuery):
    max_routes: int = Field(8, ge=1, description="At most this many routes of the frontier.")


class Leg(BaseModel):
    model_config = ConfigDict(extra="allow")
    seq: int
    kind: str
    mode: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    country: str | None = None
    km: float | None = None
    hours: float | None = None
    usd: float | None = None
    co2e_kg: float | None = None
    event: str | None = None


class Reliability(BaseModel):
    """Simulated door-to-door time of a route (days)."""

    model_config = ConfigDict(extra="allow")
    p10_days: float
    p50_days: float
    p90_days: float
    p95_days: float
    mean_days: float
    std_days: float
    on_time_probability: float | None = None
    deadline_days: float | None = None
    month: int | None = None
    draws: int
    seed: int
    model_days: float | None = None
    drivers: list[dict[str, Any]] = []


class Route(BaseModel):
    model_config = ConfigDict(extra="allow")
    from_: str = Field(alias="from")
    to: str
    commodity: str
    unit: str
    objective: str
    corridor: str
    days: float
    hours: float
    km: float
    usd: float
    gc_usd: float
    co2e_kg: float | None = None
    reliability: Reliability | None = None
    countries: list[str]
    passages: list[str]
    legs: list[Leg]
    geojson: dict[str, Any] | None = None


class RouteResponse(BaseModel):
    """Routes found (one, k alternatives, or the Pareto set), best first."""

    model_config = ConfigDict(extra="allow")
    query: dict[str, Any]
    routes: list[Route]
    notes: list[str] = Field(
        default_factory=list,
        description="What the names were taken to be, when it needs saying (a planned port, "
        "an ambiguous name, an alias); absent when there is nothing to say.",
    )
    took_ms: float


class Place(BaseModel):
    id: str
    name: str
    matched: str
    country: str
    kind: str
    lon: float | None
    lat: float | None
    locode: str
    label: str | None = None
    admin1: str | None = None


class Places(BaseModel):
    query: str
    places: list[Place]


class Health(BaseModel):
    status: Literal["ok"]
    routers_loaded: list[str]
    jobs_active: int


class Version(BaseModel):
    serai: str
    api: str
    network: str
    years: list[int] | None = Field(
        None,
        description="First and last year the network covers (a request's `year` must lie in "
        "them; none: the network declares none).",
        json_schema_extra={"examples": [[2013, 2030]]},
    )


class Commodity(BaseModel):
    model_config = ConfigDict(extra="allow")
    commodity: str
    unit: str


class Emissions(BaseModel):
    model_config = ConfigDict(extra="allow")
    co2e_kg: float
    wtt_kg: float
    ttw_kg: float
    basis: str
    elements: list[dict[str, Any]]


class EmissionsResponse(BaseModel):
    query: dict[str, Any]
    corridor: str
    unit: str
    emissions: Emissions


class Shipment(BaseModel):
    """One shipment of a batch (the columns of ``serai route --batch``)."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(None, max_length=80)
    origin: str = Field(max_length=120)
    destination: str = Field(max_length=120)
    commodity: str | None = Field(None, max_length=40)
    quantity: float | str | None = None
    year: int | str | None = None
    objective: str | None = Field(None, max_length=20)
    avoid_countries: str | list[str] | None = None
    avoid_passages: str | list[str] | None = None
    via: str | list[str] | None = None
    modes: str | list[str] | None = None
    carbon_price: float | str | None = None


class BatchRequest(BaseModel):
    """Shipments to route as a background job (results as JSON or CSV)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2025,
                    "geometry": False,
                    "shipments": [
                        {"id": "a", "origin": "Almaty", "destination": "Poti", "quantity": 12},
                        {
                            "id": "b",
                            "origin": "Xi'an",
                            "destination": "Duisburg",
                            "avoid_countries": "RU",
                        },
                    ],
                }
            ]
        },
    )
    shipments: list[Shipment] = Field(min_length=1)
    year: int | None = Field(None, description="Network year (see RouteQuery.year).")
    geometry: bool = False


class ScenarioInfo(BaseModel):
    name: str
    year: int | None
    title: str
    description: str


class JobState(BaseModel):
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float
    message: str
    created: float
    started: float | None
    finished: float | None
    error: str | None
    result_url: str | None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None
