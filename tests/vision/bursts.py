"""Liveness bursts built from the shared pictures (../shared/testdata/face_verification).

Used by tests/vision/test_liveness.py (a few bursts) and bench/vision.py (the full sets);
bench/capacity.py takes the order of the pictures (``head_turn_pictures``,
``two_step_pictures``) and the hand shake (``SHIFTS``), and places each burst afresh.
How each set is built:

- Real head turns: a frontal photo of a person, then a photo of the same person turned by
  20-40 degrees (``TURNED``: the direction was read by eye from each picture: where the
  nose points, as the person sees it), each put on a 640x480 "webcam" frame with a small
  shift, fresh sensor noise and JPEG; frames: start, start, turned, turned, turned. The
  mirror image of a whole burst is a turn to the other side.
- A replayed clip that turns the wrong way: a real-turn burst judged against the other side.
- A replayed clip that turns too late: five frames of the frontal start only.
- A real ordered two-step (eight frames, as the room takes them): the frontal start twice,
  the turned photo twice, the start again (the head passes the front) and the mirror image of
  the turned photo three times (the turn to the other side). The mirror image of the whole
  burst is the other order.
- Replays against a two-step: a clip turning one way only (the start twice, the turned photo
  six times) and a real two-step judged in the other order.
- A printed photo: one frontal photo rendered as a flat print held close to the camera (400 px
  high) (a pinhole camera, focal length 700 px), tilted about its vertical axis from a start
  within +/-10 degrees to a final tilt of 25-55 degrees to a random side, with a random
  forward/back tilt (+/-10 degrees), hand shake (roll +/-3 degrees, shifts of +/-8 px per
  frame), Gaussian blur (radius 0-1.2) and JPEG quality 60-92. Against a two-step, the print
  swings over eight frames from the start to that tilt and on to the same tilt the other way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from trust_lesson.vision import decode_image

FRAME_SIZE = (640, 480)
FOCAL = 700.0

# Turned photos, with the side the person turned to, read by eye.
TURNED = {
    "face_recognition/kit_harington_2.jpeg": "RIGHT",
    "lfw/Conchita_Martinez_0003.jpg": "LEFT",
    "lfw/King_Abdullah_II_0003.jpg": "LEFT",
    "lfw/King_Abdullah_II_0005.jpg": "LEFT",
    "lfw/Lucy_Liu_0002.jpg": "RIGHT",
    "lfw/Al_Pacino_0002.jpg": "RIGHT",
    "lfw/Chen_Shui-bian_0004.jpg": "RIGHT",
    "lfw/Harbhajan_Singh_0002.jpg": "RIGHT",
    "lfw/Sergio_Garcia_0002.jpg": "LEFT",
    "face_recognition/alex_lacamoire_1.png": "LEFT",
    "face_recognition/obama2.jpg": "RIGHT",
    "dlib_johns/John_Schneider/000326_00926128.jpg": "RIGHT",
    "openface/clapton-1.jpg": "RIGHT",
}
OTHER_SIDE = {"LEFT": "RIGHT", "RIGHT": "LEFT"}


@dataclass(frozen=True)
class Burst:
    name: str
    frames: list[bytes]
    direction: str


def picture(testdata: Path, relative: str) -> np.ndarray:
    return decode_image((testdata / "face_verification" / relative).read_bytes()).rgb


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _background(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    shade = rng.normal(100, 6, (FRAME_SIZE[1], FRAME_SIZE[0], 3))
    return Image.fromarray(np.clip(shade, 0, 255).astype(np.uint8))


def webcam_frame(rgb: np.ndarray, *, dx: int = 0, dy: int = 0, seed: int = 0) -> bytes:
    """The photo on a 640x480 frame, shifted by (dx, dy), with sensor noise, as JPEG 90."""
    photo = Image.fromarray(rgb)
    photo.thumbnail((560, 420))
    canvas = _background(seed)
    canvas.paste(photo, ((640 - photo.width) // 2 + dx, (480 - photo.height) // 2 + dy))
    noisy = np.asarray(canvas, np.float32) + np.random.default_rng(seed).normal(0, 2, (480, 640, 3))
    return _jpeg(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), 90)


SHIFTS = ((0, 0), (4, -2), (-3, 3), (5, 1), (-4, -2), (2, 3), (-2, -3), (3, 0))
"""The hand-held head: each frame of a burst moved by a few pixels (dx, dy), in order."""


def head_turn_pictures(start: np.ndarray, turned: np.ndarray) -> list[np.ndarray]:
    """A real turn: the frontal start twice, then the turned photo three times."""
    return [start, start, turned, turned, turned]


def two_step_pictures(start: np.ndarray, turned: np.ndarray) -> list[np.ndarray]:
    """A real two-step to ``turned``'s side and then to the other: the start twice, the
    turned photo twice, the start again, the turned photo's mirror image three times."""
    other = mirrored(turned)
    return [start, start, turned, turned, start, other, other, other]


