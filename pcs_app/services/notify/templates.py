"""The mails PCS sends: a subject, a text part and an HTML part, each with a link back into the app."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from pcs_app.services.units import human_size

# Pages of the web app the mails link to (the UI serves these paths).
FILES, SHARED, USAGE, SETTINGS, RESET = "/files", "/shared", "/usage", "/settings", "/reset-password"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def _render(subject: str, lines: list[str], action: str, url: str, footer: str) -> Message:
    text = "\n\n".join([*lines, f"{action}: {url}", footer]) + "\n"
    paragraphs = "".join(f'<p style="margin:0 0 12px">{escape(line)}</p>' for line in lines)
    html = (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1f2933;max-width:560px">'
        f"{paragraphs}"
        f'<p style="margin:20px 0"><a href="{escape(url, quote=True)}" style="background:#2563eb;color:#fff;'
        f'padding:10px 16px;border-radius:6px;text-decoration:none">{escape(action)}</a></p>'
        f'<p style="margin:0;color:#52606d;font-size:13px">{escape(footer)}</p></body></html>'
    )
    return Message(subject, text, html)


OPT_OUT = "You can turn these mails off under Settings → Notifications."


def share_received(base: str, owner: str, name: str, role: str, folder_id: str | None) -> Message:
    url = f"{base}{FILES}/{folder_id}" if folder_id else f"{base}{SHARED}"
    return _render(
        f"{owner} shared “{name}” with you",
        [f"{owner} shared “{name}” with you on PCS, as {'an editor' if role == 'editor' else 'a viewer'}."],
        "Open it",
        url,
        OPT_OUT,
    )


def link_downloaded(base: str, name: str, folder_id: str) -> Message:
    return _render(
        f"Your link to “{name}” was downloaded",
        [f"Someone downloaded “{name}” through your share link for the first time."],
        "See your files",
        f"{base}{FILES}/{folder_id}",
        OPT_OUT + " This mail comes once per link; the link's options turn it off.",
    )


def file_dropped(base: str, file_name: str, size: int, folder: str, folder_id: str) -> Message:
    return _render(
        f"“{file_name}” was added to your file drop “{folder}”",
        [f"Someone uploaded “{file_name}” ({human_size(size)}) to “{folder}” through your file-drop link."],
        "Open the folder",
        f"{base}{FILES}/{folder_id}",
        OPT_OUT,
    )


def quota_reached(base: str, level: int, used: int, quota: int) -> Message:
    if level >= 100:
        subject = "Your PCS storage is full"
        first = f"You are using {human_size(used)} of your {human_size(quota)}: new uploads are refused until you free space."
    else:
        subject = f"Your PCS storage is {level}% full"
        first = f"You are using {human_size(used)} of your {human_size(quota)}."
    return _render(
        subject,
        [first, "Emptying the trash and deleting old versions frees space at once."],
        "See what takes the space",
        f"{base}{USAGE}",
        OPT_OUT,
    )


def new_sign_in(base: str, email: str, device: str, address: str | None, when: str) -> Message:
    where = f" from {address}" if address else ""
    return _render(
        "New sign-in to your PCS account",
        [
            f"Your account {email} was signed in to on {device}{where} at {when}.",
            "If this was you, there is nothing to do. If not, change your password and end the sessions you do "
            "not know.",
        ],
        "Review your sessions",
        f"{base}{SETTINGS}",
        OPT_OUT,
    )


def password_reset(base: str, email: str, token: str, minutes: int) -> Message:
    return _render(
        "Reset your PCS password",
        [
            f"Someone (hopefully you) asked to reset the password of {email}.",
            f"The link works once, for {minutes} minutes. If you did not ask, ignore this mail: "
            "your password stays as it is.",
        ],
        "Choose a new password",
        f"{base}{RESET}?token={token}",
        "This mail was sent because of a reset request; it cannot be turned off.",
    )
