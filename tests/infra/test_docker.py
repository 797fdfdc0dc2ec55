"""The container image: hadolint is clean, and the Dockerfile keeps the promises infra relies on."""

from __future__ import annotations

import fnmatch
import http.server
import importlib.util
import json
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.infra.tools import INFRA, ROOT, hadolint

DOCKERFILE = ROOT / "Dockerfile"


def test_hadolint_passes() -> None:
    proc = subprocess.run(
        [str(hadolint()), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _runtime_stage() -> list[tuple[str, str]]:
    ins = _instructions()
    last_from = max(i for i, (word, _) in enumerate(ins) if word == "FROM")
    return ins[last_from:]


def test_the_image_runs_web_as_a_non_root_user_with_a_health_check() -> None:
    runtime = dict(_runtime_stage())
    assert json.loads(runtime["CMD"]) == ["python", "-m", "pcs_app.cli", "web"]
    user = runtime["USER"].split(":")[0]
    assert user not in ("root", "0"), user
    assert "/app/infra/docker/healthcheck.py" in runtime["HEALTHCHECK"]
    assert len([w for w, _ in _instructions() if w == "FROM"]) >= 2, "multi-stage build expected"


def test_no_secret_is_baked_into_the_image() -> None:
    for word, rest in _instructions():
        if word in ("ENV", "ARG"):
            assert not re.search(r"SECRET|PASSWORD|TOKEN|ACCESS_KEY|DATABASE_URL|REDIS_URL", rest), rest


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; '!' re-includes."""
    ignored = False
    for p in patterns:
        negate = p.startswith("!")
        p = p.lstrip("!").rstrip("/")
        if p.startswith("**/"):
            hit = (
                fnmatch.fnmatch(path, p[3:])
                or fnmatch.fnmatch(path, p)
                or any(fnmatch.fnmatch(part, p[3:]) for part in path.split("/"))
            )
        else:
            hit = fnmatch.fnmatch(path, p) or path.startswith(p + "/")
        if hit:
            ignored = not negate
    return ignored


def test_the_build_context_has_what_the_dockerfile_copies_and_no_local_state() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for word, rest in _instructions():
        if word == "COPY" and "--from=" not in rest:
            for src in rest.split()[:-1]:
                if src != ".":
                    assert (ROOT / src).exists(), src
                    assert not _ignored(src, patterns), f"{src} is excluded by .dockerignore"
    for needed in (
        "pcs_app/cli/__init__.py",
        "backend_jobs/lambda_handler.py",
        "rxconfig.py",
        "reflex.lock/package.json",
    ):
        assert not _ignored(needed, patterns), needed
    for private in ("data/s3-credentials.json", ".venv/bin/python", ".tools/package.json", ".web/package.json"):
        assert _ignored(private, patterns), private
    assert _ignored(".git/config", patterns) and _ignored("tests/conftest.py", patterns)


# --- the health check script ----------------------------------------------------------------------


def _healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pcs_healthcheck", INFRA / "docker" / "healthcheck.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def health_server() -> Iterator[tuple[int, list[int]]]:
    status = [200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status[0] if self.path == "/api/v1/health" else 404)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], status
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_follows_the_apps_health_endpoint(health_server: tuple[int, list[int]]) -> None:
    hc = _healthcheck()
    port, status = health_server
    assert hc.check_web(str(port)) is True
    status[0] = 503
    assert hc.check_web(str(port)) is False
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert hc.check_web(str(closed)) is False


def test_the_health_check_passes_a_worker_without_asking_http(monkeypatch: pytest.MonkeyPatch) -> None:
    hc = _healthcheck()
    monkeypatch.setattr(
        hc, "main_command", lambda: ["/sbin/docker-init", "--", "python", "-m", "pcs_app.cli", "worker"]
    )
    monkeypatch.setattr(hc, "check_web", lambda port: False)
    assert hc.main() == 0
    monkeypatch.setattr(hc, "main_command", lambda: ["/opt/venv/bin/python", "/opt/venv/bin/reflex", "run"])
    assert hc.main() == 1


def test_the_image_only_installer_files_are_pinned() -> None:
    for line in (INFRA / "docker" / "requirements-image.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line.strip()), line
    assert Path(INFRA / "requirements-checkov.txt").read_text().count("==") == 1
