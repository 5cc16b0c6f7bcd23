"""A local TCP listener for tests that prove the server never connects anywhere."""
from __future__ import annotations

import socket

import pytest


@pytest.fixture(scope="module")
def listener():
    """Any connection to this socket means the server fetched something on a user's behalf."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    yield sock
    sock.close()


def connections(sock: socket.socket) -> int:
    """How many connections arrived since the last call."""
    n = 0
    while True:
        try:
            conn, _ = sock.accept()
        except (socket.timeout, TimeoutError):
            return n
        conn.close()
        n += 1
