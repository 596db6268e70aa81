"""ICAO 9303 check digits, the characters OCR reads instead of others, and which readings pass.

A check digit is the sum of the character values weighted 7, 3, 1 (repeating), modulo 10;
digits count as themselves, A-Z as 10-35 and the filler ``<`` as 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

FILLER = "<"
WEIGHTS = (7, 3, 1)
MAX_CHANGES = 2

# What OCR typically reads instead of each character (the filler chevron often as K or C).
LOOKALIKES = {"0": "ODQ", "1": "IL", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B",
              "O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "A": "4", "S": "5",
              "G": "6", "T": "7", "B": "8", FILLER: "KC"}  # fmt: skip
# The other way round: what a character OCR returned may really be.
TRUTHS = {
    read: "".join(t for t, reads in LOOKALIKES.items() if read in reads)
    for read in {c for reads in LOOKALIKES.values() for c in reads}
}
LETTER_TO_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "Z": "2",
                   "S": "5", "B": "8", "G": "6", "T": "7", "A": "4"}  # fmt: skip
DIGIT_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
NAME_GLYPHS = {"]": "J", "[": "I", "|": "I", "$": "S"}
FILLER_LOOKALIKES = frozenset("KC")


def char_value(char: str) -> int:
    """Value of one MRZ character; anything outside 0-9, A-Z and '<' counts as -1."""
    if char.isdigit() and char.isascii():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    return -1


def weighted_sum(data: str, offset: int = 0) -> int | None:
    """Sum of the weighted values of ``data`` starting at weight position ``offset``."""
    values = [char_value(c) for c in data]
    if any(v < 0 for v in values):
        return None
    return sum(v * WEIGHTS[(offset + i) % 3] for i, v in enumerate(values))


def compute(data: str) -> str | None:
    """The check digit of ``data``, or None when it holds a character MRZ forbids."""
    total = weighted_sum(data)
    return None if total is None else str(total % 10)


def is_valid(data: str, digit: str) -> bool:
    """Whether ``digit`` confirms ``data``; '<' stands for 0 only over an all-filler field."""
    if digit == FILLER:
        return set(data) <= {FILLER}
    return compute(data) == digit


def as_digits(text: str) -> str:
    """Read a digits-only field: letters OCR confuses with digits become those digits."""
    return "".join(LETTER_TO_DIGIT.get(c, c) for c in text)


def as_letters(text: str) -> str:
    """Read a letters-only field: digits OCR confuses with letters become those letters."""
    return "".join(DIGIT_TO_LETTER.get(c, NAME_GLYPHS.get(c, c)) for c in text)


def as_check_digit(char: str) -> str:
    """A check-digit position holds a digit, or '<' (read as K or C) over an empty field."""
    if char == FILLER or char in FILLER_LOOKALIKES:
        return FILLER
    return as_digits(char)


def fillers_restored(text: str) -> str:
    """K or C standing alone after a filler (before another or at the end) is a filler.

    Where fillers pad a field, a lone K or C between them is the chevron misread: K even
    weighs 20, which no check digit can tell from the filler's 0.
    """
    chars = list(text)
    for i, char in enumerate(chars):
        after = chars[i + 1] if i + 1 < len(chars) else FILLER
        if char in FILLER_LOOKALIKES and i > 0 and chars[i - 1] == FILLER and after == FILLER:
            chars[i] = FILLER
    return "".join(chars)


def readings(text: str, weights: Sequence[int], residue: int) -> list[str]:
    """Every reading of ``text`` within two look-alike changes whose weighted sum is ``residue``.

    ``weights`` are the weights of the characters of ``text`` inside the checked data and
    ``residue`` what their weighted sum must be modulo 10 for the check digit to pass. The
    reading as OCR returned it comes alone when it passes; otherwise every passing reading
    comes, so that a caller can tell a confirmed repair (exactly one) from an ambiguous read.
    """
    values = [char_value(c) for c in text]
    if any(v < 0 for v in values):
        return []
    base = sum(v * w for v, w in zip(values, weights, strict=True))
    if base % 10 == residue:
        return [text]
    need = (residue - base) % 10
    options = [
        (i, truth, weights[i] * (char_value(truth) - values[i]))
        for i, char in enumerate(text)
        for truth in TRUTHS.get(char, "")
    ]
    found: dict[str, None] = {}
    for count in range(1, MAX_CHANGES + 1):
        for combo in itertools.combinations(options, count):
            positions = {i for i, _, _ in combo}
            if len(positions) == count and sum(d for _, _, d in combo) % 10 == need:
                chars = list(text)
                for i, truth, _ in combo:
                    chars[i] = truth
                found["".join(chars)] = None
    return list(found)
