"""Clean OCR text into MRZ characters and judge whether a line looks like MRZ."""

from __future__ import annotations

import re
import unicodedata

# Glyphs OCR engines return for the filler chevron '<' (and '«' for two of them).
_FILLER_GLYPHS = str.maketrans(
    {
        "\u00ab": "<<",  # left-pointing double angle quotation mark
        "\u300a": "<<",  # left double angle bracket
        "\u226a": "<<",  # much less-than
        "\u2039": "<",  # single left-pointing angle quotation mark
        "\u3008": "<",  # left angle bracket
        "\uff1c": "<",  # fullwidth less-than sign
        "\u304f": "<",  # hiragana ku, which a CJK recogniser picks for a chevron
    }
)
_MRZ_CHARS = re.compile(r"[^A-Z0-9<]")


def normalize_line(text: str) -> str:
    """Upper-case, chevron look-alikes as '<', accents dropped (Ñ -> N), spaces removed.

    Characters that cannot be MRZ after that (punctuation) are kept out only when they are
    spaces; others stay so that check digits fail honestly instead of shifting positions.
    """
    text = text.translate(_FILLER_GLYPHS).upper().replace(" ", "")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mrz_char_share(text: str) -> float:
    """Share of characters that are valid MRZ characters after normalisation."""
    clean = normalize_line(text)
    if not clean:
        return 0.0
    return 1 - len(_MRZ_CHARS.findall(clean)) / len(clean)
