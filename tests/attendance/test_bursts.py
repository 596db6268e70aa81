"""What a head-turn check asked, in the words a reviewer reads, for one side or a two-step."""

import pytest

from trust_lesson.attendance.bursts import asked_in_words
from trust_lesson.presence.verdicts import TurnDirection


@pytest.mark.parametrize(
    ("direction", "words"),
    [
        ("LEFT", "turn the head to their left"),
        ("RIGHT", "turn the head to their right"),
        ("LEFT_THEN_RIGHT", "turn the head to their left, then to their right"),
        ("RIGHT_THEN_LEFT", "turn the head to their right, then to their left"),
    ],
)
def test_the_asked_turn_reads_as_words(direction: str, words: str) -> None:
    assert asked_in_words(TurnDirection(direction)) == words
