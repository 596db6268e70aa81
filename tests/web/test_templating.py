"""Words on pages: a count and its noun agree."""

import pytest

from trust_lesson.web.templating import counted


@pytest.mark.parametrize(
    ("number", "words"), [(0, "0 checks"), (1, "1 check"), (2, "2 checks"), (201, "201 checks")]
)
def test_a_count_and_its_noun_agree(number: int, words: str) -> None:
    assert counted(number, "check") == words