def head_turn(start: np.ndarray, turned: np.ndarray, *, seed: int = 0) -> list[bytes]:
    """Frames of a real turn (``head_turn_pictures``)."""
    return _frames(head_turn_pictures(start, turned), seed)


def two_step_turn(start: np.ndarray, turned: np.ndarray, *, seed: int = 0) -> list[bytes]:
    """Frames of a real two-step turn to ``turned``'s side and then to the other
    (``two_step_pictures``)."""
    return _frames(two_step_pictures(start, turned), seed)


def one_way_clip(start: np.ndarray, turned: np.ndarray, *, seed: int = 0) -> list[bytes]:
    """Eight frames of a clip that turns to one side only."""
    return _frames([start, start, *[turned] * 6], seed)


def _frames(pictures: list[np.ndarray], seed: int) -> list[bytes]:
    return [
        webcam_frame(rgb, dx=dx, dy=dy, seed=seed * 10 + number)
        for number, (rgb, (dx, dy)) in enumerate(
            zip(pictures, SHIFTS[: len(pictures)], strict=True)
        )
    ]


def mirrored(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, ::-1])


def too_late(start: np.ndarray, *, seed: int = 0) -> list[bytes]:
    """A clip that turns only after the burst: five frames of the frontal start."""
    return _frames([start] * 5, seed)


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    about_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    about_x = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    about_z = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return np.asarray(about_y @ about_x @ about_z)


def _homography(source: np.ndarray, target: np.ndarray) -> list[float]:
    """PIL's 8 perspective coefficients mapping ``target`` points back to ``source`` points."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return [float(c) for c in np.linalg.solve(np.array(rows), np.array(values))]


def print_frame(
    photo: Image.Image, yaw: float, pitch: float, roll: float, shift: tuple[float, float]
) -> Image.Image:
    """The flat photo seen by a pinhole camera after a rotation (degrees), on a background."""
    width, height = photo.size
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=float)
    flat = np.c_[corners - [width / 2, height / 2], np.zeros(4)]
    turned = flat @ _rotation(*np.radians([yaw, pitch, roll])).T
    depth = turned[:, 2] + FOCAL
    seen = turned[:, :2] * FOCAL / depth[:, None] + [320 + shift[0], 240 + shift[1]]
    coefficients = _homography(corners, seen)
    rgba = photo.convert("RGBA")
    warped = rgba.transform(
        FRAME_SIZE, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )
    frame = _background(int(abs(yaw) * 100)).convert("RGBA")
    frame.alpha_composite(warped)
    return frame.convert("RGB")


def printed_photo(
    rgb: np.ndarray, rng: np.random.Generator, *, both_ways: bool = False
) -> list[bytes]:
    """A print of ``rgb`` tilted towards a random side over five frames, or over eight frames
    to that side and on to the other (``both_ways``; see the module doc)."""
    photo = Image.fromarray(rgb)
    photo = photo.resize((round(photo.width * 400 / photo.height), 400))
    start = rng.uniform(-10, 10)
    final = rng.choice([-1, 1]) * rng.uniform(25, 55)
    pitch = rng.uniform(-10, 10)
    blur = rng.uniform(0, 1.2)
    quality = int(rng.integers(60, 93))
    if both_ways:
        tilts = [start + (final - start) * step / 3 for step in range(4)]
        tilts += [final - final * step / 2 for step in range(1, 5)]
    else:
        tilts = [start + (final - start) * step / 4 for step in range(5)]
    frames = []
    for yaw in tilts:
        frame = print_frame(
            photo,
            yaw,
            pitch + rng.uniform(-2, 2),
            rng.uniform(-3, 3),
            (rng.uniform(-8, 8), rng.uniform(-8, 8)),
        )
        frames.append(_jpeg(frame.filter(ImageFilter.GaussianBlur(blur)), quality))
    return frames
