"""Scenario files: every problem is an error naming the file, the line and the key."""

from __future__ import annotations

import pytest

from serai.errors import InputError
from serai.scenarios import library_names, load_scenario, scenario_from_text
from serai.scenarios._toml import ScenarioFileError


def write(tmp_path, name: str, text: str):
    p = tmp_path / f"{name}.toml"
    p.write_text(text, encoding="utf-8")
    return p


def error_of(path) -> ScenarioFileError:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


def test_bad_key_names_file_line_key_and_suggests(tmp_path):
    p = write(tmp_path, "k", 'year = 2030\n\n[[close]]\nelemnt = "passage:suez"\nsource = "x"\n')
    e = error_of(p)
    assert e.file == str(p) and e.row == 4 and e.field == "close[1].elemnt"
    assert "did you mean element" in str(e)
    assert str(e).startswith(f"{p}, line 4, key 'close[1].elemnt': unknown key")


def test_bad_type_names_line(tmp_path):
    p = write(
        tmp_path,
        "t",
        'year = 2030\n[[capacity]]\nelement = "point:aktau_port"\nfactor = "1.5"\nsource = "x"\n',
    )
    e = error_of(p)
    assert (e.row, e.field) == (4, "capacity[1].factor")
    assert "must be a finite number, not a string" in str(e)


def test_year_as_float_and_bool_are_type_errors(tmp_path):
    e = error_of(write(tmp_path, "y", "year = 2030.0\n"))
    assert (e.row, e.field) == (1, "year") and "an integer" in str(e)
    e = error_of(
        write(tmp_path, "b", 'year = 2030\n[[close]]\nelement = "passage:suez"\nestimate = 1\n')
    )
    assert (e.row, e.field) == (4, "close[1].estimate") and "true or false" in str(e)


def test_unknown_element_suggests_close_names(tmp_path):
    p = write(
        tmp_path,
        "e",
        'year = 2024\n# a comment\n[[close]]\nelement = "passage:sues"\nsource = "x"\n',
    )
    e = error_of(p)
    assert (e.row, e.field) == (4, "close[1].element")
    assert "unknown passage 'sues'" in str(e) and "did you mean suez" in str(e)


def test_unknown_element_in_second_row_of_nested_section(tmp_path):
    text = (
        "year = 2024\n"
        "[[capacity]]\n"
        'element = "point:aktau_port"\n'
        "factor = 1.1\n"
        'source = "x"\n'
        "\n"
        "[[capacity]]\n"
        'element = "point:aktao_port"\n'
        "factor = 1.1\n"
        'source = "x"\n'
    )
    e = error_of(write(tmp_path, "c", text))
    assert (e.row, e.field) == (8, "capacity[2].element")
    assert "aktau_port" in str(e)


def test_unknown_country_and_kind(tmp_path):
    e = error_of(
        write(
            tmp_path,
            "b",
            'year = 2024\n[[border]]\na = "RU"\nb = ["PL", "Germany"]\nstatus = "closed"\n'
            'estimate = true\nnote = "x"\n',
        )
    )
    assert (e.row, e.field) == (4, "border[1].b") and "unknown country or group 'Germany'" in str(e)
    e = error_of(
        write(tmp_path, "k", 'year = 2024\n[[close]]\nelement = "port:aktau"\nsource = "x"\n')
    )
    assert (e.row, e.field) == (3, "close[1].element") and "did you mean point" in str(e)


def test_unknown_demand_zone_and_group(tmp_path):
    e = error_of(
        write(
            tmp_path,
            "d",
            'year = 2030\n[[demand.scale]]\ngroup = "containers"\norigin = "CN_XIAN"\n'
            'factor = 2\nsource = "x"\n',
        )
    )
    assert (e.row, e.field) == (4, "demand.scale[1].origin") and "CN_XIY" in str(e)
    e = error_of(
        write(
            tmp_path,
            "g",
            'year = 2030\n[[demand.scale]]\ngroup = "uranum"\nfactor = 2\nsource = "x"\n',
        )
    )
    assert (e.row, e.field) == (3, "demand.scale[1].group") and "uranium" in str(e)


def test_rules_across_keys(tmp_path):
    e = error_of(
        write(
            tmp_path,
            "v",
            'year = 2024\n[[capacity]]\nelement = "point:aktau_port"\nvalue = 12\nsource = "x"\n',
        )
    )
    assert (e.row, e.field) == (4, "capacity[1].value") and "needs its unit" in str(e)
    e = error_of(write(tmp_path, "s", 'year = 2024\n[[close]]\nelement = "passage:suez"\n'))
    assert e.row == 2 and "needs its source" in str(e)
    e = error_of(
        write(
            tmp_path,
            "m",
            'year = 2024\n[[disruption]]\nelement = "point:aktau_port"\n'
            'capacity_factor = 0.5\nmonths = [11, 13]\nsource = "x"\n',
        )
    )
    assert (e.row, e.field) == (5, "disruption[1].months") and "1 to 12" in str(e)


