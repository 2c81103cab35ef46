"""Calibration of the time and tariff models to the published figures of the facts.

``serai data calibrate`` runs :func:`calibrate` and writes the fitted values as data:
``serai/freight/data/calibrated.csv`` (one row per fitted parameter: prior, fitted
value, bounds, prior width, the observations it rests on) and
``serai/freight/data/calibration_fit.csv`` (one row per calibration observation: the
published band, the model value and residual before and after). ``--check`` refits
from the tables and compares with the shipped files.

Method
------
* Observations: the rows of ``observations.csv`` whose set is ``calibration`` (the
  validation rows are never read here). Each is the answer to a route query, scoped
  (door to door, terminal to terminal, port to port) and compared with its band.
* Parameters: the rows of ``time_params.csv``, ``tariff_params.csv`` and
  ``border_times.csv`` marked ``fit=true`` (estimates only). They are fitted in log
  space within their bounds ``[low, high]``.
* Objective (least squares, :func:`scipy.optimize.least_squares`, trust-region
  reflective, finite-difference Jacobian): per observation
  ``(ln model - ln mid) / s`` with ``mid`` the geometric middle of the band and
  ``s = max(ln(high / low) / 2, ln 1.1)`` (a band is never read as narrower than
  +-10%, the band of a single published value), and per parameter the prior
  ``(ln value - ln prior) / prior_sd``: a maximum a posteriori fit with log-normal
  priors and log-normal errors the width of the published band.
* Routes change with the parameters: the routes are fixed while the parameters are
  fitted (each route's value is then a sum of parameter terms, cheap to evaluate),
  then every query is answered again with the fitted parameters; this repeats until
  no route changes (a fixed point: the fitted values choose the routes they were
  fitted on). When the routes repeat an earlier round (a cycle: some observation has
  two routes of nearly equal generalised cost and the fit tips it from one to the
  other), the parameters are fitted once more on every route of the cycle at once,
  each observation's distinct routes sharing its weight, and the routes are re-chosen
  with those values: the result no longer depends on which round the cycle was
  entered in. A route set the joint fit chooses outside the cycle joins it and the joint
  fit is redone; it is reported as converged when the re-chosen routes are one of the
  route sets of the cycle (the values were fitted on them), as a cycle otherwise. Which
  observations alternated is written in ``calibration_fit.csv`` (``route_fitted``).
  After ``max_rounds`` fits without either, the round whose re-chosen routes fit best
  is kept.
* Each observation is answered on the network of its year (``network_year``) with the
  measured values of that year (:meth:`serai.freight.params.ParamSet.for_year`), which
  are fixed, not fitted.
* A parameter is reported as calibrated, with the observations it rests on, when at
  least one calibration residual depends on it; the others keep their prior and stay
  estimates.

Deterministic: no random numbers; the same tables and network give the same values.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["CalibrationResult", "calibrate", "check", "write"]

DATA = Path(__file__).resolve().parents[2] / "serai" / "freight" / "data"
CALIBRATED = "calibrated.csv"
FIT = "calibration_fit.csv"
RTOL = 1e-4
MIN_BAND = 0.10


@dataclass(frozen=True)
class CalibrationResult:
    params: pd.DataFrame  # calibrated.csv
    fit: pd.DataFrame  # calibration_fit.csv
    rounds: int
    converged_routes: bool
    cost_before: float
    cost_after: float
    route_status: str = "converged"  # converged | cycle | max_rounds
    alternating: tuple[str, ...] = ()  # observations whose routes alternated (cycle)


def _band_residual_parts(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lo = table["published_low"].to_numpy(float)
    hi = table["published_high"].to_numpy(float)
    mid = np.log(np.sqrt(lo * hi))
    s = np.maximum(np.log(hi / lo) / 2.0, np.log(1.0 + MIN_BAND))
    return mid, s


def _cost(
    table: pd.DataFrame,
    mid: np.ndarray,
    s: np.ndarray,
    x: np.ndarray,
    x_prior: np.ndarray,
    sd: np.ndarray,
) -> float:
    r = np.concatenate(
        [(np.log(table["model_value"].to_numpy(float)) - mid) / s, (x - x_prior) / sd]
    )
    return float(r @ r)


def calibrate(*, log: Callable[[str], None] = print, max_rounds: int = 14) -> CalibrationResult:
    """Fit the ``fit=true`` parameters to the calibration observations (see module doc)."""
    from scipy.optimize import least_squares

    from serai.data import load_network
    from serai.freight.cost import model_terms
    from serai.freight.observations import evaluate, load_observations
    from serai.freight.params import prior_params
    from serai.freight.route import Router
    from serai.freight.virtual import build_routing_graph

    prior = prior_params()
    obs = load_observations()
    cal = obs[obs["set"] == "calibration"].reset_index(drop=True)
    years = sorted({int(y) for y in cal["network_year"].dropna()})
    base = {y: Router(build_routing_graph(load_network(y))) for y in years}
    # measured values of each observation's network year (ParamSet.for_year): fixed, not fitted
    year_of = dict(zip(cal["obs_id"], cal["network_year"].astype(int), strict=True))
    override = {}
    for y in years:
        vy = prior.for_year(y).values
        k = np.flatnonzero(vy != prior.values)
        override[y] = (k, vy[k])
    t = prior.table
    fit_idx = np.flatnonzero(t["fit"].to_numpy(bool))
    ids = [prior.ids[i] for i in fit_idx]
    lo = np.log(np.maximum(pd.to_numeric(t["low"], errors="coerce").to_numpy(float)[fit_idx], 1e-6))
    hi = np.log(pd.to_numeric(t["high"], errors="coerce").to_numpy(float)[fit_idx])
    sd = pd.to_numeric(t["prior_sd"], errors="coerce").to_numpy(float)[fit_idx]
    x_prior = np.log(prior.values[fit_idx])
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and np.isfinite(sd).all()):
        bad = [
            ids[i] for i in np.flatnonzero(~(np.isfinite(lo) & np.isfinite(hi) & np.isfinite(sd)))
        ]
        from serai.errors import InputError

        raise InputError(f"fitted parameters need low, high and prior_sd: {bad}", field="fit")

    theta = prior.values.copy()
    before: pd.DataFrame | None = None
    history: list[tuple] = []  # per round: (paths, records, subs) of the routes the fit used
    rounds = 0
    alt: list[str] = []
    cycle_paths: set = set()
    cycle_start = 0
    status = "max_rounds"
    best: tuple | None = None  # (cost on re-chosen routes, theta, table, jacobian, rows)
    fitted: tuple | None = None  # (theta, jacobian, rows) of the last fit
    for rounds in range(1, max_rounds + 2):
        ps = prior.with_values(theta)
        routers = {y: r.with_params(ps.for_year(y)) for y, r in base.items()}
        table, routes = evaluate(routers, cal, sets=("calibration",))
        if before is None:
            before = table.copy()
        missing = table.loc[~np.isfinite(table["model_value"].to_numpy(float)), "obs_id"]
        if len(missing):
            from serai.errors import NoPathError

            raise NoPathError(f"calibration observations without a route: {', '.join(missing)}")
        order = list(table["obs_id"])
        mid, s = _band_residual_parts(table)
        paths = tuple(tuple(routes[o][1].rows.tolist()) for o in order)
        if fitted is not None:
            cost_now = _cost(table, mid, s, np.log(theta[fit_idx]), x_prior, sd)
            changed = [o for o, a, b in zip(order, paths, history[-1][0], strict=True) if a != b]
            log(
                f"round {rounds - 1}: routes re-chosen with the fitted values, cost {cost_now:.4f};"
                f" routes changed: {', '.join(changed) or 'none'}"
            )
            if best is None or cost_now < best[0] - 1e-12:
                best = (cost_now, theta.copy(), table, *fitted[1:])
            # a fixed point: the fitted values choose the routes they were fitted on
            if not changed:
                status = "converged"
                best = (cost_now, theta.copy(), table, *fitted[1:])
                break
            if status == "cycle":  # the joint fit of a cycle was re-chosen
                best = (cost_now, theta.copy(), table, *fitted[1:])
                if paths in cycle_paths:  # one of the route sets the joint fit was made on
                    status = "converged"
                    break
                # a route set outside the cycle: it joins the cycle and the joint fit is redone
        if rounds > max_rounds:
            break
        records = {o: routes[o][1] for o in order}
        subs = {}
        for o, rec in records.items():
            year = year_of[o]
            subs[o] = model_terms(
                routers[year].rg, rec.commodity, ps.for_year(year), rec.crew
            ).subset(rec.rows)
        earlier = [i for i, h in enumerate(history) if h[0] == paths]
        history.append((paths, records, subs))
        if earlier or status == "cycle":
            # the routes repeat an earlier round: a cycle. Fit once more on every route of the
            # cycle (each observation's distinct routes share its weight) and re-choose; a
            # route set the joint fit chooses outside the cycle joins it, until the re-chosen
            # routes are among those fitted on (or max_rounds).
            start = earlier[0] if earlier else len(history) - 1
            cycle_start = start if status != "cycle" else min(cycle_start, start)
            status = "cycle"
            cycle = history[cycle_start:]
            cycle_paths = {h[0] for h in cycle}
            terms_of: list[tuple[int, object, object, float]] = []
            for k, o in enumerate(order):
                distinct = {}
                for h in cycle:
                    distinct.setdefault(h[0][k], (h[1][o], h[2][o]))
                w = 1.0 / np.sqrt(len(distinct))
                terms_of += [(k, rec, sub, w) for rec, sub in distinct.values()]
            alt = sorted(
                {order[k] for k, *_ in terms_of if sum(1 for t in terms_of if t[0] == k) > 1}
            )
            log(
                f"round {rounds}: the routes of {', '.join(alt)} alternate between "
                f"{len(cycle_paths)} route sets; fitting on all of them at once"
            )
        else:
            terms_of = [(k, records[o], subs[o], 1.0) for k, o in enumerate(order)]
        kk = np.array([t[0] for t in terms_of])
        ww = np.array([t[3] for t in terms_of])

        def residuals(x: np.ndarray, terms_of=terms_of, kk=kk, ww=ww, mid=mid, s=s) -> np.ndarray:
            full = theta.copy()
            full[fit_idx] = np.exp(x)
            by_year = {}
            for y, (k, v) in override.items():
                by_year[y] = full.copy()
                by_year[y][k] = v
            vals = np.array(
                [rec.value(sub, by_year[year_of[rec.obs_id]], prior) for _, rec, sub, _ in terms_of]
            )
            r_obs = ww * (np.log(np.maximum(vals, 1e-9)) - mid[kk]) / s[kk]
            return np.concatenate([r_obs, (x - x_prior) / sd])

        x0 = np.clip(np.log(theta[fit_idx]), lo, hi)
        res = least_squares(residuals, x0, bounds=(lo, hi), method="trf", x_scale=1.0)
        theta[fit_idx] = np.exp(res.x)
        fitted = (theta.copy(), np.asarray(res.jac)[: len(terms_of)], kk)
        log(
            f"round {rounds}: fixed routes, cost {2 * res.cost:.4f} (sum of squared residuals), "
            f"{res.nfev} evaluations"
        )
    assert before is not None and best is not None
    _, theta, after, jac, jac_rows = best
    converged = status == "converged"
    rounds = len(history)
    log(f"routes: {status} after {rounds} fit(s)")
    # ---- which observations each parameter rests on (Jacobian of the fit that gave them)
    n_obs = len(after)
    rest_on = {}
    for j, pid in enumerate(ids):
        hit = [
            after["obs_id"].iloc[i]
            for i in range(n_obs)
            if (np.abs(jac[jac_rows == i, j]) > 1e-8).any()
        ]
        if hit:
            rest_on[pid] = hit
    rows = []
    for j, i in enumerate(fit_idx):
        pid = ids[j]
        if pid not in rest_on:
            continue
        r = t.iloc[i]
        rows.append(
            {
                "param_id": pid,
                "value": float(f"{theta[i]:.6g}"),
                "prior": float(prior.values[i]),
                "unit": r["unit"],
                "low": float(r["low"]),
                "high": float(r["high"]),
                "prior_sd": float(r["prior_sd"]),
                "change_pct": round(100.0 * (theta[i] / prior.values[i] - 1.0), 2),
                "observations": ";".join(rest_on[pid]),
            }
        )
    params = pd.DataFrame(rows)
    mid_b, s_b = _band_residual_parts(before)
    mid_a, s_a = _band_residual_parts(after)
    fit = pd.DataFrame(
        {
            "obs_id": after["obs_id"],
            "quantity": after["quantity"],
            "unit": after["unit"],
            "published_low": after["published_low"],
            "published_high": after["published_high"],
            "model_prior": before.set_index("obs_id")
            .loc[after["obs_id"], "model_value"]
            .to_numpy(),
            "model_fitted": after["model_value"],
            "residual_prior": (
                np.log(before.set_index("obs_id").loc[after["obs_id"], "model_value"].to_numpy())
                - mid_b
            )
            / s_b,
            "residual_fitted": (np.log(after["model_value"].to_numpy(float)) - mid_a) / s_a,
            "verdict_prior": before.set_index("obs_id").loc[after["obs_id"], "verdict"].to_numpy(),
            "verdict_fitted": after["verdict"],
            "corridor_fitted": after["corridor"],
            "route_fitted": np.where(after["obs_id"].isin(alt), "alternated", "fixed"),
        }
    )
    for c in ("model_prior", "model_fitted", "residual_prior", "residual_fitted"):
        fit[c] = fit[c].astype(float).round(4)
    return CalibrationResult(
        params,
        fit,
        rounds,
        converged,
        float((fit["residual_prior"] ** 2).sum()),
        float((fit["residual_fitted"] ** 2).sum()),
        route_status=status,
        alternating=tuple(alt),
    )


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def write(result: CalibrationResult, folder: Path = DATA) -> list[Path]:
    """Write ``calibrated.csv`` and ``calibration_fit.csv`` (temp file, then rename)."""
    import os
    import tempfile

    out = []
    for name, df in ((CALIBRATED, result.params), (FIT, result.fit)):
        p = Path(folder) / name
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(_csv(df))
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out.append(p)
    return out


def check(result: CalibrationResult, folder: Path = DATA) -> list[str]:
    """Differences between a fresh fit and the shipped files (empty list: reproduced)."""
    problems = []
    shipped = pd.read_csv(Path(folder) / CALIBRATED, keep_default_na=False)
    new = result.params
    if sorted(shipped["param_id"]) != sorted(new["param_id"]):
        a, b = set(shipped["param_id"]), set(new["param_id"])
        problems.append(
            f"calibrated parameters differ: only shipped {sorted(a - b)}, only new {sorted(b - a)}"
        )
        return problems
    s = shipped.set_index("param_id")
    for r in new.itertuples(index=False):
        old = float(s.loc[r.param_id, "value"])
        if not np.isclose(old, r.value, rtol=RTOL, atol=0.0):
            problems.append(f"{r.param_id}: shipped {old:g}, refit {r.value:g}")
        if str(s.loc[r.param_id, "observations"]) != r.observations:
            problems.append(
                f"{r.param_id}: rests on {r.observations}, shipped {s.loc[r.param_id, 'observations']}"
            )
    return problems


def digest(folder: Path = DATA) -> str:
    """SHA-256 of the inputs of the fit (parameter and observation tables)."""
    h = hashlib.sha256()
    for name in (
        "time_params.csv",
        "tariff_params.csv",
        "border_times.csv",
        "observations.csv",
        "zones.csv",
    ):
        h.update((Path(folder) / name).read_bytes())
    return h.hexdigest()[:16]
