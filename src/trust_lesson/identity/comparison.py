"""The identity record against what a document says, field by field (pure rules).

Per field: the record's value, the document's value, where it was read (the MRZ or the
printed text), a confidence, and MATCH / MISMATCH / NOT_FOUND. Names compare tolerant of
accents, case, order and extra middle names; document numbers ignore separators and masked
characters; dates are read in the formats documents print. A document past its expiry date,
or whose MRZ fails a check digit or reads two ways, gives that as a reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz

from trust_lesson.vision.document.fields import TextField, parse_printed_date
from trust_lesson.vision.document.mrz import MrzResult

NAME_WORD_MATCH = 88.0  # rapidfuzz ratio for one name word against another (a typo passes)
MASKS = frozenset("*•#?_")
# ICAO 9303-3 transliterations a record typed with the national letters may need.
_TRANSLITERATIONS = str.maketrans(
    {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Æ": "AE", "Ø": "OE", "Œ": "OE",
     "Þ": "TH", "Ð": "D"}
)  # fmt: skip
_DOCUMENT_TYPES = {"P": "PASSPORT", "I": "IDENTITY_CARD", "A": "IDENTITY_CARD",
                   "C": "IDENTITY_CARD", "D": "DRIVER_LICENSE"}  # fmt: skip
_ICAO_STATES = {"D": "DEU"}  # ICAO codes that are not ISO 3166 alpha-3


class FieldStatus(StrEnum):
    MATCH = "MATCH"
    MISMATCH = "MISMATCH"
    NOT_FOUND = "NOT_FOUND"


class Source(StrEnum):
    MRZ = "MRZ"
    PRINTED = "PRINTED"


@dataclass(frozen=True)
class FieldComparison:
    field: str
    record_value: str | None
    document_value: str | None
    source: Source | None
    confidence: float
    status: FieldStatus


@dataclass(frozen=True)
class IdentityComparison:
    fields: tuple[FieldComparison, ...]
    reasons: tuple[str, ...]

    @property
    def not_match_fields(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.fields if f.status is FieldStatus.MISMATCH)

    @property
    def not_found_fields(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.fields if f.status is FieldStatus.NOT_FOUND)


@dataclass(frozen=True)
class Found:
    value: str
    source: Source
    confidence: float


def compare_identity(
    record: Mapping[str, str | date | None],
    mrz: MrzResult | None,
    printed: Mapping[str, TextField],
    *,
    today: date,
) -> IdentityComparison:
    """Compare every field the record holds with the document; reasons for a bad document."""
    found = document_values(mrz, printed)
    fields = []
    for name, raw in record.items():
        if raw is None or raw == "":
            continue
        value = raw.isoformat() if isinstance(raw, date) else str(raw)
        fields.append(_compare(name, value, found.get(name)))
    return IdentityComparison(tuple(fields), document_reasons(mrz, found, today=today))


def _compare(name: str, value: str, found: Found | None) -> FieldComparison:
    if found is None:
        return FieldComparison(name, value, None, None, 0.0, FieldStatus.NOT_FOUND)
    same = SAME_VALUE.get(name, _same_text)(value, found.value)
    status = FieldStatus.MATCH if same else FieldStatus.MISMATCH
    return FieldComparison(name, value, found.value, found.source, found.confidence, status)


def document_values(mrz: MrzResult | None, printed: Mapping[str, TextField]) -> dict[str, Found]:
    """The document's value per record field: the MRZ's where it has one, else the printed."""
    found: dict[str, Found] = {}
    for name, text in printed.items():
        found[name] = Found(text.value, Source.PRINTED, text.confidence)
    if "surname" in printed or "given_names" in printed:
        parts = [printed[k] for k in ("given_names", "surname") if k in printed]
        value = " ".join(p.value for p in parts)
        found["full_name"] = Found(value, Source.PRINTED, min(p.confidence for p in parts))
    elif "name" in printed:
        found["full_name"] = Found(
            printed["name"].value, Source.PRINTED, printed["name"].confidence
        )
    if mrz is not None:
        found.update(_mrz_values(mrz))
    return found


MRZ_RECORD_FIELDS = frozenset(
    {"document_number", "birth_date", "expiry_date", "full_name", "document_type", "country"}
)
"""The record's fields a machine-readable zone can give (see ``_mrz_values``)."""


