"""Route constants, in one place."""

LOGIN = "/login"
SIGNUP = "/signup"
FILES = "/files"
FOLDER = "/files/[fid]"
STATUS = "/status"
SHARED = "/shared"
TRASH = "/trash"
PUBLIC = "/s/[token]"


def folder_url(folder_id: str) -> str:
    return f"{FILES}/{folder_id}"
