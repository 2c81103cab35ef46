"""Writes that never lose data (serai._fs): refusal, atomic rename, folders swapped, OS errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from serai._fs import MANIFEST, atomic_path, replace_folder, write_table, write_text
from serai.errors import InputError


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_existing_file_needs_overwrite_and_is_untouched(tmp_path):
    f = tmp_path / "out.csv"
    f.write_text("precious\n")
    with pytest.raises(InputError, match="already exists; pass --overwrite"):
        write_table(pd.DataFrame({"a": [1]}), f)
    assert f.read_text() == "precious\n"
    write_table(pd.DataFrame({"a": [1]}), f, overwrite=True)
    assert f.read_text() == "a\n1\n"
    assert _left(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failed_or_interrupted_write_leaves_old_file_and_no_temp(tmp_path, exc):
    f = tmp_path / "out.json"
    f.write_text("old\n")
    with pytest.raises(type(exc)), atomic_path(f, overwrite=True) as tmp:
        tmp.write_text("half writ")
        raise exc
    assert f.read_text() == "old\n"
    assert _left(tmp_path) == ["out.json"]


def test_directory_and_file_parent_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        write_text(tmp_path, "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write_text(tmp_path / "file" / "out.txt", "x")
    with pytest.raises(InputError, match="needs a file name"):
        write_text("", "x")


def test_device_is_written_in_place_not_replaced():
    write_text("/dev/null", "x", overwrite=True)
    assert Path("/dev/null").is_char_device()
    with pytest.raises(InputError, match="disk full"):
        write_text("/dev/full", "x" * 100)
    assert Path("/dev/full").is_char_device()


def test_file_size_limit_is_a_clear_error_and_leaves_nothing(tmp_path):
    code = textwrap.dedent(
        f"""
        import resource, pandas as pd
        from serai._fs import write_table
        from serai.errors import InputError
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
        try:
            write_table(pd.DataFrame({{"a": range(5000)}}), {str(tmp_path / "big.csv")!r})
        except InputError as e:
            print("ERR", e)
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "file too large (file-size limit reached); nothing was written" in r.stdout, r.stderr
    assert _left(tmp_path) == []


def test_replace_folder_keeps_user_files_and_drops_only_its_own(tmp_path):
    out = tmp_path / "out"
    with replace_folder(out) as new:
        (new / "a.parquet").write_text("1")
        (new / "b.parquet").write_text("1")
    assert _left(out) == sorted([MANIFEST, "a.parquet", "b.parquet"])
    (out / "notes.txt").write_text("mine")
    (out / "mine").mkdir()
    (out / "mine" / "x.csv").write_text("mine")
    # an existing output is replaced only with overwrite, even one serai wrote
    with pytest.raises(InputError, match=r"already holds a\.parquet; pass --overwrite"):
        with replace_folder(out) as new:
            (new / "a.parquet").write_text("2")
    assert (out / "a.parquet").read_text() == "1"
    with replace_folder(out, overwrite=True) as new:  # serai wrote a and b: replaces a, drops b
        (new / "a.parquet").write_text("2")
    assert _left(out) == sorted([MANIFEST, "a.parquet", "mine", "notes.txt"])
    assert (out / "a.parquet").read_text() == "2"
    assert (out / "mine" / "x.csv").read_text() == "mine"
    # a clash with a user file needs overwrite too; nothing moves before the error
    with pytest.raises(InputError, match=r"already holds notes\.txt"):
        with replace_folder(out) as new:
            (new / "notes.txt").write_text("new")
    assert (out / "notes.txt").read_text() == "mine"
    assert [p for p in _left(tmp_path) if p.startswith(".serai")] == []


def test_interrupted_folder_build_keeps_the_old_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.parquet").write_text("old")
    with pytest.raises(KeyboardInterrupt), replace_folder(out, overwrite=True) as new:
        (new / "old.parquet").write_text("half")
        raise KeyboardInterrupt
    assert _left(out) == ["old.parquet"] and (out / "old.parquet").read_text() == "old"
    assert _left(tmp_path) == ["out"]


def test_disk_full_on_a_small_tmpfs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mnt)],
                       capture_output=True, check=False)  # fmt: skip
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (mnt / "old.csv").write_text("old\n")
        with pytest.raises(InputError, match="no space left on the device"):
            write_table(pd.DataFrame({"a": range(100_000)}), mnt / "old.csv", overwrite=True)
        assert _left(mnt) == ["old.csv"] and (mnt / "old.csv").read_text() == "old\n"
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
    assert not os.path.ismount(mnt)


def test_outputs_get_the_mode_of_a_plain_write(tmp_path):
    import stat

    from serai._fs import _umask, write_text

    # mkstemp makes owner-only files; an output must be readable as a plain open() makes it
    new = write_text(tmp_path / "new.csv", "a\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~_umask()
    old = tmp_path / "old.csv"
    old.write_text("x\n")
    os.chmod(old, 0o640)
    write_text(old, "y\n", overwrite=True)  # a replaced file keeps its mode
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_safety_children_get_sigint_even_from_a_background_harness():
    # `harness --area safety &` from a shell: SIGINT is ignored and inherited; the
    # interrupted-build scenario needs serai to see Ctrl-C as a user's terminal sends it
    import signal
    import subprocess
    import sys

    from tests.robustness.safety import child_setup

    probe = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        plain = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        fixed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               preexec_fn=child_setup)  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, old)
    assert plain.stdout.strip() == "False"  # the trap: no KeyboardInterrupt in the child
    assert fixed.stdout.strip() == "True"
