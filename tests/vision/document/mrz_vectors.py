"""MRZ test vectors written from ICAO 9303 parts 4-6 and from other MRZ projects' published cases.

Check digits were computed by the 7-3-1 rule when the vectors were written; a test that
parses them checks our reading, not the arithmetic that made them.
"""

import itertools
from collections.abc import Iterator

# ICAO 9303-5 TD1 with an extended document number: D23145890734, check digit 9 after it.
TD1_EXTENDED = ("I<UTOD23145890<7349<<<<<<<<<<<",
                "3407127M9507122UTO<<<<<<<<<<<2",
                "STEVENSON<<PETER<JOHN<<<<<<<<<")  # fmt: skip
# ICAO 9303-6 TD2: the same number continues in the optional data of line 2.
TD2_EXTENDED = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                "D23145890<UTO7408122F12041597349<<<2")  # fmt: skip
# Belgian-style card: 592123457781, its digit computed over 592123457<781 (6; ICAO's form
# gives 4); line 2 carries the national register number as optional data.
TD1_BELGIAN = ("IDBEL592123457<7816<<<<<<<<<<<",
               "8501019F3012316BEL850101123456",
               "SPECIMEN<<ANNA<<<<<<<<<<<<<<<<")  # fmt: skip
# Portuguese-style card: 012345678ZZ4, its digit computed over 012345678<ZZ4 (2; ICAO's 8).
TD1_PORTUGUESE = ("I<PRT012345678<ZZ42<<<<<<<<<<<",
                  "8501019F3012316PRT<<<<<<<<<<<2",
                  "SPECIMEN<<ANA<MARIA<<<<<<<<<<<")  # fmt: skip
# TD1 with optional data on both lines, fillers inside them.
TD1_OPTIONAL = ("I<UTOD23145890712<34<56<<<<<<<",
                "7408122F1204159UTOAB<12<<<<<<1",
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")  # fmt: skip
# Latvian identity card as published by the `mrz` Python project's examples.
TD1_LATVIAN = ("I<LVAPA99929216121282<88882<<<",
               "8212122M1703054LVA<<<<<<<<<<<0",
               "PARAUDZINS<<ANDRIS<<<<<<<<<<<<")  # fmt: skip
# ICAO 9303-3: a holder with no primary identifier (surname).
TD3_NO_SURNAME = ("P<UTO<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                  "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<8")  # fmt: skip
UTO_TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
           "L898902C36UTO7408122F1204159ZE184226B<<<<<10")  # fmt: skip

# Not ICAO layouts, though they share its widths.
FRENCH_ID = ("IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<",
             "8806923102858CORINNE<<<<<<<6512068F6")  # fmt: skip
SWISS_DRIVING_LICENCE = ("AAA001D<<",
                         "FACHE305142128097<<800126<<<<<",
                         "MARCHAND<<FABIENNE<<<<<<<<<<<<")  # fmt: skip

VALID_ZONES = (TD1_EXTENDED, TD2_EXTENDED, TD1_BELGIAN, TD1_PORTUGUESE, TD1_OPTIONAL,
               TD1_LATVIAN, TD3_NO_SURNAME, UTO_TD3)  # fmt: skip

# What OCR reads instead of a character, as the repair measurement changes zones (written
# independently of the parser's own table, so the measurement can catch a gap in it).
OCR_READS = {"0": "ODQ", "1": "IL", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B",
             "O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "A": "4", "S": "5",
             "G": "6", "T": "7", "B": "8", "<": "KC"}  # fmt: skip


def ocr_changes(zone: tuple[str, ...], count: int) -> Iterator[tuple[str, ...]]:
    """Every reading of ``zone`` with ``count`` characters replaced by an OCR look-alike."""
    text = "\n".join(zone)
    spots = [i for i, c in enumerate(text) if c in OCR_READS]
    for positions in itertools.combinations(spots, count):
        for picked in itertools.product(*(OCR_READS[text[i]] for i in positions)):
            chars = list(text)
            for i, c in zip(positions, picked, strict=True):
                chars[i] = c
            yield tuple("".join(chars).split("\n"))