def needs_printed_text(record: Mapping[str, object]) -> bool:
    """Whether the record holds a field only the document's printed text can confirm."""
    return any(value for name, value in record.items() if name not in MRZ_RECORD_FIELDS)


def _mrz_values(mrz: MrzResult) -> dict[str, Found]:
    out: dict[str, Found] = {}
    for name in ("document_number", "birth_date", "expiry_date"):
        field = getattr(mrz, name)
        if field.value:
            out[name] = Found(field.value, Source.MRZ, field.confidence)
    name = " ".join(v for v in (mrz.given_names.value, mrz.surname.value) if v)
    if name:
        out["full_name"] = Found(name, Source.MRZ, mrz.surname.confidence)
    kind = (mrz.document_type.value or "")[:1]
    if kind in _DOCUMENT_TYPES:
        out["document_type"] = Found(
            _DOCUMENT_TYPES[kind], Source.MRZ, mrz.document_type.confidence
        )
    if mrz.issuing_state.value:
        out["country"] = Found(mrz.issuing_state.value, Source.MRZ, mrz.issuing_state.confidence)
    return out


def document_reasons(
    mrz: MrzResult | None, found: Mapping[str, Found], *, today: date
) -> tuple[str, ...]:
    """Why the document itself cannot be trusted: failed check digits, two readings, expiry."""
    reasons = []
    if mrz is not None:
        reasons += [f"MRZ check digit wrong: {c.name}" for c in mrz.checks if not c.valid]
        reasons += [f"MRZ reads two ways: {a.field}" for a in mrz.ambiguities]
    expiry = found.get("expiry_date")
    expires = _as_date(expiry.value) if expiry else None
    if expires is not None and expires < today:
        reasons.append(f"document expired on {expires.isoformat()}")
    return tuple(reasons)


def name_words(text: str) -> list[str]:
    """Upper-case ASCII words: accents dropped, national letters as ICAO transliterates them."""
    upper = text.upper().translate(_TRANSLITERATIONS)
    ascii_text = unicodedata.normalize("NFKD", upper).encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^A-Z]+", ascii_text) if w]


def same_name(record: str, document: str) -> bool:
    """Same person's name: every word of the shorter name is in the longer one (any order).

    Extra middle names on either side are tolerated, but at least two words must agree when
    both names have two or more (a shared surname alone is not a match).
    """
    mine, theirs = name_words(record), name_words(document)
    if not mine or not theirs:
        return False
    short, long = sorted((mine, theirs), key=len)
    left = list(long)
    for word in short:
        best = max(left, key=lambda other: fuzz.ratio(word, other))
        if fuzz.ratio(word, best) < NAME_WORD_MATCH:
            return False
        left.remove(best)
    return len(short) >= min(2, len(long))


def same_document_number(record: str, document: str) -> bool:
    """Equal after separators are dropped; a masked character ('*', '•' ...) matches any."""
    mine, theirs = _number_chars(record), _number_chars(document)
    if len(mine) != len(theirs) or not mine:
        return False
    pairs = list(zip(mine, theirs, strict=True))
    return all(a == b or a in MASKS or b in MASKS for a, b in pairs) and any(
        a not in MASKS and b not in MASKS for a, b in pairs
    )


def _number_chars(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum() or c in MASKS)


def same_date(record: str, document: str) -> bool:
    mine, theirs = _as_date(record), _as_date(document)
    return mine is not None and mine == theirs


def _as_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return parse_printed_date(text)


def same_country(record: str, document: str) -> bool:
    def code(text: str) -> str:
        clean = text.strip().upper().replace("<", "")
        return _ICAO_STATES.get(clean, clean)

    return code(record) == code(document)


def _same_text(record: str, document: str) -> bool:
    return " ".join(name_words(record)) == " ".join(name_words(document))


SAME_VALUE = {
    "full_name": same_name,
    "parent_full_name": same_name,
    "document_number": same_document_number,
    "birth_date": same_date,
    "issue_date": same_date,
    "expiry_date": same_date,
    "country": same_country,
    "document_type": _same_text,
}
