"""Markdown previews, rendered on the server to HTML that is safe to insert in the page.

GitHub-flavoured: tables, task lists, strikethrough and bare links. Raw HTML in the file is shown as
text, never run; links that could run script (``javascript:``, ``vbscript:``, ``file:``, non-image
``data:``) stay plain text; links open in a new tab without a referrer. Opening a preview never
fetches anything from another server: an image that is not inline data becomes a link to it.

Rendering here rather than in the browser keeps a Markdown library (about 1 MB of JavaScript, with
its syntax highlighter) out of every page that can open a preview.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.tasklists import tasklists_plugin

REL = "noopener noreferrer nofollow"


def _link_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    tokens[idx].attrSet("target", "_blank")
    tokens[idx].attrSet("rel", REL)
    return self.renderToken(tokens, idx, options, env)


def _image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    tok = tokens[idx]
    src = str(tok.attrGet("src") or "")
    if src.startswith("data:image/"):  # inline bytes (markdown-it admits only gif, png, jpeg and webp)
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(tok.children or [], options, env)
    label = f"Image: {alt}" if alt else "Image"
    return f'<a href="{escapeHtml(src)}" target="_blank" rel="{REL}" class="pcs-md-image">{escapeHtml(label)}</a>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("gfm-like", {"html": False}).use(tasklists_plugin)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_MD = _parser()


def to_html(text: str) -> str:
    """The HTML of a Markdown text (the start of a file: a cut-off last block renders as it is)."""
    return _MD.render(text)


def text_preview(head: bytes, mime_type: str) -> tuple[str, str]:
    """What a text preview shows of a file's first bytes: (text, "") for plain text, ("", html) for
    Markdown, so the browser is sent only what it shows. Slow on a large file: run it in a thread."""
    text = head.decode("utf-8", errors="replace")
    return ("", to_html(text)) if mime_type == "text/markdown" else (text, "")
