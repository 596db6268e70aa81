"""Safe decoding of untrusted picture bytes into an RGB numpy array.

Order of checks (cheapest and safest first): byte cap, format allowlist by magic bytes (the
file name and Content-Type are never consulted), Pillow reads only the header, pixel cap from
the header, then the full decode with Pillow's decompression-bomb warning raised as an error
and truncated files refused. EXIF orientation is applied and every mode becomes 8-bit RGB.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from trust_lesson.vision.errors import CorruptImage, ImageTooLarge, UnsupportedImageType

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")


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
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> DecodedImage:
    """Decode ``data`` (JPEG, PNG or WebP) or raise a typed :class:`ImageRejected`."""
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"The file is {len(data) / 1_048_576:.1f} MiB; the limit is "
            f"{max_bytes / 1_048_576:.0f} MiB.",
            code="file_too_large",
        )
    sniffed = sniff_format(data)
    if sniffed is None:
        raise UnsupportedImageType("The file is not a JPEG, PNG or WebP picture.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open_checked(data, sniffed, max_pixels)
        rgb = _load_rgb(image)
    return DecodedImage(rgb=rgb, format=sniffed, width=rgb.shape[1], height=rgb.shape[0])


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
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptImage(
            "The picture is damaged or incomplete (was the upload cut short?)."
        ) from exc
    return _to_rgb_array(upright)


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    """8-bit RGB from any mode: grey, paletted, alpha (over white), 16-bit, CMYK."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return _wide_grey_to_rgb(np.asarray(image))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def _wide_grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    """16-bit (or 32-bit integer) grey scaled into 0..255 and repeated on three channels."""
    wide = grey.astype(np.float32)
    top = 65535.0 if wide.max(initial=0) > 255 else 255.0
    eight = np.clip(wide * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(eight[:, :, None], 3, axis=2)


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
