"""Devices an account signs in from: a browser (or app) family on a system, e.g. "Firefox on Linux".

Only the family counts, not the version, so a browser update is not a new device. Stored as keyed
hashes (HMAC with the server secret), like addresses. A sign-in from a device or an address the
account never used before mails its owner (unless it is the account's very first sign-in).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from pcs_app.models import KnownAddress, KnownDevice, User, utcnow

from ..core import Core
from ..notify import triggers

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-httpx", "httpx"),
    ("python-requests", "requests"),
    ("pcs-sync", "PCS sync"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """'Firefox on Linux', 'Safari on iPhone', 'curl', or 'an unknown device'."""
    ua = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in ua), "")
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    if not browser and ua:
        browser = re.split(r"[/\s]", ua.strip(), maxsplit=1)[0][:40]
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "an unknown device"


def _hash(core: Core, label: str) -> str:
    return hmac.new(core.settings.server_secret(), f"device:{label}".encode(), hashlib.sha256).hexdigest()


def note_sign_in(core: Core, user: User, address: str | None, user_agent: str | None, new_address: bool) -> bool:
    """Remember the device; mail the owner when the device or the address is new to a known account.
    Returns whether it was new (either). Call after the sign-in succeeded (and its address was noted)."""
    if user.id is None:
        return False
    label = device_label(user_agent)
    key = _hash(core, label)
    now = utcnow()
    new_device = False
    try:
        with core.db.write() as s:
            seen = s.get(KnownDevice, (user.id, key))
            new_device = seen is None
            # Before this sign-in: any device, or an address other than the one just noted?
            before = s.exec(select(KnownDevice.user_id).where(KnownDevice.user_id == user.id).limit(1)).first()
            addresses = len(s.exec(select(KnownAddress.address_hash).where(KnownAddress.user_id == user.id)).all())
            if seen is None:
                s.add(KnownDevice(user_id=user.id, device_hash=key, first_seen=now, last_seen=now))
            else:
                seen.last_seen = now
                s.add(seen)
    except IntegrityError:  # the same device signed in twice at once: it is known now
        return False
    # An account's first sign-in is nobody's news; nor is the first device seen after devices were counted.
    if (new_device and before is not None) or (new_address and addresses > 1):
        triggers.new_sign_in(core, user, label, address)
        return True
    return False
