"""Property-based fuzzing of every operation in /api/openapi.json with every check Schemathesis has
(server errors, status codes, content types, headers, response schemas, schema-valid data accepted,
schema-invalid data refused, Allow on 405, use-after-free, auth ignored, …) and its stateful phase,
which follows the schema's links (create a folder, then list, rename, copy, trash, restore it).

Settings that say which refusals are about state rather than shape live in tests/api/schemathesis.toml.
`make fuzz` runs the same with at least 5,000 cases.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import Client
from tests.stack import Stack

HERE = Path(__file__).resolve().parent
MAX_EXAMPLES = os.environ.get("PCS_TEST_FUZZ_EXAMPLES", "25")
MIN_CASES = int(os.environ.get("PCS_TEST_FUZZ_MIN_CASES", "1000"))


def fuzz_command(stack: Stack, token: str, max_examples: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{stack.url}/api/openapi.json",
        "--url",
        stack.url,
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        max_examples,
        "--request-timeout",
        "30",
        "--generation-deterministic",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--exclude-path",
        "/api/v1/changes",  # long-poll: waits by design
        # The web session's cookie endpoints and token revocation would sign the fuzzer out.
        "--exclude-path",
        "/api/v1/auth/session",
        "--exclude-path-regex",
        "^/api/v1/auth/tokens/",
    ]


def test_the_schema_says_what_the_server_enforces(stack: Stack, client: Client) -> None:
    # Give the fuzzer something real to hit: a folder and a file it may read, rename or delete.
    client.post(f"/api/v1/nodes/{client.root_id}/folders", json={"name": "fuzz"})
    client.put(f"/api/v1/nodes/{client.root_id}/files", params={"name": "fuzz.txt"}, content=b"fuzz me")
    out = subprocess.run(
        fuzz_command(stack, client.token, MAX_EXAMPLES), cwd=HERE, capture_output=True, text=True, timeout=1200
    )
    report = out.stdout[-12000:] + out.stderr[-2000:]
    print(report)
    assert out.returncode == 0, report
    counts = re.search(r"(\d+) generated, (\d+) passed", out.stdout)
    assert counts and int(counts.group(1)) >= MIN_CASES and counts.group(1) == counts.group(2), report
