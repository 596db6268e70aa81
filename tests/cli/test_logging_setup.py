"""The service's log lines go to the stderr of the moment, even after a command swapped it."""

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from trust_lesson.logs import configure_logging


@pytest.fixture
def service_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("trust_lesson")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def test_a_line_logged_after_a_command_closed_its_stderr_still_reaches_stderr(
    service_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    during_the_command = io.StringIO()
    monkeypatch.setattr(sys, "stderr", during_the_command)
    configure_logging(json_lines=False)
    during_the_command.close()
    afterwards = io.StringIO()
    monkeypatch.setattr(sys, "stderr", afterwards)

    service_logger.info("lesson %s stopped", 7)

    assert "lesson 7 stopped" in afterwards.getvalue()
    assert "Logging error" not in afterwards.getvalue()
