"""Turn one local file into WebP thumbnails: images (Pillow, pillow-heif), PDF first pages (pypdfium2),
video poster frames (the ffmpeg shipped in imageio-ffmpeg).

Pure and framework-free: a path in, files out. It runs inside the sandbox process (``_sandbox``),
so a decoder that crashes or eats memory takes only that process down, never the worker.
"""

from __future__ import annotations

import math
import os
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

# Decoders we accept; Image.open would otherwise try every plugin Pillow has (EPS would run Ghostscript).
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "HEIF", "AVIF")
WEBP_QUALITY = 80
WEBP_METHOD = 4
# The largest pixel reduction JPEG decoding can do by itself (1/8 per side).
JPEG_MAX_REDUCTION = 64
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class RenderRequest:
    """What to render: ``kind`` is image, pdf or video; outputs go to ``out_dir/<size>.webp``."""

    input: str
    out_dir: str
    kind: str
    sizes: tuple[int, ...]
    max_pixels: int
    timeout: float = 60.0


@dataclass
class RenderResult:
    """``ok`` with one file per size, or a ``reason`` why this content gets no thumbnail."""

    ok: bool
    reason: str | None = None
    detail: str = ""
    outputs: dict[int, str] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    peak_rss_kb: int | None = None  # of the process that rendered, when it was a sandbox


class Unrenderable(Exception):
    """The content cannot have a thumbnail; ``reason`` is a short stable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


def configure_pillow(max_pixels: int) -> None:
    """Pillow's own bomb check, set so it never refuses what JPEG reduced decoding keeps within budget."""
    Image.MAX_IMAGE_PIXELS = max_pixels * JPEG_MAX_REDUCTION // 2
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is corrupt, not half a thumbnail
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)


def open_image(path: str, box: int, max_pixels: int) -> tuple[Image.Image, tuple[int, int]]:
    """Decode the first frame within the pixel budget, reduced while decoding where the format allows."""
    _register_heif()
    configure_pillow(max_pixels)
    try:
        im: Image.Image = Image.open(path, formats=IMAGE_FORMATS)
    except Image.DecompressionBombError as e:
        raise Unrenderable("too_many_pixels", str(e)) from e
    original = im.size
    w, h = original
    if w <= 0 or h <= 0:
        raise Unrenderable("corrupt", f"image size {w}x{h}")
    if im.format == "JPEG":
        # Ask the JPEG decoder for the smallest scale that still covers the largest thumbnail.
        scale = box / max(w, h)
        im.draft("RGB" if im.mode == "RGB" else None, (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale))))
    if im.size[0] * im.size[1] > max_pixels:
        raise Unrenderable("too_many_pixels", f"{w}x{h} is over the budget of {max_pixels} pixels")
    # Decode only after the budget check, and before reading EXIF: for a PNG that read decodes the
    # whole image itself, and a decoding error it swallowed would leave a blank picture behind.
    im.load()
    orientation = _orientation(im)
    im = _normalise_mode(im)
    im.info["pcs_orientation"] = orientation
    return im, original


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block only costs the orientation
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _normalise_mode(im: Image.Image) -> Image.Image:
    """RGB or RGBA (what WebP stores), keeping transparency and mapping 16-bit and float to 8-bit."""
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "F":
        im = im.point(lambda v: v * 255).convert("L")
    has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info)
    target = "RGBA" if has_alpha else "RGB"
    if im.mode != target:
        im = im.convert(target)
    if icc:
        im.info["icc_profile"] = icc
    return im


