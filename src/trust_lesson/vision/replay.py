"""Replays: is this picture a re-sent (or re-encoded) copy of one the student sent before?

Each picture gets a 256-bit perceptual hash (``imagehash.phash`` with ``hash_size=16``: DCT
of a 64x64 grey thumbnail, 64 hex digits). A picture is a replay when its hash, or the hash
of its mirror image, lies within ``REPLAY_MAX_BITS`` bits of an earlier one.

Why 256 bits and 6: on 640x480 frames built from ../shared/testdata/face_verification, a
re-encoding (JPEG quality 90 -> 70 or 50, resize to 90 %, resize + quality 60) moved the
hash by 0-4 bits, while a new frame of the same scene with the head or camera moved by
2 px moved it by 12 bits (median; 4 px: 22, 8 px: 40). The common 64-bit phash moves only
2 bits for a 2 px shift, too little to tell the two apart. No hash can tell a frame of a
perfectly motionless scene from a copy; a live person breathes and blinks, and the random
challenges are seconds to minutes apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image

HASH_SIZE = 16
REPLAY_MAX_BITS = 6


@dataclass(frozen=True, slots=True)
class ReplayMatch:
    """The earlier hash this picture copies, how many bits apart, and if mirrored."""

    previous_hash: str
    distance: int
    mirrored: bool


def _thumbnail(rgb: np.ndarray) -> Image.Image:
    """The grey thumbnail phash works on (same steps as imagehash: grey, then resize)."""
    side = HASH_SIZE * 4
    grey = Image.fromarray(rgb).convert("L")
    return grey.resize((side, side), Image.Resampling.LANCZOS)


def picture_hash(rgb: np.ndarray) -> str:
    """The perceptual hash of a picture as hex (64 digits)."""
    return str(imagehash.phash(_thumbnail(rgb), hash_size=HASH_SIZE))


def _mirror_hash(rgb: np.ndarray) -> imagehash.ImageHash:
    mirrored = _thumbnail(rgb).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return imagehash.phash(mirrored, hash_size=HASH_SIZE)


def _parse(hex_hash: str) -> int | None:
    """An earlier hash as an integer, or None when it is not a hash of our kind (other
    size, not hex)."""
    if len(hex_hash) != HASH_SIZE * HASH_SIZE // 4:
        return None
    try:
        return int(hex_hash, 16)
    except ValueError:
        return None


def _as_int(value: imagehash.ImageHash) -> int:
    """The hash's bits as one integer, in the order of its hex form."""
    return int(str(value), 16)


def find_replay(
    rgb: np.ndarray,
    previous_hashes: Sequence[str],
    *,
    current_hash: str | None = None,
    max_bits: int = REPLAY_MAX_BITS,
) -> ReplayMatch | None:
    """The closest earlier picture this one copies (or mirrors), if any. Bits apart are
    counted on integers (XOR, then the set bits): the student's last 500 hashes in well
    under a millisecond."""
    if not previous_hashes:
        return None
    current = int(current_hash or picture_hash(rgb), 16)
    mirrored = _as_int(_mirror_hash(rgb))
    best: ReplayMatch | None = None
    for earlier_hex in previous_hashes:
        earlier = _parse(earlier_hex)
        if earlier is None:
            continue
        for is_mirror, candidate in ((False, current), (True, mirrored)):
            bits = (candidate ^ earlier).bit_count()
            if bits <= max_bits and (best is None or bits < best.distance):
                best = ReplayMatch(earlier_hex, bits, is_mirror)
    return best
