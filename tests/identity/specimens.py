"""Document pictures for the identity stories, from ../shared/testdata.

The shared set has no document and selfie of one real person, so ``passport_with_face``
builds one honestly: the ICAO "Utopia" passport specimen (passport-td3.jpg) with its photo
area replaced by a real face of the shared face set (cropped around the detected face, in
the photo's 3:4 shape). Everything else on the page, MRZ included, is the specimen's own.
"""

import io
from pathlib import Path

import numpy as np
from PIL import Image

from trust_lesson.vision import decode_image
from trust_lesson.vision.faces import detect_faces

SPECIMENS = "id_documents/passporteye"
UTOPIA_PASSPORT = f"{SPECIMENS}/passport-td3.jpg"
# The photo area of passport-td3.jpg (left, top, right, bottom), measured on the picture.
PHOTO_AREA = (128, 215, 430, 618)
# A fictional "Commonwealth" card printed with a composite check digit that does not validate.
BAD_DIGIT_CARD = f"{SPECIMENS}/77_card-cmw.png"
JON = {
    "document_number": "51284970", "document_type": "IDENTITY_CARD", "full_name": "Jon Public",
    "parent_full_name": "Jane Public", "birth_date": "1961-04-12", "country": "CMW",
}  # fmt: skip
FACES = "face_verification/deepface"
HOLDER, HOLDER_AGAIN, HOLDER_THIRD = f"{FACES}/img2.jpg", f"{FACES}/img4.jpg", f"{FACES}/img5.jpg"
SOMEONE_ELSE = f"{FACES}/img27.jpg"


def jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def passport_with_face(testdata: Path, face: str) -> bytes:
    """The Utopia passport whose photo area holds the real face of ``face`` (see above)."""
    page = np.asarray(Image.open(testdata / UTOPIA_PASSPORT).convert("RGB")).copy()
    left, top, right, bottom = PHOTO_AREA
    photo = _passport_photo(decode_image((testdata / face).read_bytes()).rgb)
    size = (right - left, bottom - top)
    page[top:bottom, left:right] = np.asarray(photo.resize(size, Image.Resampling.LANCZOS))
    return jpeg(page)


def _passport_photo(rgb: np.ndarray) -> Image.Image:
    """A 3:4 crop centred on the face, the face about half the photo's width."""
    box = max(detect_faces(rgb), key=lambda b: b.width * b.height)
    side = box.width * 2
    cx, cy = (box.left + box.right) // 2, (box.top + box.bottom) // 2
    crop_h = side * 4 // 3
    x0, y0 = max(cx - side // 2, 0), max(cy - crop_h * 2 // 5, 0)
    return Image.fromarray(rgb[y0 : y0 + crop_h, x0 : x0 + side])
