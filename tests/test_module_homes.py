"""Names that moved when large modules were split are still importable from their old module.

Each row: (old module, name, new home). The object reached through the old module must be
the very object of its new home (a re-export, not a copy), so code written against the
old paths (other branches, notebooks, user scripts) keeps working and sees one definition.
"""

from __future__ import annotations

import importlib

import pytest

MOVED = [
    ("serai.freight.route", "Constraints", "serai.freight.constraints"),
    ("serai.freight.route", "NoRouteError", "serai.freight.constraints"),
    ("serai.freight.route", "passage_countries", "serai.freight.constraints"),
    ("serai.freight.route", "_fs", "serai.freight.constraints"),
    ("serai.freight.route", "_ids", "serai.freight.constraints"),
    ("serai.freight.route", "Route", "serai.freight.routeresult"),
    ("serai.freight.route", "_LEG_COLUMNS", "serai.freight.routeresult"),
    ("serai.freight.route", "node_labels", "serai.freight.labels"),
    ("serai.freight.legs", "node_labels", "serai.freight.labels"),
    ("serai.freight.legs", "_target_countries", "serai.freight.labels"),
    ("serai.freight.legs", "_COMPASS", "serai.freight.labels"),
    ("serai.freight.legs", "_bearing_labels", "serai.freight.labels"),
    ("serai.freight.legs", "_LABEL_ARRAYS", "serai.freight.labels"),
    ("serai.freight.legs", "_label_arrays", "serai.freight.labels"),
    ("serai.freight.legs", "_label_of", "serai.freight.labels"),
    ("serai.freight.route", "_label_arrays", "serai.freight.labels"),
    ("serai.freight.route", "_legs", "serai.freight.legs"),
    ("serai.freight.route", "_label_of", "serai.freight.labels"),
    ("serai.freight.route", "_water_crossings", "serai.freight.legs"),
    ("serai.freight.cache", "cache_dir", "serai._cachekey"),
    ("serai.freight.cache", "code_hash", "serai._cachekey"),
    ("serai.freight.cache", "source_hash", "serai._cachekey"),
    ("serai.freight.virtual", "available_links", "serai.freight.vinputs"),
    ("serai.freight.virtual", "customs_union", "serai.freight.vinputs"),
    ("serai.freight.virtual", "SERVICE_MODES", "serai.freight.vinputs"),
    ("serai.freight.virtual", "SERVICE_KIND", "serai.freight.vinputs"),
    ("serai.freight.virtual", "OPEN_STATUS", "serai.freight.vinputs"),
    ("serai.freight.access", "endpoints", "serai.freight.ends"),
    ("serai.freight.access", "best_pair", "serai.freight.ends"),
    ("serai.freight.access", "splice", "serai.freight.ends"),
    ("serai.freight.access", "end_vnodes", "serai.freight.ends"),
    ("serai.freight.access", "like", "serai.freight.ends"),
    ("serai.freight.access", "network_name", "serai.freight.ends"),
    ("serai.freight.resolver", "search_places", "serai.freight.placesearch"),
    ("serai.freight.resolver", "country_iso", "serai.freight.placesearch"),
    ("serai.freight.resolver", "_suggest_pool", "serai.freight.placesearch"),
    ("serai.freight.resolver", "COINCIDE_KM", "serai.freight.gazetteer"),
    ("serai.freight.report", "FLAGSHIP", "serai.freight.flagship"),
    ("serai.freight.report", "Question", "serai.freight.flagship"),
    ("serai.freight.report", "Answer", "serai.freight.flagship"),
    ("serai.freight.report", "answer_flagship", "serai.freight.flagship"),
    ("serai.freight.report", "summary_table", "serai.freight.flagship"),
    ("serai.assignment.engine", "AssignmentResult", "serai.assignment.result"),
    ("serai.assignment.engine", "_Log", "serai.assignment.result"),
    ("serai.assignment.engine", "_result", "serai.assignment.result"),
    ("serai.assignment.engine", "_disconnected", "serai.assignment.result"),
    ("serai.assignment.engine", "_run", "serai.assignment.dispatch"),
    ("serai.assignment.engine", "SMALL_WORK", "serai.assignment.dispatch"),
    ("serai.assignment.engine", "SMALL_BUDGET_S", "serai.assignment.dispatch"),
    ("serai.assignment", "AssignmentResult", "serai.assignment.result"),
    ("serai.assignment.logit", "ChoiceProblem", "serai.assignment.choice"),
    ("serai.assignment.logit", "LogitConfig", "serai.assignment.choice"),
    ("serai.assignment.logit", "LogitResult", "serai.assignment.choice"),
    ("serai.assignment.logit", "Units", "serai.assignment.choice"),
    ("serai.assignment.logit", "routes_from_tree", "serai.assignment.columns"),
    ("serai.assignment.logit", "shortest_path_generator", "serai.assignment.columns"),
    ("serai.assignment.logit", "penalty_routes", "serai.assignment.columns"),
    ("serai.assignment.logit", "_Paths", "serai.assignment.columns"),
    ("serai.minerals.dashboard", "checks", "serai.minerals.validation"),
    ("serai.minerals.dashboard", "scenario_demand", "serai.minerals.validation"),
    ("serai.minerals.dashboard", "model_request", "serai.minerals.validation"),
    ("serai.minerals.dashboard", "REE_TONNES_NOTE", "serai.minerals.validation"),
    ("serai.minerals.dashboard", "_off_network_buyers", "serai.minerals.validation"),
    ("serai.data.validation", "RouteSpec", "serai.data.validation_routes"),
    ("serai.data.validation", "RouteResult", "serai.data.validation_routes"),
    ("serai.data.validation", "compute_route", "serai.data.validation_routes"),
    ("serai.data.validation", "point_nodes", "serai.data.validation_routes"),
    ("serai.data.validation", "route_link_mask", "serai.data.validation_routes"),
]


@pytest.mark.parametrize(("old", "name", "new"), MOVED, ids=[f"{o}.{n}" for o, n, _ in MOVED])
def test_old_path_reaches_the_new_home(old, name, new):
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name
    )


def test_router_methods_bound_from_their_modules():
    from serai.freight import alternatives, constraints, legs
    from serai.freight.route import Router

    assert Router.alternatives is alternatives.alternatives
    assert Router.pareto is alternatives.pareto
    assert Router._edges_of is alternatives.edges_of
    assert Router._diagnose is constraints.diagnose
    assert Router._make_route is legs.make_route
    assert Router._line_names is legs.line_names
