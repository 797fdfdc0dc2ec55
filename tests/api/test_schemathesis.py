"""Property-based fuzzing of every operation in /api/openapi.json: no input may cause a 5xx."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import Client
from tests.stack import Stack

MAX_EXAMPLES = os.environ.get("PCS_FUZZ_EXAMPLES", "60")


def test_no_input_makes_the_api_answer_5xx(stack: Stack, client: Client) -> None:
    st = Path(sys.executable).parent / "schemathesis"
    # Give the fuzzer something real to hit: a folder and a file it may read, rename or delete.
    client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "fuzz"})
    client.put(f"/api/v1/nodes/{client.root_id}/files", params={"name": "fuzz.txt"}, content=b"fuzz me")
    cmd = [
        str(st),
        "run",
        f"{stack.url}/api/openapi.json",
        "--url",
        stack.url,
        "--checks",
        "not_a_server_error",
        "--header",
        f"Authorization: Bearer {client.token}",
        "--max-examples",
        MAX_EXAMPLES,
        "--request-timeout",
        "30",
        "--generation-deterministic",
        "--phases",
        "examples,coverage,fuzzing",
        "--exclude-path",
        "/api/v1/changes",  # long-poll: waits by design
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    report = out.stdout[-12000:] + out.stderr[-2000:]
    print(report)
    assert out.returncode == 0, report
    counts = re.search(r"(\d+) generated, (\d+) passed", out.stdout)
    assert counts and int(counts.group(1)) > 500 and counts.group(1) == counts.group(2), report
