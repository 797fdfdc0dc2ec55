"""The renderer and its sandbox: every supported format becomes WebP thumbnails; hostile files become
"no thumbnail" with a reason, without crashing the caller and within bounded memory."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from backend_jobs import _sandbox as sandbox_module
from backend_jobs._render import RenderRequest, RenderResult, render
from backend_jobs._sandbox import Sandbox, SandboxUnavailable
from tests.jobs import conftest as media

SIZES = (256, 1024)
BUDGET = 64_000_000


def run(tmp_path: Path, data: bytes, kind: str = "image", **kw: object) -> RenderResult:
    src = tmp_path / "input"
    src.write_bytes(data)
    return render(RenderRequest(str(src), str(tmp_path), kind, SIZES, kw.pop("max_pixels", BUDGET), **kw))  # type: ignore[arg-type]


def opened(result: RenderResult, size: int) -> Image.Image:
    im = Image.open(result.outputs[size])
    assert im.format == "WEBP"
    return im


@pytest.mark.parametrize(
    "name, data",
    [
        ("jpeg", lambda: media.jpeg((1600, 1200))),
        ("png", lambda: media.encode(Image.new("RGB", (1600, 1200), "red"), "PNG")),
        ("gif", media.animated_gif),
        ("webp", lambda: media.encode(Image.new("RGB", (400, 300), "red"), "WEBP")),
        ("heic", media.heic),
        ("tiff", lambda: media.encode(Image.new("RGB", (400, 300), "red"), "TIFF", compression="tiff_lzw")),
        ("bmp", lambda: media.encode(Image.new("RGB", (400, 300), "red"), "BMP")),
        ("cmyk-jpeg", lambda: media.encode(Image.new("CMYK", (400, 300), (0, 255, 255, 0)), "JPEG")),
        ("16-bit-png", lambda: media.encode(Image.new("I;16", (400, 300), 40000), "PNG")),
    ],
)
def test_each_image_format_gets_both_webp_sizes(tmp_path: Path, name: str, data) -> None:  # type: ignore[no-untyped-def]
    result = run(tmp_path, data())
    assert result.ok, (name, result)
    big, small = opened(result, 1024), opened(result, 256)
    assert max(big.size) <= 1024 and max(small.size) == 256
    assert big.size[0] / big.size[1] == pytest.approx(small.size[0] / small.size[1], rel=0.02)


def test_large_jpeg_is_scaled_to_exactly_the_two_sizes(tmp_path: Path) -> None:
    result = run(tmp_path, media.jpeg((4000, 3000)))
    assert opened(result, 1024).size == (1024, 768)
    assert opened(result, 256).size == (256, 192)
    assert (result.width, result.height) == (4000, 3000)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Stored landscape, red left / blue right; orientation 6 means "turn 90° clockwise to show".
    result = run(tmp_path, media.jpeg((400, 200), orientation=6))
    im = opened(result, 256).convert("RGB")
    assert im.size == (128, 256)
    assert (result.width, result.height) == (200, 400)
    top, bottom = im.getpixel((64, 10)), im.getpixel((64, 245))
    assert top[0] > 200 and top[2] < 60, top  # red is now on top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_gif_thumbnail_shows_the_first_frame(tmp_path: Path) -> None:
    px = opened(run(tmp_path, media.animated_gif()), 256).convert("RGB").getpixel((5, 5))
    assert px[0] > 200 and px[2] < 60


def test_transparency_is_kept(tmp_path: Path) -> None:
    im = Image.new("RGBA", (300, 300), (255, 0, 0, 0))
    out = opened(run(tmp_path, media.encode(im, "PNG")), 256)
    assert out.mode == "RGBA" and out.getpixel((5, 5))[3] == 0


def test_thumbnails_carry_no_exif(tmp_path: Path) -> None:
    # A photo's EXIF can hold where it was taken; a thumbnail served with public caching must not.
    out = opened(run(tmp_path, media.jpeg((300, 200), orientation=1)), 256)
    assert "exif" not in out.info


def test_pdf_first_page(tmp_path: Path) -> None:
    result = run(tmp_path, media.pdf(), kind="pdf")
    assert result.ok, result
    im = opened(result, 1024).convert("RGB")
    assert max(im.size) == 1024 and im.size[1] > im.size[0]  # portrait page
    px = im.getpixel((im.size[0] // 2, im.size[1] // 2))
    assert px[0] > 200 and px[1] < 60


def test_video_poster_frame(tmp_path: Path) -> None:
    result = run(tmp_path, media.mp4(), kind="video")
    assert result.ok, result
    im = opened(result, 256).convert("RGB")
    assert im.size == (256, 192)
    assert im.getpixel((128, 96))[0] > 200


def test_video_shorter_than_a_second_uses_its_first_frame(tmp_path: Path) -> None:
    assert run(tmp_path, media.mp4(0.3, "160x120"), kind="video").ok


HOSTILE = {
    "empty": (b"", "empty"),
    "truncated-jpeg": (media.jpeg((800, 600))[:3000], "corrupt"),
    "corrupt-png": (media.png_corrupt(), "corrupt"),
    "noise-after-png-signature": (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "unrecognized"),
    "text-called-jpeg": (b"hello, this is not a picture\n" * 20, "unrecognized"),
    "huge-declared-png": (media.png_header_only(), "too_many_pixels"),
    "huge-declared-jpeg": (media.jpeg_huge_header(), "too_many_pixels"),
    "eps-is-not-accepted": (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "unrecognized"),
    "corrupt-pdf": (b"%PDF-1.7\n" + os.urandom(500), "corrupt"),
    "corrupt-video": (b"\x00\x00\x00\x18ftypmp42" + os.urandom(3000), "no_video_frame"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_give_no_thumbnail_with_a_reason(tmp_path: Path, name: str) -> None:
    data, reason = HOSTILE[name]
    kind = "pdf" if "pdf" in name else "video" if "video" in name else "image"
    result = run(tmp_path, data, kind=kind)
    assert not result.ok and result.reason == reason, result
    assert not list(tmp_path.glob("*.webp"))


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path, bomb_png: Path) -> None:
    t0 = time.perf_counter()
    result = run(tmp_path, bomb_png.read_bytes())
    assert (result.ok, result.reason) == (False, "too_many_pixels")
    assert time.perf_counter() - t0 < 1.0  # read the header only


def test_bomb_in_the_sandbox_keeps_memory_low(bomb_png: Path, tmp_path: Path) -> None:
    """The 100-megapixel bomb: the sandbox's peak RSS stays near its idle size (reported in docs/JOBS.md)."""
    box = Sandbox(memory_mb=1024)
    try:
        req = RenderRequest(str(bomb_png), str(tmp_path), "image", SIZES, BUDGET)
        result = box.render(req, timeout=30)
    finally:
        box.close()
    assert result.reason == "too_many_pixels"
    assert result.peak_rss_kb is not None and result.peak_rss_kb < 120 * 1024, result.peak_rss_kb
    print(f"\npeak RSS of the sandbox on the 100 MP bomb: {result.peak_rss_kb / 1024:.0f} MiB")


