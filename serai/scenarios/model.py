"""A scenario: named changes to the network, capacities, model parameters and demand, read
from a TOML file (with ``extends`` inheritance), checked against the schema and the data.

>>> from serai.scenarios import load_scenario
>>> s = load_scenario("base-2024")
>>> s.name, s.year
('base-2024', 2024)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serai.errors import InputError, unknown
from serai.scenarios._toml import ScenarioFileError, TomlDoc, key_text, read_toml
from serai.scenarios.schema import ARRAY_SECTIONS, check_document

__all__ = [
    "Scenario",
    "library_names",
    "library_path",
    "load_scenario",
    "scenario_from_text",
]


def library_path() -> Path:
    """Folder of the shipped scenario library (``serai/scenarios/library/``, installed with
    the package).

    ``SERAI_SCENARIOS`` points to another folder.
    """
    env = os.environ.get("SERAI_SCENARIOS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "library"


def library_names() -> list[str]:
    """Names of the scenarios in the library.

    Examples
    --------
    >>> "base-2024" in library_names()
    True
    """
    root = library_path()
    return sorted(p.stem for p in root.glob("*.toml")) if root.is_dir() else []


def _public(row: Mapping[str, Any]) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


@dataclass(frozen=True, eq=False)
class Scenario:
    """A resolved scenario: the changes of its whole ``extends`` chain, in order.

    Attributes
    ----------
    name, title, description
        From the file (name defaults to the file name).
    year
        Year of the network, capacities, parameters and demand.
    changes
        Rows per section (``open``, ``close``, ``border``, ``capacity``,
        ``disruption``, ``parameter``, ``add_line``, ``demand.growth``,
        ``demand.scale``, ``demand.flow``, ``measure``, ``target``), parents' rows
        first. Each row keeps ``_file`` and ``_path`` so errors can name the line.
    appraisal
        The ``[appraisal]`` settings (merged along the chain).
    chain
        Names from the root ancestor to this scenario.
    texts
        The text of each file of the chain (file -> text), as read.
    """

    name: str
    year: int
    title: str = ""
    description: str = ""
    changes: Mapping[str, tuple[dict, ...]] = field(default_factory=dict)
    appraisal: Mapping[str, Any] = field(default_factory=dict)
    chain: tuple[str, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None
    docs: Mapping[str, TomlDoc] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------- identity
    def content(self) -> dict:
        """What the scenario changes (no names or comments): the input of :attr:`hash`."""
        return {
            "year": self.year,
            "changes": {s: [_public(r) for r in self.changes.get(s, ())] for s in ARRAY_SECTIONS},
            "appraisal": dict(self.appraisal),
        }

    @property
    def hash(self) -> str:
        """SHA-256 of :meth:`content` (canonical JSON): equal hashes, equal scenarios."""
        text = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def text(self) -> str:
        """The files of the chain, root first, each under a ``# file:`` line."""
        return "\n".join(f"# file: {f}\n{t}" for f, t in self.texts.items())

    def rows(self, section: str) -> tuple[dict, ...]:
        return tuple(self.changes.get(section, ()))

    @property
    def measures(self) -> dict[str, dict]:
        """Measures by id (a child's measure replaces its parent's of the same id)."""
        out: dict[str, dict] = {}
        for r in self.rows("measure"):
            out[r["id"]] = r
        return out

    def error(self, row: Mapping[str, Any], message: str, key: str | None = None) -> InputError:
        """An error at a row of the file it came from (line and key)."""
        path = tuple(row.get("_path", ()))
        if key:
            path = (*path, key)
        doc = self.docs.get(row.get("_file", ""))
        if doc is None:
            return ScenarioFileError(message, file=row.get("_file"), line=None, key=key_text(path))
        return doc.error(message, path)

    def summary(self) -> dict:
        """Counts of changes by section, measures and the hash (for listings and the store)."""
        return {
            "name": self.name,
            "title": self.title,
            "year": self.year,
            "extends": list(self.chain[:-1]),
            "changes": {
                s: len(self.changes.get(s, ())) for s in ARRAY_SECTIONS if self.changes.get(s)
            },
            "measures": sorted(self.measures),
            "hash": self.hash,
        }

    # ----------------------------------------------------------------- applying
    def apply(self, network):
        """A new network with this scenario's changes (see :func:`serai.scenarios.apply_network`)."""
        from serai.scenarios.apply import apply_network

        return apply_network(self, network)

    def apply_demand(self, demand):
        """A new demand with this scenario's demand changes."""
        from serai.scenarios.demand import apply_demand

        return apply_demand(self, demand)

    def __repr__(self) -> str:
        n = sum(len(v) for v in self.changes.values())
        return f"Scenario({self.name!r}, year={self.year}, {n} changes, hash={self.hash[:12]})"


# --------------------------------------------------------------------- loading
def _find(ref: str, here: Path | None) -> Path:
    cands = []
    p = Path(ref)
    if here is not None and not p.is_absolute():
        cands.append(here / p)
        if p.suffix != ".toml":
            cands.append(here / f"{ref}.toml")
    cands.append(p)
    if p.suffix != ".toml" and "/" not in ref:
        cands.append(library_path() / f"{ref}.toml")
    for c in cands:
        if c.is_file():
            return c
    raise unknown("scenario", ref, library_names(), field="extends" if here else "scenario")


