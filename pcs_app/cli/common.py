"""What every command shares: one-line errors, and settings validated with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from pcs_app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent


def die(msg: str, code: int = 1) -> NoReturn:
    print(f"pcs: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def load_settings() -> Settings:
    from pcs_app.settings import get_settings

    try:
        return get_settings()
    except ValidationError as e:
        first = e.errors()[0]
        msg = str(first["msg"]).removeprefix("Value error, ")
        if first["loc"]:
            die(f"invalid setting PCS_{'_'.join(map(str, first['loc'])).upper()}: {msg}", 2)
        die(msg, 2)
