"""Container health check: `web` answers GET /api/v1/health; `worker` is healthy while it runs.

The image runs either process (its command decides), so the check looks at what PID 1 runs. Exit 0
is healthy, 1 unhealthy (Docker's HEALTHCHECK and ECS's container health check both read it).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path


def main_command() -> list[str]:
    """The command line of the container's PID 1."""
    try:
        raw = Path("/proc/1/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def check_web(port: str) -> bool:
    """True when the app's health endpoint answers 200 (database and storage reachable)."""
    url = f"http://127.0.0.1:{port}/api/v1/health"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    # `worker` runs as PID 1 (or as the child of ECS's init, whose command line names it too);
    # `web` replaces itself with `reflex run`, whose command line never says "worker".
    if "worker" in main_command():
        return 0
    return 0 if check_web(os.environ.get("PCS_PORT", "3000")) else 1


if __name__ == "__main__":
    sys.exit(main())
