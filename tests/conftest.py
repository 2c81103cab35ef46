"""Shared fixtures: the SiouxFalls copy in tests/data, and the shared TNTP folder when present.

Under pytest-xdist with ``--dist loadscope`` (``make test``) each test module is one unit of
work sent whole to one worker (its module fixtures are built once), except the README's shell
blocks, which are one unit each; the units that take longest start first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# `serai route` processes of the tests ask running servers but never start one in the
# background (serai._autostart): only tests/cli/test_route_autostart.py starts them, in a
# folder of its own, and stops them
os.environ["SERAI_ROUTE_SERVER"] = "use"
# the service's and the CLI's run store defaults to ./serai-runs.duckdb: the tests (and the
# processes they start) keep theirs in a folder of their own, not in the checkout
if "SERAI_STORE" not in os.environ:
    import tempfile

    os.environ["SERAI_STORE"] = str(
        Path(tempfile.mkdtemp(prefix="serai-test-store-")) / "serai-runs.duckdb"
    )

DATA = Path(__file__).parent / "data"
SIOUX = DATA / "SiouxFalls"


def tntp_root() -> Path | None:
    """The shared TNTP folder (env SERAI_TNTP_ROOT, else ../shared/data/tntp beside the repo)."""
    env = os.environ.get("SERAI_TNTP_ROOT")
    candidates = [Path(env)] if env else []
    repo = Path(__file__).resolve().parents[1]
    candidates += [
        repo.parent / "shared" / "data" / "tntp",
        repo.parent.parent / "shared" / "data" / "tntp",
    ]
    for c in candidates:
        if (c / "Chicago-Sketch").is_dir():
            return c
    return None


def tntp_net(name: str, folder: str) -> Path:
    """Path to a shared TNTP net file, or skip the test with the reason."""
    root = tntp_root()
    if root is None:
        pytest.skip("shared TNTP data not found (set SERAI_TNTP_ROOT or place ../shared/data/tntp)")
    return root / folder / f"{name}_net.tntp"


# test files (or node ids) that take longest, longest first: started first under xdist, so no
# long unit is left for the end (the order of the other units is the collection order). Only
# the order of the work changes: every test runs. From `pytest --durations` (see BENCHMARKS.md).
LONGEST_FIRST = (
    "tests/test_readme.py::test_sh_blocks_run_verbatim[08-flows+09-scenario]",
    "tests/test_readme.py::test_python_blocks_run_verbatim",
    "tests/test_readme.py::test_sh_blocks_run_verbatim[02-route]",
    "tests/test_readme.py::test_sh_blocks_run_verbatim[07-chain]",
    "tests/scenarios/test_run_compare.py",
    "tests/data/test_check.py",
    "tests/tools/test_calibrate.py",
    "tests/test_readme.py::test_sh_blocks_run_verbatim[06-places]",
    "tests/test_readme.py::test_sh_blocks_run_verbatim[01-help]",
    "tests/test_readme.py::test_sh_blocks_run_verbatim[04-route]",
    "tests/test_readme.py::test_sh_blocks_run_verbatim[05-route]",
    "tests/api/test_api.py",
    "tests/api/test_runs_flows.py",
    "tests/data/test_one_loader.py",
    "tests/freight/test_route_search.py",
    "tests/cli/test_route_autostart.py",
    "tests/freight/test_cli_route_server.py",
    "tests/test_tutorial.py",
)
# modules whose tests are separate units of work (each test makes what it needs)
SPREAD = ("tests/test_readme.py",)


def _rank(nodeid: str) -> int:
    for k, prefix in enumerate(LONGEST_FIRST):
        if nodeid == prefix or nodeid.startswith(prefix + "::"):
            return k
    return len(LONGEST_FIRST)


def _unit(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return nodeid if path in SPREAD else path


#: files whose tests share node ids (schemathesis: one per test function); pytest-xdist keys
#: tests by node id and would run one of each (``make test`` runs them on their own, no -n)
SHARED_IDS = ("tests/api/test_schemathesis.py",)


def pytest_configure(config):
    """Under ``-n``: refuse the SHARED_IDS files before any worker starts, saying which and
    what to do. (Refused in a worker's collection, the error ended the worker's session
    mid-run and xdist reported an INTERNALERROR, 'workerfinished' during the first test,
    without the message.)"""
    if hasattr(config, "workerinput") or not _distributed(config):
        return
    found = [f for f in SHARED_IDS if _selected(config, f)]
    if found:
        raise pytest.UsageError(
            f"{', '.join(found)}: its tests share node ids, which pytest-xdist runs once; "
            f"with -n add {' '.join('--ignore=' + f for f in found)} and run "
            f"{'them' if len(found) > 1 else 'it'} without -n (as make test does)"
        )


def _distributed(config) -> bool:
    """Tests run by pytest-xdist workers (``-n N``, N > 0)."""
    return getattr(config.option, "dist", "no") != "no" and bool(getattr(config.option, "tx", None))


def _selected(config, rel: str) -> bool:
    """The file ``rel`` (from the root) is under an argument of the run and not ignored."""
    import fnmatch

    target = (Path(str(config.rootpath)) / rel).resolve()
    here = Path(str(config.invocation_params.dir))

    def covers(arg: str) -> bool:
        p = (here / arg.split("::", 1)[0]).resolve()
        return p == target or p in target.parents

    if not any(covers(a) for a in config.args):
        return False
    if any(covers(str(a)) for a in (config.getoption("ignore") or ())):
        return False
    globs = config.getoption("ignore_glob") or ()
    return not any(fnmatch.fnmatch(str(target), str(here / g)) for g in globs)


def pytest_collection_modifyitems(config, items):
    """In a pytest-xdist worker: the units of work (see :func:`_unit`) longest first, the
    collection order otherwise (the same in every worker). Changes nothing without xdist."""
    if not hasattr(config, "workerinput"):
        return
    seen: set[str] = set()
    shared = sorted({i.nodeid for i in items if i.nodeid in seen or seen.add(i.nodeid)})
    if shared:  # xdist keys tests by node id: all but one of each would silently not run
        raise pytest.UsageError(
            f"tests share node ids, which pytest-xdist runs once: {shared[:3]}; run their "
            "files without -n (make test runs tests/api/test_schemathesis.py on its own)"
        )
    ranks: dict[str, int] = {}
    for item in items:
        u = _unit(item.nodeid)
        ranks[u] = min(ranks.get(u, len(LONGEST_FIRST)), _rank(item.nodeid))
    items.sort(key=lambda item: ranks[_unit(item.nodeid)])  # stable


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` (make test): a test module is one unit of work sent whole to one
    worker, so its module fixtures are built once; a test of a SPREAD module is a unit of its
    own. (xdist's own loadscope splits a module by test class.)"""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return ModuleScheduling(config, log)


@pytest.fixture(scope="session")
def sioux_net():
    from serai.network import read_network

    return read_network(SIOUX / "SiouxFalls_net.tntp")


@pytest.fixture(scope="session", autouse=True)
def _router_cache(tmp_path_factory):
    """Keep the on-disk router cache of the test run out of the user's ~/.cache."""
    if "SERAI_CACHE_DIR" not in os.environ:
        os.environ["SERAI_CACHE_DIR"] = str(tmp_path_factory.mktemp("serai-cache"))
    yield


@pytest.fixture(scope="module")
def serai_serve():
    """Start ``serai serve`` processes: ``serai_serve(*args, timeout=, env=)`` -> base URL.

    Each server runs until the end of the test module (see :func:`tests.live.serve_process`).
    """
    from contextlib import ExitStack

    from tests.live import serve_process

    with ExitStack() as stack:

        def start(*args: str, timeout: float = 120.0, env: dict | None = None) -> str:
            return stack.enter_context(serve_process(*args, timeout=timeout, env=env))

        yield start
