"""The ``serai`` script registers only the command it runs; the table it uses is complete.

:data:`serai.cli.COMMANDS` maps each top-level command or group to the module that
registers it. Checked against the complete app (every module imported): every
command and group is in the table with the module its callbacks come from, and a
command's help is the same whether the app has one module or all of them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from serai.cli import COMMANDS, MODULES, app


def _registered() -> dict[str, set[str]]:
    """Top-level name -> modules of the callbacks registered under it (complete app)."""
    out: dict[str, set[str]] = {}
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        out.setdefault(name, set()).add(info.callback.__module__)
    for group in app.registered_groups:
        sub = group.typer_instance
        mods = {c.callback.__module__ for c in sub.registered_commands}
        mods |= {g.typer_instance.registered_commands[0].callback.__module__
                 for g in sub.registered_groups}  # fmt: skip
        out.setdefault(group.name, set()).update(mods)
    return out


def test_the_table_names_every_command_and_its_module():
    got = _registered()
    assert set(got) == set(COMMANDS), set(got) ^ set(COMMANDS)
    for name, modules in got.items():
        assert modules == {f"serai.cli.{COMMANDS[name]}"}, (name, modules)
    assert set(COMMANDS.values()) == set(MODULES)


def _help(argv: list[str], lazy: bool) -> str:
    call = f"sys.argv = ['serai', *{argv!r}]; " + ("run()" if lazy else "main()")
    code = f"import sys\nfrom serai.cli import main, run\ntry:\n    {call}\nexcept SystemExit:\n    pass"
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=300, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("argv", [["assign", "--help"], ["network", "--help"], ["--help"]])
def test_help_with_one_module_is_the_complete_apps(argv):
    lazy = _help(argv, lazy=True)
    assert "Usage:" in lazy
    assert lazy == _help(argv, lazy=False)


def test_a_mistyped_command_gets_the_complete_apps_suggestion():
    r = subprocess.run([sys.executable, "-m", "serai", "asign"], capture_output=True, text=True,
                       timeout=300)  # fmt: skip
    assert r.returncode == 2
    assert "No such command" in r.stderr and "assign" in r.stderr
