"""Is the picture usable: lit well enough, sharp enough, face big enough?

Measures
- brightness: mean luminance (ITU-R 601 weights, 0-255) of the face box, or of the whole
  picture when there is no face.
- sharpness: variance of the Laplacian (4-neighbour kernel) of the grey aligned 150x150 face
  chip. The chip has the same size whatever the face's size in the picture, so the measure
  is normalised for scale (a raw-picture Laplacian would punish small faces and big frames).
- face size: width in pixels of the detected face box in the picture as uploaded.

Thresholds (chosen on the test images, ../shared/testdata/face_verification, 1 in 3 photos,
faces found by ``faces.detect_faces`` on the picture brought to 640 px):
- face luminance ranged 84..181 (5th percentile 96); ``DARK_BELOW = 50`` and
  ``BRIGHT_ABOVE = 215`` leave a wide margin on both sides, and a photo darkened to 30 %
  (a typical unlit room) falls below 50.
- sharpness of the untouched photos: minimum 14, 5th percentile 19, median 167; after a
  Gaussian blur of 2.5 chip pixels the median fell to 6, after 4 pixels to 2.4;
  ``BLURRED_BELOW = 10`` passes every sharp photo and flags most blurred ones.
- ``MIN_FACE_PX = 60``: below this the 150 px chip is an upscale of less than half its size
  and embeddings lose their margin (the detector finds faces down to about 30 px: such a
  face counts as a face, but is too small to judge as the main one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trust_lesson.vision.faces import FaceBox

DARK_BELOW = 50.0
BRIGHT_ABOVE = 215.0
BLURRED_BELOW = 10.0
MIN_FACE_PX = 60

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Quality:
    """Measured values and the problems they reveal (``ok`` when there are none)."""

    brightness: float
    sharpness: float | None
    face_width: int | None
    too_dark: bool
    too_bright: bool
    blurred: bool
    face_too_small: bool

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        flags = {
            "too dark": self.too_dark,
            "too bright": self.too_bright,
            "blurred": self.blurred,
            "face too small": self.face_too_small,
        }
        return [name for name, raised in flags.items() if raised]

    def as_dict(self) -> dict[str, object]:
        return {
            "brightness": round(self.brightness, 1),
            "sharpness": None if self.sharpness is None else round(self.sharpness, 1),
            "face_width": self.face_width,
            "too_dark": self.too_dark,
            "too_bright": self.too_bright,
            "blurred": self.blurred,
            "face_too_small": self.face_too_small,
            "ok": self.ok,
        }


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Grey levels (float32, 0-255) of an RGB picture."""
    return np.asarray(rgb.astype(np.float32) @ _LUMA, dtype=np.float32)


def laplacian_variance(rgb: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the grey picture: low means blurred."""
    grey = luminance(rgb)
    lap = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    return float(lap.var())


def assess_quality(rgb: np.ndarray, face: FaceBox | None, chip: np.ndarray | None) -> Quality:
    """Quality of a picture and of its (main) face and that face's aligned chip."""
    region = rgb if face is None else rgb[face.top : face.bottom, face.left : face.right]
    brightness = float(luminance(region).mean()) if region.size else 0.0
    sharpness = None if chip is None else laplacian_variance(chip)
    width = None if face is None else face.width
    return Quality(
        brightness=brightness,
        sharpness=sharpness,
        face_width=width,
        too_dark=brightness < DARK_BELOW,
        too_bright=brightness > BRIGHT_ABOVE,
        blurred=sharpness is not None and sharpness < BLURRED_BELOW,
        face_too_small=width is not None and width < MIN_FACE_PX,
    )
