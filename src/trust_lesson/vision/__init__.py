"""Self-hosted computer vision for Trust Lesson: pure library, bytes/arrays in, dataclasses out.

Nothing here knows about HTTP or the database; models load lazily, once per process.
"""

from trust_lesson.vision.capture import CaptureAnalysis, analyze_capture
from trust_lesson.vision.decode import (
    DOCUMENT,
    SELFIE,
    WEBCAM_FRAME,
    DecodedImage,
    PictureBudget,
    decode_image,
    downscale,
    probe_image,
)
from trust_lesson.vision.document import DocumentAnalysis, analyze_document
from trust_lesson.vision.errors import (
    CorruptImage,
    ImageRejected,
    ImageTooComplex,
    ImageTooLarge,
    UnsupportedImageType,
    VisionError,
)

__all__ = [
    "DOCUMENT",
    "SELFIE",
    "WEBCAM_FRAME",
    "CaptureAnalysis",
    "CorruptImage",
    "DecodedImage",
    "DocumentAnalysis",
    "ImageRejected",
    "ImageTooComplex",
    "ImageTooLarge",
    "PictureBudget",
    "UnsupportedImageType",
    "VisionError",
    "analyze_capture",
    "analyze_document",
    "decode_image",
    "downscale",
    "probe_image",
]
