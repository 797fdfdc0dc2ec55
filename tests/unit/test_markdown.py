"""Markdown previews are rendered on the server (pcs_app/ui/markdown.py): GitHub-flavoured, and safe to
insert in the page whatever the file holds."""

from __future__ import annotations

from pcs_app.ui.markdown import to_html


def test_github_flavoured_markdown_renders() -> None:
    html = to_html(
        "# Title\n\n| Name | Size |\n|---|---:|\n| a | 1 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ see https://example.com\n"
    )
    assert "<h1>Title</h1>" in html
    assert html.count("<td") == 2 and '<td style="text-align:right">1</td>' in html
    assert html.count('type="checkbox"') == 2 and 'checked="checked"' in html
    assert "<s>old</s>" in html
    assert '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">' in html


def test_raw_html_is_shown_as_text_never_run() -> None:
    html = to_html('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nhi <b onclick="x()">b</b>')
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_links_that_could_run_script_stay_text() -> None:
    for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "vbscript:msgbox(1)", "data:text/html,<b>x</b>"):
        html = to_html(f"[click]({url})")
        assert "<a " not in html, url
    svg = to_html("![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)")  # an SVG can carry script
    assert "<img" not in svg and "<a " not in svg


def test_a_preview_fetches_no_image_from_another_server() -> None:
    html = to_html("![chart](https://tracker.example/p.png) and ![](rel/x.png)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.png" target="_blank" rel="noopener noreferrer nofollow"' in html
    assert ">Image: chart</a>" in html and ">Image</a>" in html
    inline = to_html("![dot](data:image/png;base64,iVBORw0KGgo=)")
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"' in inline


def test_attribute_values_are_escaped() -> None:
    html = to_html('[a](https://x.example/?q="><script>) ![b"<x>](<https://x.example/" onload="1>)')
    assert "<script" not in html and "<x>" not in html and 'onload="' not in html
    assert 'href="https://x.example/%22%20onload=%221"' in html
    assert ">Image: b&quot;&lt;x&gt;</a>" in html


def test_a_cut_off_file_still_renders() -> None:
    html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 ")
    assert html.count("<tr>") == 3
    assert to_html("```python\nprint(1)\n").startswith('<pre><code class="language-python">print(1)')
