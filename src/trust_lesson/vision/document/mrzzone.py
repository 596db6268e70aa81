"""The zone's characters while they are read by field type, checked and repaired.

A change in an alphanumeric field (document number, optional data) is kept only when exactly
one reading within two look-alike changes passes the check digit that covers it; when several
pass, the field is ambiguous and its candidates are reported. The composite digit never
confirms a number repair (it weighs the number exactly as the number's own digit does) and
confirms optional data only when every other field it covers passed its own digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trust_lesson.vision.document import checkdigit as cd
from trust_lesson.vision.document.layouts import Layout, Span


@dataclass(frozen=True)
class CheckDigitResult:
    name: str
    printed: str
    computed: str | None
    valid: bool


@dataclass(frozen=True)
class Ambiguity:
    """A field that more than one reading of the OCR text would make pass its check digit."""

    field: str
    candidates: tuple[str, ...]


class Zone:
    def __init__(self, lines: Sequence[str], layout: Layout) -> None:
        self.layout = layout
        self.rows = [list(line) for line in lines]
        self.repairs: list[str] = []
        self.checks: dict[str, CheckDigitResult] = {}
        self.ambiguities: list[Ambiguity] = []

    def get(self, span: Span) -> str:
        line, start, end = span
        return "".join(self.rows[line][start:end])

    def put(self, span: Span, text: str, what: str) -> None:
        before = self.get(span)
        if text != before:
            line, start, end = span
            self.rows[line][start:end] = list(text)
            self.repairs.append(f"{what}: {before} -> {text}")

    def record(self, name: str, printed: str, computed: str | None) -> None:
        valid = printed == computed or (printed == cd.FILLER and computed == cd.FILLER)
        self.checks[name] = CheckDigitResult(name, printed, computed, valid)

    def extension(self) -> str:
        """The number's continuation with its check digit (TD1/TD2 numbers over 9 characters)."""
        lay = self.layout
        if not lay.extended_number or self.get(lay.number_check) != cd.FILLER:
            return ""
        return self.get(lay.optional[0]).split(cd.FILLER)[0]

    def document_number(self) -> str:
        """The full document number as printed, fillers dropped."""
        number = self.get(self.layout.number) + self.extension()[:-1]
        return number.replace(cd.FILLER, "")


def read_fixed_types(zone: Zone) -> None:
    """Digits-only, letters-only and filler-padded fields read as what they can only hold."""
    lay = zone.layout
    for what, span in (("birth date", lay.birth_date), ("expiry date", lay.expiry_date)):
        zone.put(span, cd.as_digits(zone.get(span)), what)
    check_spans = [lay.number_check, lay.birth_check, lay.expiry_check]
    check_spans += [s for s in (lay.optional_check, lay.composite) if s is not None]
    for span in check_spans:
        zone.put(span, cd.as_check_digit(zone.get(span)), "check digit")
    for what, span in (("issuing state", lay.issuing_state), ("nationality", lay.nationality)):
        zone.put(span, cd.fillers_restored(cd.as_letters(zone.get(span))), what)
    zone.put(lay.name_field, _name_fillers(cd.as_letters(zone.get(lay.name_field))), "name")
    doc_type = zone.get(lay.document_type)
    zone.put(lay.document_type, cd.as_letters(doc_type[0]) + doc_type[1], "document type")
    for what, span in (("document number", lay.number), *optional_labels(lay)):
        zone.put(span, cd.fillers_restored(zone.get(span)), what)


def optional_labels(layout: Layout) -> list[tuple[str, Span]]:
    """Each optional data span with the name its repairs carry ('optional data 2': TD1 line 2)."""
    return [
        ("optional data" + (f" {i + 1}" if i else ""), s) for i, s in enumerate(layout.optional)
    ]


def _name_fillers(field: str) -> str:
    """A lone K or C inside the filler padding after the names is the chevron misread.

    After a run of three fillers, or after '<<' once the given names have begun, no name can
    start; right after the first '<<' a one-letter given name K stays as printed.
    """
    chars = list(field)
    for i, char in enumerate(chars):
        if char not in cd.FILLER_LOOKALIKES or "".join(chars[i + 1 : i + 2]) not in ("", cd.FILLER):
            continue
        before = "".join(chars[:i])
        run = len(before) - len(before.rstrip(cd.FILLER))
        given_started = "<<" in before.rstrip(cd.FILLER).lstrip(cd.FILLER)
        if run >= 3 or (run == 2 and given_started):
            chars[i] = cd.FILLER
    return "".join(chars)


def check_fields(zone: Zone) -> None:
    lay = zone.layout
    if zone.extension():
        _check_extended_number(zone)
    else:
        _check_own(zone, "document_number", lay.number, lay.number_check, "document number")
    for name, span, digit in (("birth_date", lay.birth_date, lay.birth_check),
                              ("expiry_date", lay.expiry_date, lay.expiry_check)):  # fmt: skip
        zone.record(name, zone.get(digit), cd.compute(zone.get(span)))
    if lay.optional_check is not None:
        _check_own(zone, "optional_data", lay.optional[0], lay.optional_check, "optional data")
    if lay.composite is not None:
        _check_composite(zone, lay.composite)