def test_over_budget_memory_ends_as_no_thumbnail_not_a_crash(tmp_path: Path) -> None:
    # 36 MP is within the pixel budget, but not within a 200 MiB address space.
    src = tmp_path / "big.png"
    src.write_bytes(media.png_bomb(6000, 6000))
    box = Sandbox(memory_mb=200)
    try:
        result = box.render(RenderRequest(str(src), str(tmp_path), "image", SIZES, BUDGET), timeout=30)
        assert (result.ok, result.reason) == (False, "out_of_memory")
        # The same process goes on serving.
        ok = tmp_path / "ok.jpg"
        ok.write_bytes(media.jpeg((300, 200)))
        assert box.render(RenderRequest(str(ok), str(tmp_path), "image", SIZES, BUDGET), timeout=30).ok
    finally:
        box.close()


def test_slow_file_times_out_and_the_child_is_replaced(tmp_path: Path) -> None:
    src = tmp_path / "big.png"
    src.write_bytes(media.png_bomb(6000, 6000))
    box = Sandbox(memory_mb=1024)
    try:
        result = box.render(RenderRequest(str(src), str(tmp_path), "image", SIZES, BUDGET), timeout=0.05)
        assert (result.ok, result.reason) == (False, "timeout")
        ok = tmp_path / "ok.jpg"
        ok.write_bytes(media.jpeg((300, 200)))
        assert box.render(RenderRequest(str(ok), str(tmp_path), "image", SIZES, BUDGET), timeout=30).ok
    finally:
        box.close()


def test_a_child_killed_mid_render_is_retried_in_a_fresh_one(tmp_path: Path) -> None:
    src = tmp_path / "big.png"
    src.write_bytes(media.png_bomb(6000, 6000))
    box = Sandbox(memory_mb=1024)
    child = box._take()  # start one now so the test can find and kill it
    pid = child.proc.pid
    box._give_back(child)

    def kill_soon() -> None:
        time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    try:
        result = box.render(RenderRequest(str(src), str(tmp_path), "image", SIZES, BUDGET), timeout=30)
    finally:
        killer.join()
        box.close()
    assert result.ok, result  # the second child finished what the first could not


def test_a_sandbox_that_cannot_start_is_an_error_not_a_verdict_on_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox_module.sys, "executable", "/bin/false")  # as if the interpreter were gone
    box = Sandbox(memory_mb=1024)
    with pytest.raises(SandboxUnavailable):
        box.render(RenderRequest(str(tmp_path / "x"), str(tmp_path), "image", SIZES, BUDGET), timeout=5)
