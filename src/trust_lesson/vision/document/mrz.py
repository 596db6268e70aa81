"""Parse ICAO 9303 machine-readable zones: fields, check digits, confirmed OCR repairs.

Pure text in, a frozen :class:`MrzResult` out. Characters OCR confuses (0/O, 1/I, 8/B, 5/S,
2/Z, '<' read as K or C ...) are read by field type: a digits-only field (dates, check digits)
can only hold digits and a letters-only field (states, names) only letters. In alphanumeric
fields (document number, optional data) a change is kept only when a check digit confirms
it; every change made is listed in ``repairs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from trust_lesson.vision.document import checkdigit as cd
from trust_lesson.vision.document.layouts import Layout, Span, layout_for
from trust_lesson.vision.document.mrztext import normalize_line

CONFIRMED, UNPROTECTED, REFUTED = 0.95, 0.8, 0.3


@dataclass(frozen=True)
class MrzField:
    """One value read from the zone; ``confidence`` in 0-1 (check digits weigh most)."""

    value: str | None
    confidence: float


@dataclass(frozen=True)
class CheckDigitResult:
    name: str
    printed: str
    computed: str | None
    valid: bool


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
    repairs: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form: each field as its value plus a ``confidence`` map."""
        data = asdict(self)
        names = [k for k, v in data.items() if isinstance(v, dict) and "confidence" in v]
        out: dict[str, object] = {k: v for k, v in data.items() if k not in names}
        out.update({k: data[k]["value"] for k in names})
        out["confidence"] = {k: round(data[k]["confidence"], 3) for k in names}
        return out


class _Zone:
    """The zone's characters while they are being read and repaired."""

    def __init__(self, lines: Sequence[str], layout: Layout) -> None:
        self.layout = layout
        self.rows = [list(line) for line in lines]
        self.repairs: list[str] = []
        self.checks: dict[str, CheckDigitResult] = {}

    def get(self, span: Span) -> str:
        line, start, end = span
        return "".join(self.rows[line][start:end])

    def put(self, span: Span, text: str, what: str) -> None:
        before = self.get(span)
        if text != before:
            line, start, end = span
            self.rows[line][start:end] = list(text)
            self.repairs.append(f"{what}: {before} -> {text}")

    def check(self, name: str, data: str, digit_span: Span) -> bool:
        printed = self.get(digit_span)
        valid = cd.is_valid(data, printed)
        self.checks[name] = CheckDigitResult(name, printed, cd.compute(data), valid)
        return valid


def parse_mrz(
    lines: Sequence[str], *, scores: Sequence[float] | None = None, today: date | None = None
) -> MrzResult | None:
    """Parse 2 or 3 MRZ lines (as printed or as OCR read them); None if no format fits."""
    normalized = tuple(normalize_line(line) for line in lines)
    layout = layout_for(normalized)
    if layout is None:
        return None
    zone = _Zone([n.ljust(layout.width, cd.FILLER) for n in normalized], layout)
    _read_fixed_types(zone)
    _repair_checked_fields(zone)
    base = min(scores) if scores else 1.0
    return _result(zone, base, today or date.today())


def _read_fixed_types(zone: _Zone) -> None:
    lay = zone.layout
    for what, span in (("birth date", lay.birth_date), ("expiry date", lay.expiry_date)):
        zone.put(span, cd.as_digits(zone.get(span)), what)
    check_spans = [lay.number_check, lay.birth_check, lay.expiry_check]
    check_spans += [s for s in (lay.optional_check, lay.composite) if s is not None]
    for span in check_spans:
        zone.put(span, cd.as_check_digit(zone.get(span)), "check digit")
    for what, span in (
        ("issuing state", lay.issuing_state),
        ("nationality", lay.nationality),
        ("name", lay.name_field),
    ):
        zone.put(span, cd.as_letters(zone.get(span)), what)
    doc_type = zone.get(lay.document_type)
    zone.put(lay.document_type, cd.as_letters(doc_type[0]) + doc_type[1], "document type")


def _repair_checked_fields(zone: _Zone) -> None:
    lay = zone.layout
    if not _is_extended_number(zone):
        _repair_number(zone)
    zone.check("document_number", _document_number(zone)[0], _number_check_span(zone))
    zone.check("birth_date", zone.get(lay.birth_date), lay.birth_check)
    zone.check("expiry_date", zone.get(lay.expiry_date), lay.expiry_check)
    if lay.optional_check is not None:
        optional_check = zone.get(lay.optional_check)
        span = lay.optional[0]
        _repair(zone, span, lambda t: cd.is_valid(t, optional_check), "optional data")
        zone.check("optional_data", zone.get(span), lay.optional_check)
    if lay.composite is not None:
        _repair_composite(zone, lay.composite)