def _check_own(zone: Zone, name: str, span: Span, digit_span: Span, what: str) -> None:
    """A field with its own check digit: as read, or its one passing reading, else not."""
    text, digit = zone.get(span), zone.get(digit_span)
    if digit == cd.FILLER:
        found = [text] if set(text) <= {cd.FILLER} else []
    elif digit.isdigit():
        found = cd.readings(text, _weights(len(text)), int(digit))
    else:
        found = []
    _settle(zone, name, span, found, what)
    computed = cd.FILLER if digit == cd.FILLER and set(zone.get(span)) <= {cd.FILLER} else None
    zone.record(name, digit, computed or cd.compute(zone.get(span)))


def _check_extended_number(zone: Zone) -> None:
    """ICAO 9303-5/-6: nine characters, '<', the rest and its check digit in the optional data.

    The digit covers the whole number; Belgian and Portuguese cards compute it over the number
    with the filler between its two parts, so both forms are accepted.
    """
    lay = zone.layout
    principal, run = zone.get(lay.number), zone.extension()
    rest, digit = run[:-1], cd.as_digits(run[-1])
    text = principal + rest
    found: dict[str, None] = {}
    if digit.isdigit():
        plain = cd.readings(text, _weights(len(text)), int(digit))
        with_filler = cd.readings(text, _weights(9) + _weights(len(rest), 10), int(digit))
        as_read = text in plain or text in with_filler
        found = dict.fromkeys([text] if as_read else plain + with_filler)
    line, start, _ = lay.optional[0]
    rest_span = (line, start, start + len(rest))
    zone.put((line, rest_span[2], rest_span[2] + 1), digit, "check digit")
    if len(found) == 1:
        value = next(iter(found))
        zone.put(lay.number, value[:9], "document number")
        zone.put(rest_span, value[9:], "document number")
    elif found:
        zone.ambiguities.append(
            Ambiguity("document_number", tuple(c.replace("<", "") for c in found))
        )
    number = zone.get(lay.number) + zone.get(rest_span)
    computed = cd.compute(number)
    if (
        computed != digit
        and cd.compute(zone.get(lay.number) + cd.FILLER + zone.get(rest_span)) == digit
    ):
        computed = digit
    zone.record("document_number", digit, computed)


def _check_composite(zone: Zone, composite: Span) -> None:
    """Optional data without its own digit is repaired only when all else passed on its own."""
    lay = zone.layout
    digit = zone.get(composite)
    settled = all(c.valid for c in zone.checks.values()) and not zone.ambiguities
    spans = _composite_only_optional(zone) if lay.optional_check is None and settled else []
    total = cd.weighted_sum(_composite_data(zone))
    if spans and digit.isdigit() and total is not None:
        text = "".join(zone.get(s) for s in spans)
        weights = [w for s in spans for w in _weights(s[2] - s[1], _composite_offset(lay, s))]
        own = sum(cd.char_value(c) * w for c, w in zip(text, weights, strict=True))
        found = cd.readings(text, weights, (int(digit) - (total - own)) % 10)
        if len(found) == 1:
            _put_joined(zone, spans, found[0])
        elif found:
            zone.ambiguities.append(Ambiguity("optional_data", tuple(found)))
    zone.record("composite", digit, cd.compute(_composite_data(zone)))


def _settle(zone: Zone, name: str, span: Span, found: list[str], what: str) -> None:
    if len(found) == 1:
        zone.put(span, found[0], what)
    elif found:
        zone.ambiguities.append(Ambiguity(name, tuple(c.replace("<", "") for c in found)))


def _composite_only_optional(zone: Zone) -> list[Span]:
    """The optional data the composite digit alone covers (after an extended number)."""
    spans = list(zone.layout.optional)
    run = zone.extension()
    if run:
        line, start, end = spans[0]
        spans[0] = (line, min(start + len(run) + 1, end), end)
    return [s for s in spans if s[2] > s[1]]


def _put_joined(zone: Zone, spans: list[Span], text: str) -> None:
    for span in spans:
        size = span[2] - span[1]
        second = span[0] == zone.layout.optional[-1][0] and len(zone.layout.optional) > 1
        zone.put(span, text[:size], "optional data 2" if second else "optional data")
        text = text[size:]


def _composite_offset(layout: Layout, span: Span) -> int:
    offset = 0
    for line, start, end in layout.composite_parts:
        if line == span[0] and start <= span[1] and span[2] <= end:
            return offset + span[1] - start
        offset += end - start
    raise ValueError(f"{span} is not under the composite check digit")


def _composite_data(zone: Zone) -> str:
    return "".join(zone.get(s) for s in zone.layout.composite_parts)


def _weights(count: int, offset: int = 0) -> list[int]:
    return [cd.WEIGHTS[(offset + i) % 3] for i in range(count)]