def _linearize(path: Path, seen: tuple[str, ...], docs: dict, order: list, parts: dict) -> None:
    """Files of the ``extends`` tree, parents first, each file once (a shared ancestor
    comes before every file that extends it)."""
    key = str(path.resolve())
    if key in seen:
        raise InputError(
            "extends makes a cycle: " + " -> ".join(Path(s).stem for s in (*seen, key)),
            file=str(path),
            field="extends",
        )
    if key in parts:
        return
    doc = read_toml(path)
    docs[doc.file] = doc
    part = check_document(doc)
    parents = part.get("extends", [])
    parents = [parents] if isinstance(parents, str) else list(parents)
    for ref in parents:
        try:
            ppath = _find(ref, path.parent)
        except InputError as exc:
            raise doc.error(exc.reason, ("extends",)) from None
        _linearize(ppath, (*seen, key), docs, order, parts)
    part["_doc"] = doc.file
    part["_text"] = doc.text
    part.setdefault("name", path.stem)
    parts[key] = part
    order.append(key)


def _resolve(path: Path, docs: dict) -> dict:
    order: list[str] = []
    parts: dict[str, dict] = {}
    _linearize(path, (), docs, order, parts)
    merged: dict = {s: [] for s in ARRAY_SECTIONS}
    merged["appraisal"] = {}
    merged["chain"] = []
    merged["texts"] = {}
    for key in order:
        part = parts[key]
        for s in ARRAY_SECTIONS:
            merged[s].extend(part[s])
        merged["appraisal"].update(part["appraisal"])
        for k in ("year", "title", "description"):
            if k in part:
                merged[k] = part[k]
        merged["chain"].append(part["name"])
        merged["texts"][part["_doc"]] = part["_text"]
    top = parts[order[-1]]
    merged["name"] = top["name"]
    merged["_doc"] = top["_doc"]
    for k in ("title", "description"):  # a description is not inherited
        merged[k] = top.get(k, "")
    return merged


def _build(merged: dict, docs: dict, path: str | None) -> Scenario:
    if "year" not in merged:
        raise docs[merged["_doc"]].error(
            "missing required key 'year' (in this file or one it extends)"
        )
    return Scenario(
        name=merged["name"],
        year=int(merged["year"]),
        title=merged.get("title", ""),
        description=merged.get("description", ""),
        changes={s: tuple(merged[s]) for s in ARRAY_SECTIONS},
        appraisal=dict(merged["appraisal"]),
        chain=tuple(merged["chain"]),
        texts=dict(merged["texts"]),
        path=path,
        docs=dict(docs),
    )


def load_scenario(ref: str | os.PathLike | Scenario, *, check: bool = True) -> Scenario:
    """Read a scenario by library name (``base-2024``) or path, with its ``extends`` chain.

    Parameters
    ----------
    ref
        A library name, a path to a ``.toml`` file, or a :class:`Scenario` (returned as is).
    check
        Also check the names against the data (elements, countries, parameters,
        zones); unknown names are errors with suggestions.

    Raises
    ------
    InputError
        Naming the file, the line and the key of the first problem.

    Examples
    --------
    >>> from serai.scenarios import load_scenario
    >>> s = load_scenario("red-sea-closure")
    >>> s.chain, [r["element"] for r in s.rows("close")]
    (('base-2024', 'red-sea-closure'), ['passage:babalmandab', 'passage:suez'])
    """
    if isinstance(ref, Scenario):
        return ref
    path = _find(str(ref), None)
    docs: dict = {}
    merged = _resolve(path, docs)
    s = _build(merged, docs, str(path))
    if check:
        from serai.scenarios.checks import check_scenario

        check_scenario(s)
    return s


def scenario_from_text(text: str, *, name: str = "scenario", check: bool = True) -> Scenario:
    """A scenario from TOML text (``extends`` names refer to the library).

    Examples
    --------
    >>> s = scenario_from_text('extends = "base-2024"\\n[[close]]\\nelement = "passage:suez"\\n'
    ...                        'source = "what-if"\\n', name="no-suez")
    >>> s.year, len(s.rows("close"))
    (2024, 1)
    """
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"{name}.toml"
        p.write_text(text, encoding="utf-8")
        docs: dict = {}
        try:
            merged = _resolve(p, docs)
        except ScenarioFileError as exc:
            raise ScenarioFileError(exc.reason, file=name, line=exc.row, key=exc.field) from None
        # name the text by its scenario name, not the temporary file
        docs = {(name if f == str(p) else f): _renamed(d_, name, str(p)) for f, d_ in docs.items()}
        merged["texts"] = {(name if f == str(p) else f): t for f, t in merged["texts"].items()}
        for s in ARRAY_SECTIONS:
            for r in merged[s]:
                if r.get("_file") == str(p):
                    r["_file"] = name
        merged["_doc"] = name
        sc = _build(merged, docs, None)
    if check:
        from serai.scenarios.checks import check_scenario

        check_scenario(sc)
    return sc


def _renamed(doc: TomlDoc, name: str, tmp: str) -> TomlDoc:
    if doc.file == tmp:
        doc.file = name
    return doc
