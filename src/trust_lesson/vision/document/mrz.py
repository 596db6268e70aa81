"""Parse ICAO 9303 machine-readable zones: fields, check digits, confirmed OCR repairs.

Pure text in, a frozen :class:`MrzResult` out. Characters OCR confuses (0/O, 1/I, 8/B, 5/S,
2/Z, '<' read as K or C ...) are read by field type: a digits-only field (dates, check digits)
can only hold digits and a letters-only field (states, names) only letters. In alphanumeric
fields (document number, optional data) a change is kept only when it is the one reading
that passes its check digit (see :mod:`mrzzone`); every change made is listed in ``repairs``
and a field several readings would make pass is listed in ``ambiguities`` (the zone is then
not valid). Zones of non-ICAO layouts that share a width are refused (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from trust_lesson.vision.document import checkdigit as cd
from trust_lesson.vision.document.layouts import Span, layout_for
from trust_lesson.vision.document.mrztext import normalize_line
from trust_lesson.vision.document.mrzzone import (
    Ambiguity,
    CheckDigitResult,
    Zone,
    check_fields,
    read_fixed_types,
)

CONFIRMED, UNPROTECTED, REFUTED = 0.95, 0.8, 0.3

__all__ = ["Ambiguity", "CheckDigitResult", "MrzField", "MrzResult", "parse_mrz", "split_name"]


@dataclass(frozen=True)
class MrzField:
    """One value read from the zone; ``confidence`` in 0-1 (check digits weigh most)."""

    value: str | None
    confidence: float


@dataclass(frozen=True)
class MrzResult:
    format: str
    lines: tuple[str, ...]
    valid: bool
    checks: tuple[CheckDigitResult, ...]
    document_type: MrzField
    issuing_state: MrzField
    document_number: MrzField
    surname: MrzField
    given_names: MrzField
    nationality: MrzField
    birth_date: MrzField
    expiry_date: MrzField
    sex: MrzField
    optional_data: MrzField
    optional_data_2: MrzField  # TD1 line 2's optional data (None in other formats)
    repairs: tuple[str, ...]
    ambiguities: tuple[Ambiguity, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form: each field as its value plus a ``confidence`` map."""
        data = asdict(self)
        names = [k for k, v in data.items() if isinstance(v, dict) and "confidence" in v]
        out: dict[str, object] = {k: v for k, v in data.items() if k not in names}
        out.update({k: data[k]["value"] for k in names})
        out["confidence"] = {k: round(data[k]["confidence"], 3) for k in names}
        return out


def parse_mrz(
    lines: Sequence[str], *, scores: Sequence[float] | None = None, today: date | None = None
) -> MrzResult | None:
    """Parse 2 or 3 MRZ lines (as printed or as OCR read them); None if no format fits."""
    normalized = tuple(normalize_line(line) for line in lines)
    layout = layout_for(normalized)
    if layout is None:
        return None
    zone = Zone([n.ljust(layout.width, cd.FILLER)[: layout.width] for n in normalized], layout)
    read_fixed_types(zone)
    check_fields(zone)
    base = min(scores) if scores else 1.0
    return _result(zone, base, today or date.today())


def _result(zone: Zone, base: float, today: date) -> MrzResult:
    lay = zone.layout
    checks = zone.checks
    surname, given = split_name(zone.get(lay.name_field))
    optional = _optional_values(zone)
    birth = _date(zone.get(lay.birth_date), checks, "birth_date", base, today)
    expiry = _date(zone.get(lay.expiry_date), checks, "expiry_date", base, today)
    dates_real = birth.value is not None and expiry.value is not None
    all_pass = bool(checks) and all(c.valid for c in checks.values())
    optional_trust = _trust(checks, "optional_data", "composite", base=base)
    return MrzResult(
        format=lay.name,
        lines=tuple("".join(row) for row in zone.rows),
        valid=all_pass and dates_real and not zone.ambiguities,
        checks=tuple(checks.values()),
        document_type=_plain(zone, lay.document_type, base),
        issuing_state=_plain(zone, lay.issuing_state, base),
        document_number=MrzField(
            zone.document_number(), _trust(checks, "document_number", base=base)
        ),
        surname=MrzField(surname, _unchecked(zone, "name", base)),
        given_names=MrzField(given, _unchecked(zone, "name", base)),
        nationality=_plain(zone, lay.nationality, base),
        birth_date=birth,
        expiry_date=expiry,
        sex=MrzField(_sex(zone.get(lay.sex)), _unchecked(zone, "sex", base)),
        optional_data=MrzField(optional[0], optional_trust),
        optional_data_2=MrzField(optional[1] if len(optional) > 1 else None, optional_trust),
        repairs=tuple(zone.repairs),
        ambiguities=tuple(zone.ambiguities),
    )


def _optional_values(zone: Zone) -> list[str]:
    """Each optional data field with its padding removed and inner fillers kept."""
    run = zone.extension()
    texts = [zone.get(span) for span in zone.layout.optional]
    if run:
        texts[0] = texts[0][len(run) + 1 :]
    return [text.strip(cd.FILLER) for text in texts]


def split_name(field: str) -> tuple[str, str]:
    """Primary and secondary identifiers: '<<' separates them, '<' separates words.

    An empty primary identifier (``<<ANNA<MARIA``) leaves the surname empty.
    """
    surname, _, rest = field.rstrip(cd.FILLER).partition("<<")
    given = rest.split("<<")[0]
    return _words(surname), _words(given)


def _words(text: str) -> str:
    return " ".join(w for w in text.split(cd.FILLER) if w)


def _trust(checks: dict[str, CheckDigitResult], *names: str, base: float = 1.0) -> float:
    for name in names:
        if name in checks:
            return (CONFIRMED if checks[name].valid else REFUTED) * max(base, 0.5)
    return UNPROTECTED * base


def _unchecked(zone: Zone, what: str, base: float) -> float:
    repaired = any(r.startswith(what) for r in zone.repairs)
    return UNPROTECTED * base * (0.8 if repaired else 1.0)


def _plain(zone: Zone, span: Span, base: float) -> MrzField:
    value = zone.get(span).replace(cd.FILLER, "")
    return MrzField(value, UNPROTECTED * base if value.isalpha() else REFUTED * base)


def _sex(char: str) -> str:
    return char if char in ("M", "F") else "X"


def _date(
    text: str, checks: dict[str, CheckDigitResult], name: str, base: float, today: date
) -> MrzField:
    """YYMMDD as YYYY-MM-DD: birth dates lie in the past, expiry up to 20 years ahead."""
    if not text.isdigit():
        return MrzField(None, 0.0)
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    horizon = today.year if name == "birth_date" else today.year + 20
    year = 2000 + yy if 2000 + yy <= horizon else 1900 + yy
    try:
        value = date(year, mm, dd)
    except ValueError:
        return MrzField(None, 0.0)
    if name == "birth_date" and value > today:
        value = value.replace(year=year - 100)
    return MrzField(value.isoformat(), _trust(checks, name, base=base))
