"""Self-hosted computer vision for Trust Lesson: pure library, bytes/arrays in, dataclasses out.

Nothing here knows about HTTP or the database; models load lazily, once per process.
"""

from trust_lesson.vision.decode import DecodedImage, decode_image, downscale
from trust_lesson.vision.errors import (
    CorruptImage,
    ImageRejected,
    ImageTooLarge,
    UnsupportedImageType,
    VisionError,
)

__all__ = [
    "CorruptImage",
    "DecodedImage",
    "ImageRejected",
    "ImageTooLarge",
    "UnsupportedImageType",
    "VisionError",
    "decode_image",
    "downscale",
]
