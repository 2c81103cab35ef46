"""The run store refuses a path that is not a DuckDB file: the user's file is never touched."""

import pytest

from serai.errors import InputError
from serai.store import open_store

pytest.importorskip("duckdb", reason="the run store needs the 'store' extra (duckdb)")


def test_a_csv_file_is_not_opened_as_a_store(tmp_path):
    # DuckDB takes a small non-DuckDB file for an empty database and would write into it
    f = tmp_path / "legs.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a DuckDB run store"):
        open_store(f)
    assert f.read_text() == "a,b\n1,2\n"
    assert not list(tmp_path.glob("legs.csv.wal"))


@pytest.mark.parametrize("name", ["new.csv", "out.parquet"])
def test_a_new_store_is_not_named_like_a_data_file(tmp_path, name):
    with pytest.raises(InputError, match="DuckDB file"):
        open_store(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_a_folder_is_refused_and_a_store_reopens(tmp_path):
    with pytest.raises(InputError, match="folder"):
        open_store(tmp_path)
    p = tmp_path / "runs.duckdb"
    open_store(p)._b.con.close()
    assert open_store(p).kind == "duckdb"  # an existing DuckDB file is accepted
