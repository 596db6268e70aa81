"""Self-hosted computer vision for Trust Lesson: pure library, bytes/arrays in, dataclasses out.

Nothing here knows about HTTP or the database; models load lazily, once per process.
"""

from trust_lesson.vision.capture import CaptureAnalysis, Verdict, analyze_capture
from trust_lesson.vision.decode import DecodedImage, decode_image, downscale
from trust_lesson.vision.document import DocumentAnalysis, analyze_document
from trust_lesson.vision.errors import (
    CorruptImage,
    ImageRejected,
    ImageTooLarge,
    UnsupportedImageType,
    VisionError,
)

__all__ = [
    "CaptureAnalysis",
    "CorruptImage",
    "DecodedImage",
    "DocumentAnalysis",
    "ImageRejected",
    "ImageTooLarge",
    "UnsupportedImageType",
    "Verdict",
    "VisionError",
    "analyze_capture",
    "analyze_document",
    "decode_image",
    "downscale",
]