def render_pdf(path: str, box: int, timeout: float) -> Image.Image:
    """The first page, rendered so its longer side is ``box`` pixels (never more than 4x its size)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        raise Unrenderable("corrupt", f"PDF: {e}") from e
    try:
        if len(pdf) < 1:
            raise Unrenderable("corrupt", "PDF has no pages")
        page = pdf[0]
        w, h = page.get_size()
        if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):
            raise Unrenderable("corrupt", f"PDF page size {w}x{h}")
        scale = min(box / max(w, h), 4.0)
        bitmap = page.render(scale=scale, may_draw_forms=True)
        im: Image.Image = bitmap.to_pil()
        im = im.convert("RGB") if im.mode != "RGB" else im.copy()
        page.close()
        return im
    finally:
        pdf.close()


def video_frame(path: str, box: int, out_dir: str, timeout: float) -> Image.Image:
    """A poster frame: one second in (or the first frame of a shorter video), scaled down by ffmpeg."""
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    frame = Path(out_dir) / "frame.png"
    scale = f"scale=w='min({box},iw)':h='min({box},ih)':force_original_aspect_ratio=decrease"
    last = ""
    for at in ("1", "0"):
        frame.unlink(missing_ok=True)
        cmd = [exe, "-nostdin", "-v", "error", "-threads", "1", "-ss", at, "-i", path]
        cmd += ["-map", "0:v:0", "-frames:v", "1", "-vf", scale, "-an", "-sn", "-y", str(frame)]
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise Unrenderable("timeout", "ffmpeg took too long") from e
        last = r.stderr.decode("utf-8", "replace").strip()[-300:]
        if r.returncode == 0 and frame.exists() and frame.stat().st_size > 0:
            with Image.open(frame, formats=("PNG",)) as im:
                im.load()
                return _normalise_mode(im)
    raise Unrenderable("no_video_frame", last or "ffmpeg produced no frame")


def decode(req: RenderRequest) -> tuple[Image.Image, tuple[int, int]]:
    """The source picture for ``req`` and the source's dimensions; Unrenderable when there is none."""
    box = max(req.sizes)
    if os.path.getsize(req.input) == 0:
        raise Unrenderable("empty")
    try:
        if req.kind == "image":
            return open_image(req.input, box, req.max_pixels)
        if req.kind == "pdf":
            im = render_pdf(req.input, box, req.timeout)
            return im, im.size
        if req.kind == "video":
            im = video_frame(req.input, box, req.out_dir, req.timeout)
            return im, im.size
    except Unrenderable:
        raise
    except Image.DecompressionBombError as e:
        raise Unrenderable("too_many_pixels", str(e)) from e
    except UnidentifiedImageError as e:
        raise Unrenderable("unrecognized", str(e)) from e
    except MemoryError as e:
        raise Unrenderable("out_of_memory", "decoding needed more memory than allowed") from e
    except Exception as e:  # any decoder failure on untrusted bytes means "no thumbnail"
        raise Unrenderable("corrupt", f"{type(e).__name__}: {e}"[:300]) from e
    raise Unrenderable("unsupported", f"kind {req.kind!r}")


def write_sizes(im: Image.Image, sizes: tuple[int, ...], out_dir: str) -> dict[int, str]:
    """Save one WebP per size (largest first, each made from the previous), orientation applied."""
    orientation = im.info.get("pcs_orientation", 1)
    icc = im.info.get("icc_profile") or None
    outputs: dict[int, str] = {}
    current = im
    for size in sorted(sizes, reverse=True):
        current.thumbnail((size, size))  # in place: each size is made from the one before
        # The box is square, so turning after scaling gives the same result on far fewer pixels.
        shown = current.transpose(_TRANSPOSE[orientation]) if orientation in _TRANSPOSE else current
        path = os.path.join(out_dir, f"{size}.webp")
        shown.save(path, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, icc_profile=icc)
        outputs[size] = path
    return outputs


def render(req: RenderRequest) -> RenderResult:
    """Decode and write every size; a hostile or unsupported file gives ``ok=False`` with a reason."""
    try:
        im, (w, h) = decode(req)
    except Unrenderable as e:
        return RenderResult(False, e.reason, e.detail)
    if im.info.get("pcs_orientation", 1) in (5, 6, 7, 8):
        w, h = h, w  # as shown, not as stored
    try:
        outputs = write_sizes(im, req.sizes, req.out_dir)
    except MemoryError:
        return RenderResult(False, "out_of_memory", "encoding needed more memory than allowed")
    return RenderResult(True, outputs=outputs, width=w, height=h)
