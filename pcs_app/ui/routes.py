"""Route constants, in one place."""

LOGIN = "/login"
SIGNUP = "/signup"
FILES = "/files"
FOLDER = "/files/[fid]"
STATUS = "/status"
SHARED = "/shared"
TRASH = "/trash"
PUBLIC = "/s/[token]"
DASHBOARD = "/dashboard"
USAGE = "/usage"  # the quota mails link here (services/notify/templates.py): the dashboard
ACTIVITY = "/activity"
SETTINGS = "/settings"
FORGOT = "/forgot-password"
RESET = "/reset-password"  # the reset mail's link: /reset-password?token=…


def folder_url(folder_id: str) -> str:
    return f"{FILES}/{folder_id}"
