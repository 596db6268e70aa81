"""The service's log lines go to the stderr of the moment, even after a command swapped it."""

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from trust_lesson.logs import configure_logging


@pytest.fixture
def service_logger() -> Iterator[logging.Logger]:
    logger, root = logging.getLogger("trust_lesson"), logging.getLogger()
    saved = (logger.handlers[:], logger.level, logger.propagate, root.handlers[:])
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]
    root.handlers[:] = saved[3]


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


def test_other_libraries_records_are_formatted_lines_too(
    service_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    configure_logging(json_lines=True)

    logging.getLogger("uvicorn.error").error("Exception in ASGI application\nsecond line")

    [line] = stderr.getvalue().splitlines()
    assert json.loads(line)["logger"] == "uvicorn.error"
