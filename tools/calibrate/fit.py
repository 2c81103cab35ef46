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
  no route changes or the routes repeat an earlier round (at most ``max_rounds``).
  The parameters kept are those of the round whose re-chosen routes fit best.
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


def _band_residual_parts(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lo = table["published_low"].to_numpy(float)
    hi = table["published_high"].to_numpy(float)
    mid = np.log(np.sqrt(lo * hi))
    s = np.maximum(np.log(hi / lo) / 2.0, np.log(1.0 + MIN_BAND))
    return mid, s


def calibrate(*, log: Callable[[str], None] = print, max_rounds: int = 8) -> CalibrationResult:
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
    seen: set = set()
    last_paths: tuple | None = None
    rounds = 0
    converged = False
    res = None
    records: dict = {}
    best: tuple | None = None  # (cost on re-chosen routes, theta, table, jacobian)
    jac = None
    for rounds in range(1, max_rounds + 1):
        ps = prior.with_values(theta)
        routers = {y: r.with_params(ps) for y, r in base.items()}
        table, routes = evaluate(routers, cal, sets=("calibration",))
        if before is None:
            before = table.copy()
        missing = table.loc[~np.isfinite(table["model_value"].to_numpy(float)), "obs_id"]
        if len(missing):
            from serai.errors import NoPathError

            raise NoPathError(f"calibration observations without a route: {', '.join(missing)}")
        mid, s = _band_residual_parts(table)
        x_now = np.log(theta[fit_idx])
        r_now = np.concatenate(
            [(np.log(table["model_value"].to_numpy(float)) - mid) / s, (x_now - x_prior) / sd]
        )
        cost_now = float(r_now @ r_now)
        if rounds > 1:
            log(f"round {rounds - 1}: routes re-chosen, cost {cost_now:.4f}")
            if best is None or cost_now < best[0] - 1e-12:
                best = (cost_now, theta.copy(), table, jac)
        paths = tuple(tuple(routes[o][1].rows.tolist()) for o in table["obs_id"])
        if paths in seen:
            converged = len(seen) > 0 and paths == last_paths
            break
        seen.add(paths)
        last_paths = paths
        records = {o: routes[o][1] for o in table["obs_id"]}
        subs = {}
        for o, rec in records.items():
            year = int(cal.loc[cal["obs_id"] == o, "network_year"].iloc[0])
            terms = model_terms(routers[year].rg, rec.commodity, ps, rec.crew)
            subs[o] = terms.subset(rec.rows)
        mid, s = _band_residual_parts(table)
        order = list(table["obs_id"])

        def residuals(
            x: np.ndarray, subs=subs, mid=mid, s=s, order=order, records=records
        ) -> np.ndarray:
            full = theta.copy()
            full[fit_idx] = np.exp(x)
            vals = np.array([records[o].value(subs[o], full, prior) for o in order])
            r_obs = (np.log(np.maximum(vals, 1e-9)) - mid) / s
            return np.concatenate([r_obs, (x - x_prior) / sd])

        x0 = np.clip(np.log(theta[fit_idx]), lo, hi)
        res = least_squares(residuals, x0, bounds=(lo, hi), method="trf", x_scale=1.0)
        theta[fit_idx] = np.exp(res.x)
        jac = np.asarray(res.jac)[: len(order)]
        log(
            f"round {rounds}: fixed routes, cost {2 * res.cost:.4f} (sum of squared residuals), "
            f"{res.nfev} evaluations"
        )
    assert before is not None and best is not None
    _, theta, after, jac = best
    # ---- which observations each parameter rests on (Jacobian of the fit that gave them)
    n_obs = len(after)
    rest_on = {}
    for j, pid in enumerate(ids):
        hit = [after["obs_id"].iloc[i] for i in range(n_obs) if abs(jac[i, j]) > 1e-8]
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
