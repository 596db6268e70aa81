"""Untrusted bytes become an upright RGB picture, or a refusal a person understands."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.support.cost import thread_cpu_seconds
from tests.support.hostile_pictures import flat_png, many_scans_jpeg
from trust_lesson.vision import (
    SELFIE,
    WEBCAM_FRAME,
    CorruptImage,
    ImageTooComplex,
    ImageTooLarge,
    PictureBudget,
    UnsupportedImageType,
    decode_image,
    downscale,
)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def pixel_flood_png(width: int, height: int) -> bytes:
    """A tiny file whose header claims a huge picture (the IDAT holds almost nothing)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 31)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def gradient(width: int = 64, height: int = 48) -> Image.Image:
    ramp = np.linspace(0, 255, width, dtype=np.uint8)
    rgb = np.stack([np.tile(ramp, (height, 1))] * 3, axis=2)
    return Image.fromarray(rgb)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats_decode_to_rgb(fmt: str) -> None:
    decoded = decode_image(encode(gradient(), fmt))

    assert decoded.format == fmt
    assert decoded.rgb.shape == (48, 64, 3)
    assert decoded.rgb.dtype == np.uint8
    assert (decoded.width, decoded.height) == (64, 48)


def test_html_named_jpg_is_refused_as_unsupported() -> None:
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"

    with pytest.raises(UnsupportedImageType) as refusal:
        decode_image(html)

    assert refusal.value.http_status == 415
    assert "JPEG, PNG or WebP" in refusal.value.message


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_picture_formats_are_refused(fmt: str) -> None:
    with pytest.raises(UnsupportedImageType):
        decode_image(encode(gradient(), fmt))


def test_svg_is_refused() -> None:
    with pytest.raises(UnsupportedImageType):
        decode_image(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')


@pytest.mark.parametrize("side", [30_000, 7_000])
def test_pixel_flood_png_is_refused_before_decoding(side: int) -> None:
    flood = pixel_flood_png(side, side)
    assert len(flood) < 200

    with pytest.raises(ImageTooLarge) as refusal:
        decode_image(flood)

    assert refusal.value.http_status == 413
    assert refusal.value.code == "too_many_pixels"


def test_pixel_cap_is_configurable() -> None:
    with pytest.raises(ImageTooLarge):
        decode_image(encode(gradient(100, 100), "PNG"), max_pixels=5_000)


def test_too_many_bytes_is_refused() -> None:
    with pytest.raises(ImageTooLarge) as refusal:
        decode_image(encode(gradient(), "PNG"), max_bytes=100)

    assert refusal.value.code == "file_too_large"


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_jpeg_is_refused_not_half_decoded(keep: float) -> None:
    whole = encode(gradient(400, 300), "JPEG", quality=90)

    with pytest.raises(CorruptImage) as refusal:
        decode_image(whole[: int(len(whole) * keep)])

    assert refusal.value.http_status == 422


def test_garbage_after_png_magic_is_corrupt() -> None:
    with pytest.raises(CorruptImage):
        decode_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_exif_rotated_photo_is_turned_upright() -> None:
    wide = gradient(80, 40)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view

    decoded = decode_image(encode(wide, "JPEG", exif=exif.tobytes()))

    assert decoded.rgb.shape == (80, 40, 3)


def test_exif_rotated_real_photo_is_turned_upright(testdata: Path) -> None:
    photo = Image.open(testdata / "face_verification" / "face_recognition" / "obama.jpg")
    exif = Image.Exif()
    exif[0x0112] = 8  # rotate 90 degrees counter-clockwise to view

    decoded = decode_image(encode(photo, "JPEG", quality=92, exif=exif.tobytes()))

    assert (decoded.width, decoded.height) == (photo.height, photo.width)


def test_transparent_png_is_flattened_on_white() -> None:
    clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))

    decoded = decode_image(encode(clear, "PNG"))

    assert decoded.rgb.min() == 255


def test_sixteen_bit_grey_png_keeps_its_contrast() -> None:
    ramp = np.linspace(0, 65535, 256, dtype=np.uint16).reshape(16, 16)

    decoded = decode_image(encode(Image.fromarray(ramp), "PNG"))

    assert decoded.rgb.min() == 0
    assert decoded.rgb.max() == 255


@pytest.mark.parametrize("mode", ["L", "P", "CMYK"])
def test_other_modes_become_rgb(mode: str) -> None:
    fmt = "JPEG" if mode == "CMYK" else "PNG"

    decoded = decode_image(encode(gradient().convert(mode), fmt))

    assert decoded.rgb.shape == (48, 64, 3)


def test_downscale_keeps_aspect_and_reports_scale() -> None:
    rgb = np.zeros((1200, 1600, 3), dtype=np.uint8)

    small, scale = downscale(rgb, 640)

    assert small.shape == (480, 640, 3)
    assert scale == pytest.approx(0.4)


def test_downscale_leaves_small_pictures_alone() -> None:
    rgb = np.zeros((48, 64, 3), dtype=np.uint8)

    same, scale = downscale(rgb, 640)

    assert same is rgb
    assert scale == 1.0


def test_a_progressive_jpeg_with_thousands_of_scans_is_refused_before_decoding() -> None:
    bomb = many_scans_jpeg()  # 120 KiB; Pillow needs ~2 s of CPU to decode it

    with thread_cpu_seconds() as cost, pytest.raises(ImageTooComplex) as refused:
        decode_image(bomb)

    assert cost.cpu_s < 0.2
    assert refused.value.code == "too_many_scans"
    assert "2010 scans; at most 64" in refused.value.message


def test_an_ordinary_progressive_jpeg_is_accepted() -> None:
    decoded = decode_image(encode(gradient(), "JPEG", progressive=True))

    assert (decoded.width, decoded.height) == (64, 48)


@pytest.mark.parametrize(
    ("budget", "fits", "too_big"),
    [(WEBCAM_FRAME, (3840, 2160), (4000, 2200)), (SELFIE, (4032, 3024), (4600, 3000))],
)
def test_each_purpose_has_its_own_pixel_budget_checked_from_the_header(
    budget: PictureBudget, fits: tuple[int, int], too_big: tuple[int, int]
) -> None:
    assert budget.probe(pixel_flood_png(*fits)).width == fits[0]
    picture = flat_png(*too_big)  # a complete picture, a few hundred KiB

    with thread_cpu_seconds() as cost, pytest.raises(ImageTooLarge) as refused:
        budget.probe(picture)

    assert cost.cpu_s < 0.05  # the header alone decides (decoding it: about 0.2 s of CPU)
    assert refused.value.code == "too_many_pixels"
    assert f"({too_big[0]} x {too_big[1]})" in refused.value.message
