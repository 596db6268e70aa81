"""Typed refusals of pictures the vision engine will not analyse.

Each error carries a stable machine ``code`` and a ``message`` a person understands; the
HTTP layer maps the class to a status (``http_status``) without knowing the details.
"""

from __future__ import annotations


class VisionError(Exception):
    """Base class of every error raised by ``trust_lesson.vision``."""

    code: str = "vision_error"
    http_status: int = 422

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ImageRejected(VisionError):
    """The uploaded bytes are not a picture we accept."""

    code = "image_rejected"
    http_status = 422


class UnsupportedImageType(ImageRejected):
    """The content is not a JPEG, PNG or WebP picture (whatever its name says)."""

    code = "unsupported_image_type"
    http_status = 415


class ImageTooLarge(ImageRejected):
    """The file has too many bytes or the picture too many pixels."""

    code = "image_too_large"
    http_status = 413


class CorruptImage(ImageRejected):
    """The file claims to be a picture but cannot be decoded completely."""

    code = "corrupt_image"
    http_status = 422


class ImageTooComplex(ImageRejected):
    """The picture would cost far more work to decode than any camera picture needs."""

    code = "image_too_complex"
    http_status = 422
