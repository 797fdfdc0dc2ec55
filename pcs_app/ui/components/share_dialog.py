"""The Share dialog: links and people."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ..states.share import ShareState

Row = ObjectVar[dict[str, str]]


def _label(text: str, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, class_name="rt-Text rt-r-size-2", font_weight="500")


def link_form() -> rx.Component:
    f = ShareState.link_form
    return rx.form(
        rx.vstack(
            rx.grid(
                rx.vstack(
                    _label("Expires", "link-expires"),
                    rx.input(
                        type="datetime-local",
                        id="link-expires",
                        name="expires",
                        default_value=f["expires"],
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                    min_width="0",
                ),
                rx.vstack(
                    _label("Download limit", "link-limit"),
                    rx.input(
                        type="number",
                        id="link-limit",
                        name="max_downloads",
                        min=1,
                        placeholder="none",
                        default_value=f["max_downloads"],
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                    min_width="0",
                ),
                rx.vstack(
                    _label("Password", "link-password"),
                    rx.input(
                        type="password",
                        id="link-password",
                        name="password",
                        auto_complete="new-password",
                        placeholder=rx.cond(ShareState.editing_link != "", "unchanged", "none"),
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                    min_width="0",
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                ShareState.share_is_folder,
                rx.el.label(
                    rx.el.input(
                        type="checkbox", name="upload_only", id="link-drop", default_checked=f["upload_only"] != ""
                    ),
                    " File drop: visitors upload into this folder and see nothing",
                    class_name="rt-Text rt-r-size-2 pcs-check",
                ),
            ),
            rx.cond(
                ShareState.link_error != "",
                rx.text(ShareState.link_error, color_scheme="red", size="2", role="alert", id="link-error"),
            ),
            rx.hstack(
                rx.cond(
                    ShareState.editing_link != "",
                    rx.button(
                        "Cancel", type="button", variant="soft", color_scheme="gray", on_click=ShareState.new_link_form
                    ),
                ),
                rx.button(
                    rx.icon("link", size=16),
                    rx.cond(ShareState.editing_link != "", "Save changes", "Create link"),
                    type="submit",
                    id="create-link",
                ),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=ShareState.save_link,
        reset_on_submit=True,
        key=ShareState.editing_link,  # a new form (fresh defaults) for each link edited
        width="100%",
    )


def link_item(row: Row) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.cond(
                row["state"] == "active",
                rx.badge("active", color_scheme="green"),
                rx.badge(row["state"], color_scheme="gray"),
            ),
            rx.cond(row["password"] != "", rx.badge(rx.icon("lock", size=12), "password", color_scheme="amber")),
            rx.cond(row["upload_only"] != "", rx.badge(rx.icon("inbox", size=12), "file drop", color_scheme="blue")),
            rx.spacer(),
            rx.text(row["downloads"], size="2", class_name="pcs-link-downloads"),
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        rx.hstack(
            rx.code(row["url"], class_name="pcs-ellipsis pcs-link-url", flex="1", min_width="0"),
            rx.icon_button(
                rx.icon("copy", size=16),
                variant="soft",
                aria_label="Copy link",
                on_click=[rx.set_clipboard(row["url"]), rx.toast.success("Link copied")],
                class_name="pcs-copy-link",
            ),
            align="center",
            width="100%",
            margin_y="0.35rem",
        ),
        rx.hstack(
            rx.text(row["expires"] + " · " + row["last_access"], size="1", color_scheme="gray"),
            rx.spacer(),
            rx.button("Change", size="1", variant="soft", on_click=ShareState.edit_link(row["id"])),
            rx.cond(
                row["password"] != "",
                rx.button("Remove password", size="1", variant="soft", on_click=ShareState.drop_password(row["id"])),
            ),
            rx.button(
                "Revoke",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ShareState.revoke(row["id"]),
                class_name="pcs-revoke",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        padding="0.6rem",
        border="1px solid var(--gray-5)",
        border_radius="var(--radius-3)",
        width="100%",
        class_name="pcs-link",
        custom_attrs={"data-link-id": row["id"]},
    )


def links_tab() -> rx.Component:
    return rx.vstack(
        link_form(),
        rx.separator(size="4"),
        rx.cond(
            ShareState.links.length() == 0,
            rx.text("No links yet.", size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(ShareState.links, link_item), spacing="2", width="100%", id="share-links"),
        ),
        spacing="3",
        width="100%",
        padding_top="0.75rem",
    )


def person_item(row: Row) -> rx.Component:
    return rx.hstack(
        rx.icon("user", size=16, flex_shrink="0"),
        rx.text(row["email"], class_name="pcs-ellipsis", flex="1", min_width="0", size="2"),
        rx.select(
            ["viewer", "editor"],
            value=row["role"],
            on_change=lambda role: ShareState.set_role(row["id"], role),
            size="1",
            aria_label="Role of " + row["email"],
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=ShareState.remove_person(row["id"]),
            aria_label="Stop sharing with " + row["email"],
        ),
        align="center",
        width="100%",
        class_name="pcs-person",
    )


def people_tab() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    name="email",
                    type="email",
                    placeholder="Email of a PCS account",
                    required=True,
                    flex="1",
                    min_width="10rem",
                    id="share-email",
                    aria_label="Email of the person to share with",
                ),
                rx.el.select(
                    rx.el.option("Viewer", value="viewer"),
                    rx.el.option("Editor", value="editor"),
                    name="role",
                    id="share-role",
                    aria_label="Role",
                    class_name="pcs-native-select",
                ),
                rx.button("Share", type="submit", id="share-submit"),
                width="100%",
                spacing="2",
                wrap="wrap",
            ),
            on_submit=ShareState.add_person,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            ShareState.person_error != "",
            rx.text(ShareState.person_error, color_scheme="red", size="2", role="alert", id="person-error"),
        ),
        rx.text(
            "Viewers can see and download; editors can also add, rename, move and delete inside.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            ShareState.people.length() == 0,
            rx.text("Not shared with anyone yet.", size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(ShareState.people, person_item), spacing="2", width="100%", id="share-people"),
        ),
        spacing="3",
        width="100%",
        padding_top="0.75rem",
    )


def share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(
                    "Share “" + ShareState.share_name + "”", margin="0", class_name="pcs-ellipsis", min_width="0"
                ),
                rx.spacer(),
                rx.dialog.close(rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label="Close")),
                align="center",
                width="100%",
            ),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("Links", value="links", id="tab-links"),
                    rx.tabs.trigger("People", value="people", id="tab-people"),
                ),
                rx.tabs.content(links_tab(), value="links"),
                rx.tabs.content(people_tab(), value="people"),
                default_value="links",
            ),
            max_width="min(40rem, 96vw)",
            id="share-dialog",
        ),
        open=ShareState.share_open,
        on_open_change=ShareState.set_share_open,
    )
