"""Real faces for the demo and the capacity bench, and fresh 640x480 "webcam" frames of them.

People come from ``../shared/testdata/face_verification`` (public photos of well-known people,
listed in its ``identities.csv``) when that folder is there (``TL_TESTDATA`` points elsewhere);
otherwise from pictures that ship with installed packages: scikit-image's astronaut (Eileen
Collins, NASA portrait) and two faces of scikit-image's LFW subset, upscaled.

Every frame is new: the photo is scaled, shifted, lit and noised differently each time, so the
server's replay check (a perceptual hash) does not take one frame for a copy of an earlier one.
"""

from __future__ import annotations

import csv
import io
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

from trust_lesson.vision import decode_image

FRAME_SIZE = (640, 480)
SHIFT_STEP = 11
"""Pixels between the positions of two frames of one photo: well past the replay hash's reach."""


@dataclass(frozen=True)
class Person:
    """Someone whose face the demo shows: a name, and photos of them (RGB arrays)."""

    name: str
    source: str
    photos: tuple[np.ndarray, ...]

    @property
    def display_name(self) -> str:
        """``angelina_jolie`` -> ``Angelina Jolie``; other names as they are."""
        return self.name.replace("_", " ").title() if "_" in self.name else self.name


@dataclass
class FrameMaker:
    """Fresh webcam frames of one person: every call gives a picture never given before."""

    person: Person
    seed: int = 0
    made: int = 0
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 -- picture jitter, not a secret

    def next_jpeg(self) -> bytes:
        photo = self.person.photos[self.made % len(self.person.photos)]
        turn = self.made // len(self.person.photos)
        self.made += 1
        return jpeg(webcam_frame(photo, turn=turn, rng=self._rng))


def webcam_frame(photo: np.ndarray, *, turn: int, rng: random.Random) -> np.ndarray:
    """The photo fitted on a 640x480 canvas at a position that differs every ``turn``."""
    width, height = FRAME_SIZE
    picture = Image.fromarray(photo)
    scale = min(width / picture.width, height / picture.height) * rng.uniform(0.82, 0.95)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    picture = picture.resize(size, Image.Resampling.BILINEAR)
    picture = ImageEnhance.Brightness(picture).enhance(rng.uniform(0.92, 1.08))
    room_x, room_y = width - picture.width, height - picture.height
    x = (room_x // 2 + turn * SHIFT_STEP * 3) % max(1, room_x + 1)
    y = (room_y // 2 + turn * SHIFT_STEP) % max(1, room_y + 1)
    grey = rng.randint(70, 130)
    canvas = Image.new("RGB", FRAME_SIZE, (grey, grey, grey))
    canvas.paste(picture, (x, y))
    pixels = np.asarray(canvas, dtype=np.float32)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 2.0, pixels.shape)
    return np.clip(pixels + noise, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int = 88) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def testdata_dir() -> Path:
    """Where the shared test images are: ``TL_TESTDATA`` or ``shared/testdata`` beside the repo."""
    configured = os.environ.get("TL_TESTDATA")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "testdata"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "testdata"


DEMO_PEOPLE = {
    "angelina_jolie": ("img2", "img4", "img5", "img6"),
    "jennifer_aniston": ("img3", "img53", "img54", "img55"),
    "katy_perry": ("img27", "img42", "img43", "img44"),
    "scarlett_johansson": ("img8", "img9", "img47", "img48"),
}
"""Testdata people (deepface set): the present student, the replaced one, the silent one and
the stand-in, with photos whose faces all score >= 88 with each other (an enrolment needs 85:
``jennifer_aniston``'s img12 scores 80 with her img3, so it is left out)."""


def demo_people() -> list[Person]:
    """Four people (see ``DEMO_PEOPLE``), from the test images or the bundled fallback."""
    folder = testdata_dir() / "face_verification"
    if (folder / "identities.csv").is_file():
        return [testdata_person(name, photos) for name, photos in DEMO_PEOPLE.items()]
    return bundled_people()


def testdata_person(name: str, photos: tuple[str, ...]) -> Person:
    folder = testdata_dir() / "face_verification"
    known = set(identities(folder).get(name, []))
    files = [f"deepface/{photo}.jpg" for photo in photos]
    if not known.issuperset(files):
        raise LookupError(f"{name}: {files} are not all in {folder / 'identities.csv'}")
    rgbs = tuple(decode_image((folder / file).read_bytes()).rgb for file in files)
    return Person(name=name, source=f"{folder} ({', '.join(files)})", photos=rgbs)


def identities(folder: Path) -> dict[str, list[str]]:
    """identity -> files, from the test set's ``identities.csv`` (mirrored copies left out)."""
    people: dict[str, list[str]] = defaultdict(list)
    with (folder / "identities.csv").open(newline="") as table:
        for row in csv.DictReader(table):
            if "reflection" not in row["file"]:
                people[row["identity"]].append(row["file"])
    return dict(people)


def bundled_people() -> list[Person]:
    """Faces that ship with scikit-image: the astronaut and two (upscaled) LFW faces."""
    from skimage import data

    astronaut = np.ascontiguousarray(data.astronaut())  # type: ignore[no-untyped-call]
    upper = astronaut[:300, 100:400]
    faces = np.load(Path(data.__file__).with_name("lfw_subset.npy"))
    source = "scikit-image sample data"
    return [
        Person("Eileen Collins (astronaut)", source, (astronaut, upper)),
        Person("LFW subset face 5", source, (_lfw_face(faces[5]),)),
        Person("LFW subset face 0", source, (_lfw_face(faces[0]),)),
        Person("LFW subset face 10", source, (_lfw_face(faces[10]),)),
    ]


def _lfw_face(grey: np.ndarray) -> np.ndarray:
    picture = Image.fromarray((np.clip(grey, 0, 1) * 255).astype(np.uint8))
    return np.asarray(picture.resize((320, 320), Image.Resampling.BICUBIC).convert("RGB"))
