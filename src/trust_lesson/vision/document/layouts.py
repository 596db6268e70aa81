"""Where each field sits in the ICAO 9303 machine-readable zones (TD1, TD2, TD3, MRV-A/B)."""

from __future__ import annotations

from dataclasses import dataclass

from trust_lesson.vision.document import checkdigit as cd

Span = tuple[int, int, int]  # line, start, end (end exclusive)


@dataclass(frozen=True)
class Layout:
    """Positions of the fields of one MRZ format; ``composite`` is None where none is printed."""

    name: str
    lines: int
    width: int
    document_type: Span
    issuing_state: Span
    name_field: Span
    number: Span
    number_check: Span
    nationality: Span
    birth_date: Span
    birth_check: Span
    sex: Span
    expiry_date: Span
    expiry_check: Span
    optional: tuple[Span, ...]
    optional_check: Span | None
    composite: Span | None
    composite_parts: tuple[Span, ...]
    extended_number: bool = False  # a longer number may continue in the optional data
    name_line: int = 0


def _two_line(name: str, width: int, optional_end: int, with_composite: bool) -> Layout:
    has_optional_check = width == 44 and with_composite
    return Layout(
        name=name,
        lines=2,
        width=width,
        document_type=(0, 0, 2),
        issuing_state=(0, 2, 5),
        name_field=(0, 5, width),
        number=(1, 0, 9),
        number_check=(1, 9, 10),
        nationality=(1, 10, 13),
        birth_date=(1, 13, 19),
        birth_check=(1, 19, 20),
        sex=(1, 20, 21),
        expiry_date=(1, 21, 27),
        expiry_check=(1, 27, 28),
        optional=((1, 28, optional_end),),
        optional_check=(1, 42, 43) if has_optional_check else None,
        composite=(1, width - 1, width) if with_composite else None,
        composite_parts=((1, 0, 10), (1, 13, 20), (1, 21, width - 1)),
        extended_number=name == "TD2",
    )


TD3 = _two_line("TD3", 44, 42, with_composite=True)
TD2 = _two_line("TD2", 36, 35, with_composite=True)
MRV_A = _two_line("MRV-A", 44, 44, with_composite=False)
MRV_B = _two_line("MRV-B", 36, 36, with_composite=False)
TD1 = Layout(
    name="TD1",
    lines=3,
    width=30,
    document_type=(0, 0, 2),
    issuing_state=(0, 2, 5),
    name_field=(2, 0, 30),
    number=(0, 5, 14),
    number_check=(0, 14, 15),
    nationality=(1, 15, 18),
    birth_date=(1, 0, 6),
    birth_check=(1, 6, 7),
    sex=(1, 7, 8),
    expiry_date=(1, 8, 14),
    expiry_check=(1, 14, 15),
    optional=((0, 15, 30), (1, 18, 29)),
    optional_check=None,
    composite=(1, 29, 30),
    composite_parts=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    extended_number=True,
    name_line=2,
)
MIN_LINE_SHARE = 0.8  # a zone line (not the name line) this much shorter is not that format
MAX_MISFITS = 2  # impossible characters tolerated in fixed-type fields (OCR noise)


def layout_for(lines: tuple[str, ...]) -> Layout | None:
    """The layout matching the number and width of ``lines`` (visas start with 'V')."""
    shape = (len(lines), max((len(line) for line in lines), default=0))
    visa = bool(lines) and lines[0].startswith("V")
    by_shape = {
        (3, 30): TD1,
        (2, 36): MRV_B if visa else TD2,
        (2, 44): MRV_A if visa else TD3,
    }
    layout = by_shape.get(shape)
    if layout is None or not _fits(layout, lines):
        return None
    return layout


def _fits(layout: Layout, lines: tuple[str, ...]) -> bool:
    """Whether ``lines`` have this format's shape, not merely its width.

    Zones of other layouts share the widths (the French identity card's two lines of 36, the
    Swiss driving licence's lines of 9, 30 and 30): they are refused rather than read as
    ICAO fields. A line much shorter than the format, or dates, check digits, sex and
    nationality holding characters no OCR slip explains, mean another layout.
    """
    short = [
        i for i, line in enumerate(lines)
        if i != layout.name_line and len(line) < MIN_LINE_SHARE * layout.width
    ]  # fmt: skip
    return (
        not short
        and _misfits(layout, [line.ljust(layout.width, cd.FILLER) for line in lines]) <= MAX_MISFITS
    )


def _misfits(layout: Layout, lines: list[str]) -> int:
    def text(span: Span) -> str:
        line, start, end = span
        return lines[line][start:end]

    digits = set("0123456789") | set(cd.LETTER_TO_DIGIT) | {cd.FILLER}
    checks = [layout.number_check, layout.birth_check, layout.expiry_check]
    checks += [s for s in (layout.optional_check, layout.composite) if s is not None]
    digit_text = text(layout.birth_date) + text(layout.expiry_date)
    digit_text += "".join(text(s) for s in checks)
    letters = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | set(cd.DIGIT_TO_LETTER) | {cd.FILLER}
    misfits = sum(c not in digits | cd.FILLER_LOOKALIKES for c in digit_text)
    misfits += sum(c not in letters for c in text(layout.nationality))
    dates = (text(layout.birth_date), text(layout.expiry_date))
    misfits += sum(MAX_MISFITS + 1 for d in dates if set(d) <= {cd.FILLER})  # no year at all
    return misfits + (text(layout.sex) not in ("M", "F", "X", cd.FILLER))
