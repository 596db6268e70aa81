"""Pictures an attacker sends: small files that are expensive to decode (issue 8, 1-2)."""

import io
import struct
import zlib

from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(width: int, height: int) -> bytes:
    """A real, complete PNG of one colour: a few hundred KiB that decode to width x height."""
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x7f" * (3 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def header_only_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (R17: 30,000 x 30,000)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def many_scans_jpeg(
    width: int = 4000, height: int = 3000, repeats: int = 2000, picture: Image.Image | None = None
) -> bytes:
    """A progressive JPEG whose first AC scan is repeated: ~120 KiB, 3.5 s to decode here.

    Pillow's progressive script has 10 scans, so `repeats=54` gives the 64 still accepted.
    """
    buffer = io.BytesIO()
    picture = picture or Image.new("RGB", (width, height), (120, 130, 140))
    picture.save(buffer, "JPEG", progressive=True)
    data = buffer.getvalue()
    first_ac_scan = _scans(data)[1]
    return data[:-2] + first_ac_scan * repeats + b"\xff\xd9"


def _scans(data: bytes) -> list[bytes]:
    """Each start-of-scan segment with its entropy-coded data."""
    scans, position = [], 2
    while data[position + 1] != 0xD9:
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if data[position + 1] == 0xDA:
            while data[end + 1] == 0 or 0xD0 <= data[end + 1] <= 0xD7 or data[end] != 0xFF:
                end = data.index(b"\xff", end + 1)
            scans.append(data[position:end])
        position = end
    return scans