def _repair_number(zone: _Zone) -> None:
    """A number change must satisfy its check digit, and the composite one where possible."""
    lay = zone.layout
    printed = zone.get(lay.number_check)

    def own(text: str) -> bool:
        return cd.is_valid(text, printed)

    def both(text: str) -> bool:
        composite = zone.get(lay.composite) if lay.composite else None
        spliced = _splice(zone, lay.number, text)
        return own(text) and (composite is None or cd.is_valid(spliced, composite))

    before = zone.get(lay.number)
    _repair(zone, lay.number, both, "document number")
    if zone.get(lay.number) == before:
        _repair(zone, lay.number, own, "document number")


def _repair_composite(zone: _Zone, composite: Span) -> None:
    """Optional data without its own check digit is confirmed by the composite one."""
    lay = zone.layout
    printed = zone.get(composite)
    others_valid = all(c.valid for c in zone.checks.values())
    for span in lay.optional if lay.optional_check is None and others_valid else ():

        def confirms(text: str, span: Span = span) -> bool:
            return cd.is_valid(_splice(zone, span, text), printed)

        _repair(zone, span, confirms, "optional data")
    data = "".join(zone.get(s) for s in lay.composite_parts)
    zone.check("composite", data, composite)


def _splice(zone: _Zone, span: Span, text: str) -> str:
    """The composite data as it would read with ``text`` written into ``span``."""
    rows = [row[:] for row in zone.rows]
    line, start, end = span
    rows[line][start:end] = list(text)
    return "".join("".join(rows[s[0]][s[1] : s[2]]) for s in zone.layout.composite_parts)


def _repair(zone: _Zone, span: Span, confirms: cd.Confirms, what: str) -> None:
    repaired = cd.repair_alphanumeric(zone.get(span), confirms)
    if repaired is not None:
        zone.put(span, repaired, what)


def _is_extended_number(zone: _Zone) -> bool:
    """TD1 numbers longer than 9 characters continue in the optional data (ICAO 9303-5)."""
    lay = zone.layout
    return (
        lay.name == "TD1"
        and zone.get(lay.number_check) == cd.FILLER
        and (zone.get(lay.optional[0])[:1] != cd.FILLER)
    )


def _number_check_span(zone: _Zone) -> Span:
    if not _is_extended_number(zone):
        return zone.layout.number_check
    line, start, _ = zone.layout.optional[0]
    tail = zone.get(zone.layout.optional[0]).split(cd.FILLER)[0]
    return (line, start + len(tail) - 1, start + len(tail))


def _document_number(zone: _Zone) -> tuple[str, str]:
    """The document number as used for its check digit, and as shown (fillers dropped)."""
    number = zone.get(zone.layout.number)
    if _is_extended_number(zone):
        number += zone.get(zone.layout.optional[0]).split(cd.FILLER)[0][:-1]
    return number, number.replace(cd.FILLER, "")


def _result(zone: _Zone, base: float, today: date) -> MrzResult:
    lay = zone.layout
    checks = zone.checks
    surname, given = split_name(zone.get(lay.name_field))
    optional = "".join(zone.get(s) for s in lay.optional).replace(cd.FILLER, "")
    if _is_extended_number(zone):
        optional = ""
    birth = _date(zone.get(lay.birth_date), checks, "birth_date", base, today)
    expiry = _date(zone.get(lay.expiry_date), checks, "expiry_date", base, today)
    dates_real = birth.value is not None and expiry.value is not None
    return MrzResult(
        format=lay.name,
        lines=tuple("".join(row) for row in zone.rows),
        valid=bool(checks) and all(c.valid for c in checks.values()) and dates_real,
        checks=tuple(checks.values()),
        document_type=_plain(zone, lay.document_type, base),
        issuing_state=_plain(zone, lay.issuing_state, base),
        document_number=MrzField(
            _document_number(zone)[1], _trust(checks, "document_number", base=base)
        ),
        surname=MrzField(surname, _unchecked(zone, "name", base)),
        given_names=MrzField(given, _unchecked(zone, "name", base)),
        nationality=_plain(zone, lay.nationality, base),
        birth_date=birth,
        expiry_date=expiry,
        sex=MrzField(_sex(zone.get(lay.sex)), _unchecked(zone, "sex", base)),
        optional_data=MrzField(optional, _trust(checks, "optional_data", "composite", base=base)),
        repairs=tuple(zone.repairs),
    )


def split_name(field: str) -> tuple[str, str]:
    """Surname and given names: '<<' separates them, '<' separates words."""
    surname, _, rest = field.strip(cd.FILLER).partition("<<")
    given = rest.split("<<")[0]
    return _words(surname), _words(given)


def _words(text: str) -> str:
    return " ".join(w for w in text.split(cd.FILLER) if w)


def _trust(checks: dict[str, CheckDigitResult], *names: str, base: float = 1.0) -> float:
    for name in names:
        if name in checks:
            return (CONFIRMED if checks[name].valid else REFUTED) * max(base, 0.5)
    return UNPROTECTED * base


def _unchecked(zone: _Zone, what: str, base: float) -> float:
    repaired = any(r.startswith(what) for r in zone.repairs)
    return UNPROTECTED * base * (0.8 if repaired else 1.0)


def _plain(zone: _Zone, span: Span, base: float) -> MrzField:
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
