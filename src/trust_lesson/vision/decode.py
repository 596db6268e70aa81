"""Safe decoding of untrusted picture bytes into an RGB numpy array.

Order of checks (cheapest and safest first): byte cap, format allowlist by magic bytes (the
file name and Content-Type are never consulted), Pillow reads only the header, pixel cap from
the header, the number of JPEG scans (a progressive JPEG of 121 KiB with 2,000 repeated scans
took 20 s to decode: the work grows with scans x pixels), then the full decode with Pillow's
decompression-bomb warning raised as an error and truncated files refused. EXIF orientation is
applied and every mode becomes 8-bit RGB.

Bounds (issue 8, findings 1-2): each purpose has its own `PictureBudget` (a webcam frame or a
selfie never needs 40 megapixels), `probe_image` runs every header check without decoding, so a
request can refuse any of its pictures before decoding one, and at most `DECODE_SLOTS` full
decodes run at once in a process (a semaphore), so parallel requests cannot multiply the
memory of the largest allowed picture beyond that.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from trust_lesson.vision.errors import (
    CorruptImage,
    ImageTooComplex,
    ImageTooLarge,
    UnsupportedImageType,
)

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SCANS = 64  # libjpeg's progressive script has 10; tuned encoders stay under 30
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
DECODE_SLOTS = 2
# Deliberately one per process: it bounds the decoded pixels held at once by every request
# thread and worker thread together (a budget's worst picture times DECODE_SLOTS).
_decode_slots = threading.BoundedSemaphore(DECODE_SLOTS)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PictureHeader:
    """What the header says, checked against a budget; nothing decoded yet."""

    format: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PictureBudget:
    """The largest picture a purpose accepts: bytes, pixels and JPEG scans."""

    max_bytes: int
    max_pixels: int
    max_scans: int = MAX_SCANS

    def probe(self, data: bytes) -> PictureHeader:
        return probe_image(data, **self._limits())

    def decode(self, data: bytes) -> DecodedImage:
        return decode_image(data, **self._limits())

    def clean(self, data: bytes) -> bytes:
        """The picture alone, re-encoded (`clean_jpeg`), decoded and encoded in one slot."""
        return _with_pixels(data, lambda rgb, _format: clean_jpeg(rgb), **self._limits())

    def _limits(self) -> dict[str, int]:
        return {
            "max_bytes": self.max_bytes,
            "max_pixels": self.max_pixels,
            "max_scans": self.max_scans,
        }


# A 4K webcam frame is 8.3 MP; a phone's selfie 12 MP (4032 x 3024). Documents keep 40 MP.
WEBCAM_FRAME = PictureBudget(max_bytes=5 * 1024 * 1024, max_pixels=8_300_000)
SELFIE = PictureBudget(max_bytes=8 * 1024 * 1024, max_pixels=12_600_000)
DOCUMENT = PictureBudget(max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """A decoded picture: ``rgb`` is HxWx3 uint8, upright (EXIF orientation applied)."""

    rgb: np.ndarray
    format: str
    width: int
    height: int


def sniff_format(data: bytes) -> str | None:
    """The picture format told by the leading bytes, or None when it is not one we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_scans: int = MAX_SCANS,
) -> DecodedImage:
    """Decode ``data`` (JPEG, PNG or WebP) or raise a typed :class:`ImageRejected`."""
    return _with_pixels(data, _decoded, max_bytes, max_pixels, max_scans)


def _decoded(rgb: np.ndarray, sniffed: str) -> DecodedImage:
    return DecodedImage(rgb=rgb, format=sniffed, width=rgb.shape[1], height=rgb.shape[0])


def _with_pixels(
    data: bytes,
    use: Callable[[np.ndarray, str], T],
    max_bytes: int,
    max_pixels: int,
    max_scans: int,
) -> T:
    """Every check, then the full decode and ``use`` of its pixels inside one decode slot."""
    sniffed = _sniff_checked(data, max_bytes, max_scans)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open_checked(data, sniffed, max_pixels)
        with _decode_slots:
            return use(_load_rgb(image), sniffed)


def probe_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_scans: int = MAX_SCANS,
) -> PictureHeader:
    """Every check of :func:`decode_image` that needs no decoding (microseconds)."""
    sniffed = _sniff_checked(data, max_bytes, max_scans)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open_checked(data, sniffed, max_pixels)
    return PictureHeader(format=sniffed, width=image.width, height=image.height)


def _sniff_checked(data: bytes, max_bytes: int, max_scans: int) -> str:
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"The file is {len(data) / 1_048_576:.1f} MiB; the limit is "
            f"{max_bytes / 1_048_576:.0f} MiB.",
            code="file_too_large",
        )
    sniffed = sniff_format(data)
    if sniffed is None:
        raise UnsupportedImageType("The file is not a JPEG, PNG or WebP picture.")
    # Outside APP segments, FF DA occurs only as a start-of-scan marker (entropy-coded data
    # escapes every FF), so this count is exact or errs towards refusing, never accepting.
    if sniffed == "JPEG" and (scans := data.count(b"\xff\xda")) > max_scans:
        raise ImageTooComplex(
            f"The JPEG picture is stored in {scans} scans; at most {max_scans} are accepted. "
            "Save it again as an ordinary JPEG.",
            code="too_many_scans",
        )
    return sniffed


def _open_checked(data: bytes, sniffed: str, max_pixels: int) -> Image.Image:
    """Open (header only) and check the format and the pixel count before any decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=[sniffed])
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels(max_pixels) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptImage("The picture is damaged and cannot be read.") from exc
    width, height = image.size
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels, width, height)
    if width == 0 or height == 0:
        raise CorruptImage("The picture has no pixels.")
    return image


def _too_many_pixels(max_pixels: int, width: int = 0, height: int = 0) -> ImageTooLarge:
    size = f" ({width} x {height})" if width else ""
    return ImageTooLarge(
        f"The picture has too many pixels{size}; the limit is {max_pixels / 1e6:.0f} megapixels.",
        code="too_many_pixels",
    )


def _load_rgb(image: Image.Image) -> np.ndarray:
    """Fully decode (refusing truncated files), turn upright and convert to 8-bit RGB."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # a copy otherwise, even when upright
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptImage(
            "The picture is damaged or incomplete (was the upload cut short?)."
        ) from exc
    return _to_rgb_array(image)


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    """8-bit RGB from any mode: grey, paletted, alpha (over white), 16-bit, CMYK."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return _wide_grey_to_rgb(np.asarray(image))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    rgb = image if image.mode == "RGB" else image.convert("RGB")  # no needless 4-byte copy
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def _wide_grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    """16-bit (or 32-bit integer) grey scaled into 0..255 and repeated on three channels."""
    wide = grey.astype(np.float32)
    top = 65535.0 if wide.max(initial=0) > 255 else 255.0
    eight = np.clip(wide * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(eight[:, :, None], 3, axis=2)


def clean_jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    """The picture alone, re-encoded: no EXIF (GPS, camera, time), no comment, no ICC profile.

    The pixels are already upright (orientation applied when decoding), so nothing is lost.
    At quality 92 the perceptual hash moves 0-4 bits, well inside the replay threshold.
    """
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def downscale(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Shrink so the longer side is at most ``max_side``; returns (picture, scale <= 1)."""
    height, width = rgb.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return rgb, 1.0
    scale = max_side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(small), scale
