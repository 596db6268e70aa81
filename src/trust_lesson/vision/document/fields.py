"""Printed fields outside the MRZ, found as the text next to a label ("Date of birth" ...)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from rapidfuzz import fuzz

from trust_lesson.vision.document.ocr import OcrLine

LABEL_MATCH = 85.0
# Label words as printed on specimens (English, French, German, Polish, Czech, Spanish ...).
LABELS: dict[str, tuple[str, ...]] = {
    "given_names": ("givennames", "givenname", "prenoms", "prenom", "vornamen", "imiona", "jmeno"),
    "surname": ("surname", "nazwisko", "apellidos", "nachname", "prijmeni", "cognome"),
    "nationality": ("nationality", "nationalite", "obywatelstwo", "staatsangehorigkeit"),
    "birth_date": ("dateofbirth", "datedenaissance", "dataurodzenia", "geburtsdatum"),
    "expiry_date": ("dateofexpiry", "datedexpiration", "expirydate", "gultigbis", "validuntil"),
    "sex": ("sex", "sexe", "plec", "geschlecht"),
    "document_number": ("passportno", "documentno", "passportnumber", "cardno", "numerpaszportu"),
    "name": ("name", "nom"),
}
_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


@dataclass(frozen=True)
class TextField:
    """A printed value, the label it was found under, and the OCR score of the value."""

    value: str
    label: str
    confidence: float


def _key(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


def label_of(text: str) -> str | None:
    """The field a label names, or None; 'name' only when nothing more precise matched."""
    key = _key(text)
    if not key:
        return None
    for field, words in LABELS.items():
        short = field in ("sex", "name")
        for word in words:
            if short and (key == word or key.startswith(word + "")) and len(key) <= len(word) + 2:
                return field
            if not short and len(key) >= 5 and fuzz.partial_ratio(word, key) >= LABEL_MATCH:
                return field
    return None


def find_fields(lines: Sequence[OcrLine]) -> dict[str, TextField]:
    """Values printed under (or right after) recognised labels, first match per field."""
    found: dict[str, TextField] = {}
    for line in lines:
        field = label_of(line.text)
        if field is None or field in found:
            continue
        value = _value_below(line, lines)
        if value is not None:
            text = normalize_value(field, value.text)
            if text:
                found[field] = TextField(text, line.text, round(value.score, 3))
    return found


def _value_below(label: OcrLine, lines: Sequence[OcrLine]) -> OcrLine | None:
    """The nearest non-label line starting under the label, within three label heights."""
    lx, ly = label.box[0]
    height = max(label.height, 1.0)
    best: tuple[float, OcrLine] | None = None
    for line in lines:
        x, y = line.box[0]
        dy = y - ly
        if line is label or not 0.3 * height < dy < 3.5 * height or abs(x - lx) > 3 * height:
            continue
        if label_of(line.text) is not None:
            continue
        distance = dy + abs(x - lx)
        if best is None or distance < best[0]:
            best = (distance, line)
    return best[1] if best else None


def normalize_value(field: str, text: str) -> str:
    """Dates as YYYY-MM-DD, sex as M/F/X, other values trimmed and upper-cased."""
    text = text.strip(" :/.,")
    if field.endswith("_date"):
        parsed = parse_printed_date(text)
        return parsed.isoformat() if parsed else ""
    if field == "sex":
        letter = text[:1].upper()
        return letter if letter in ("M", "F", "X") else ""
    return " ".join(text.upper().split())


def parse_printed_date(text: str) -> date | None:
    """'21.12.1971', '2005-01-01', '01 JAN 1976' or '01JAN 1976' (English month names)."""
    compact = text.upper().replace(" ", "")
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(compact, pattern).date()
        except ValueError:
            continue
    match = re.fullmatch(r"(\d{1,2})([A-Z]{3})[A-Z/]*?(\d{4})", compact)
    if match and match.group(2) in _MONTHS:
        try:
            return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            return None
    return None
