"""Ports picked for private SeaweedFS instances and test stacks stay out of the kernel's ephemeral range."""

from __future__ import annotations

import socket

import pytest

from pcs_app.adapters import seaweed
from pcs_app.adapters.seaweed import _ephemeral_start, free_port


def test_ports_and_their_grpc_neighbours_lie_below_the_ephemeral_range_and_apart() -> None:
    taken: set[int] = set()
    ports = [free_port(taken) for _ in range(60)]
    start = _ephemeral_start()
    assert len(set(ports)) == 60 and taken == set(ports) | {p + 10000 for p in ports}
    assert all(p + 10000 < start for p in ports), (start, max(ports))


def test_a_port_or_neighbour_in_use_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: set[int] = set()
    busy, neighbour_busy, free = free_port(taken), free_port(taken), free_port(taken)
    with socket.socket() as a, socket.socket() as b:
        a.bind(("127.0.0.1", busy))  # in use itself
        b.bind(("127.0.0.1", neighbour_busy + 10000))  # its gRPC neighbour in use
        picks = iter([busy, neighbour_busy, free])

        class Scripted:
            def randrange(self, lo: int, hi: int) -> int:
                return next(picks)

        monkeypatch.setattr(seaweed.secrets, "SystemRandom", Scripted)
        assert free_port() == free
