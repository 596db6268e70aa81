"""ICAO 9303 check digits and the OCR-confusion repair they can confirm.

A check digit is the sum of the character values weighted 7, 3, 1 (repeating), modulo 10;
digits count as themselves, A-Z as 10-35 and the filler ``<`` as 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

FILLER = "<"
_WEIGHTS = (7, 3, 1)

# What OCR typically reads instead of a digit, and instead of a letter.
LETTER_TO_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "Z": "2",
                   "S": "5", "B": "8", "G": "6", "T": "7", "A": "4"}  # fmt: skip
DIGIT_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
# Only the strongest confusions are tried where both letters and digits are allowed.
STRONG_CONFUSIONS = {"O": "0", "D": "0", "Q": "0", "I": "1", "Z": "2", "S": "5", "B": "8",
                     "0": "O", "1": "I", "2": "Z", "5": "S", "8": "B"}  # fmt: skip
NAME_GLYPHS = {"]": "J", "[": "I", "|": "I", "$": "S"}
FILLER_LOOKALIKES = frozenset("KC")
MAX_CHANGES = 2

Confirms = Callable[[str], bool]


def char_value(char: str) -> int:
    """Value of one MRZ character; anything outside 0-9, A-Z and '<' counts as -1."""
    if char.isdigit() and char.isascii():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    return -1


def compute(data: str) -> str | None:
    """The check digit of ``data``, or None when it holds a character MRZ forbids."""
    values = [char_value(c) for c in data]
    if any(v < 0 for v in values):
        return None
    total = sum(v * _WEIGHTS[i % 3] for i, v in enumerate(values))
    return str(total % 10)


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
    """A check-digit position holds a digit (or '<' over an empty optional field)."""
    return char if char == FILLER else as_digits(char)


def _alternatives(text: str, index: int) -> tuple[str, ...]:
    """Readings worth trying for ``text[index]`` in an alphanumeric field.

    Only characters that look wrong in their place are questioned: a letter OCR confuses
    with a digit standing between two digits, and anything inside a run of fillers or in
    the filler tail. (A digit between letters is left alone: numbers such as D8CD50338 mix
    them freely.) A check digit alone is a 1-in-10 test,
    so questioning every character would let chance "confirm" wrong readings.
    """
    char = text[index]
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    options = [char]
    in_digits = before.isdigit() and after.isdigit()
    if char.isalpha() and char in STRONG_CONFUSIONS and in_digits:
        options.append(STRONG_CONFUSIONS[char])
    in_fillers = before in (FILLER, "") and after == FILLER
    tail = bool(before) and set(text[index + 1 :]) <= {FILLER} and before == FILLER
    if char != FILLER and (in_fillers or tail or (char in FILLER_LOOKALIKES and not after)):
        options.append(FILLER)
    return tuple(dict.fromkeys(options))


def repair_alphanumeric(text: str, confirms: Confirms) -> str | None:
    """The single least-changed reading of ``text`` that ``confirms`` accepts, else None.

    Only confusions in the tables above are tried. When two readings with the same number of
    changes are both accepted, the check digit cannot tell them apart and nothing is repaired.
    """
    if confirms(text):
        return text
    choices = [_alternatives(text, i) for i in range(len(text))]
    ambiguous = [i for i, c in enumerate(choices) if len(c) > 1]
    for changes in range(1, min(len(ambiguous), MAX_CHANGES) + 1):
        accepted = {
            candidate
            for positions in itertools.combinations(ambiguous, changes)
            for candidate in _variants(text, positions, choices)
            if confirms(candidate)
        }
        if len(accepted) == 1:
            return accepted.pop()
        if accepted:
            return None
    return None


def _variants(text: str, positions: Iterable[int], choices: list[tuple[str, ...]]) -> list[str]:
    positions = list(positions)
    swaps = [[c for c in choices[i] if c != text[i]] for i in positions]
    variants = []
    for picked in itertools.product(*swaps):
        chars = list(text)
        for i, char in zip(positions, picked, strict=True):
            chars[i] = char
        variants.append("".join(chars))
    return variants
