"""`serai serve --lanes`: a failure to set up the lanes names its cause.

Before, every OSError but EADDRINUSE was reported as a ``--host`` problem: a temporary folder
the lanes could not make their Unix socket in read "field '--host': cannot listen on
127.0.0.1:8000: No such file or directory".
"""

from __future__ import annotations

import errno
import socket
import tempfile

import pytest

from serai.cli.serve import _lanes
from serai.errors import InputError

lanes = pytest.importorskip("serai.api.lanes")
pytestmark = pytest.mark.skipif(not lanes.lanes_supported(), reason="lanes: Linux only")


def test_a_socket_folder_that_cannot_be_made_is_named(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-folder"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))  # the real Lanes, its mkdtemp fails
    with pytest.raises(InputError) as e:
        _lanes(lanes.Lanes, "127.0.0.1", 0, 2)
    assert e.value.field is None
    assert e.value.file is not None and e.value.file.startswith(str(missing))
    assert "socket folder" in e.value.reason and "no such file or folder" in e.value.reason
    assert "TMPDIR" in e.value.reason and "--no-lanes" in e.value.reason
    assert "--host" not in str(e.value)


def test_an_error_without_a_file_says_the_systems_words(monkeypatch):
    def make(host, port, n):
        raise OSError("AF_UNIX path too long")  # socket.bind's words, no errno, no file

    with pytest.raises(InputError) as e:
        _lanes(make, "127.0.0.1", 0, 2)
    assert e.value.field is None and e.value.file is None
    assert "AF_UNIX path too long" in e.value.reason and "--host" not in str(e.value)


def test_a_port_in_use_is_still_a_port_problem():
    taken = socket.socket()
    try:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as e:
            _lanes(lanes.Lanes, "127.0.0.1", port, 2)
    finally:
        taken.close()
    assert e.value.field == "--port" and f"127.0.0.1:{port}" in e.value.reason


def test_a_port_taken_after_the_probe_is_a_port_problem():
    def make(host, port, n):
        raise OSError(errno.EADDRINUSE, "Address already in use")

    with pytest.raises(InputError) as e:
        _lanes(make, "127.0.0.1", 0, 2)
    assert e.value.field == "--port"


def test_an_address_not_of_this_machine_is_a_host_problem():
    with pytest.raises(InputError) as e:
        _lanes(lanes.Lanes, "192.0.2.1", 0, 2)  # TEST-NET-1: no interface has it
    assert e.value.field == "--host"