def test_unknown_parameter_and_measure(tmp_path):
    e = error_of(
        write(
            tmp_path,
            "m",
            'year = 2024\n[[close]]\nelement = "passage:suez"\nsource = "x"\nmeasure = "nope"\n',
        )
    )
    assert (e.row, e.field) == (5, "close[1].measure") and "unknown measure 'nope'" in str(e)


def test_invalid_toml_names_the_line(tmp_path):
    e = error_of(write(tmp_path, "x", "year = 2024\n[[close]\nelement = 1\n"))
    assert e.row == 2 and "not valid TOML" in str(e)


def test_extends_errors(tmp_path):
    e = error_of(write(tmp_path, "u", 'extends = "base-2042"\nyear = 2030\n'))
    assert (e.row, e.field) == (1, "extends") and "base-2024" in str(e)
    write(tmp_path, "a", 'extends = "b"\nyear = 2030\n')
    write(tmp_path, "b", 'extends = "a"\n')
    with pytest.raises(InputError, match="cycle"):
        load_scenario(tmp_path / "a.toml")
    e = error_of(write(tmp_path, "n", "title = 'no year'\n"))
    assert "missing required key 'year'" in str(e)


def test_extends_inherits_and_child_overrides(tmp_path):
    write(tmp_path, "p", 'year = 2024\n[[close]]\nelement = "passage:suez"\nsource = "x"\n')
    write(
        tmp_path,
        "c",
        'extends = "p"\nyear = 2030\n[[open]]\nelement = "passage:suez"\nsource = "y"\n',
    )
    s = load_scenario(tmp_path / "c.toml")
    assert s.year == 2030 and s.chain == ("p", "c")
    assert [r["_path"][0] for r in (*s.rows("close"), *s.rows("open"))] == ["close", "open"]


def test_shared_ancestor_comes_once_before_its_children(tmp_path):
    write(tmp_path, "root", 'year = 2030\n[[close]]\nelement = "line:cku"\nsource = "x"\n')
    write(tmp_path, "l1", 'extends = "root"\n[[open]]\nelement = "line:cku"\nsource = "x"\n')
    write(tmp_path, "l2", 'extends = "root"\n[[close]]\nelement = "passage:suez"\nsource = "x"\n')
    s = load_scenario(write(tmp_path, "pkg", 'extends = ["l1", "l2"]\n'))
    assert s.chain == ("root", "l1", "l2", "pkg")
    assert len(s.rows("close")) == 2 and len(s.rows("open")) == 1


def test_error_in_a_parent_names_the_parent_file(tmp_path):
    p = write(tmp_path, "par", 'year = 2030\n[[close]]\nelement = "line:nope"\nsource = "x"\n')
    e = error_of(write(tmp_path, "kid", 'extends = "par"\n'))
    assert e.file == str(p) and e.row == 3


def test_text_scenarios_and_hash():
    a = scenario_from_text(
        'extends = "base-2024"\n[[close]]\nelement = "passage:suez"\nsource = "x"\n', name="a"
    )
    b = scenario_from_text(
        '# same content, other comments\nextends = "base-2024"\n[[close]]\nelement = "passage:suez"\n'
        'source = "x"\n',
        name="b",
    )
    assert a.hash == b.hash and a.year == 2024
    with pytest.raises(InputError) as info:
        scenario_from_text(
            'year = 2024\n[[close]]\nelement = "passage:nope"\nsource = "x"\n', name="inline"
        )
    assert info.value.file == "inline" and info.value.row == 3


def test_every_library_scenario_loads_and_is_sourced():
    names = library_names()
    for must in ("base-2024", "base-2030", "wb-2030", "red-sea-closure", "russia-closed",
                 "caspian-low-water", "digital-customs", "zangezur-tripp", "bakhty-ayagoz",
                 "dostyk-moyynty", "cku", "darbaza-maktaaral", "caspian-ports-fleet",
                 "rail-modernisation", "caspian-storms", "minerals-us"):  # fmt: skip
        assert must in names
    for n in names:
        s = load_scenario(n)
        for sec, rows in s.changes.items():
            for r in rows:
                if sec != "target":
                    assert r.get("source") or (r.get("estimate") and r.get("note")), (n, sec, r)


def test_docs_show_the_declared_schema():
    from pathlib import Path

    from serai.scenarios.schema import markdown_table

    page = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(
        encoding="utf-8"
    )
    body = page.split("<!-- schema:start -->")[1].split("<!-- schema:end -->")[0].strip()
    assert body == markdown_table(), "regenerate the table of docs/scenarios.md from schema.csv"
