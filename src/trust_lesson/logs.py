"""Structured JSON logs in UTC with the request id; values can never forge a log line (R20).

Both formats carry the same facts: the message, the request id and the event's fields (who,
from where). Whatever reaches a log line passes `redact` last: password hashes, session-token
digests and the values a database quotes in its errors ("Key (email)=(...)") are blanked, in
case an exception message carries them (the engine already hides SQL parameters).
"""

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
client_address_var: ContextVar[str | None] = ContextVar("client_address", default=None)
"""The address of the request's client (as the ASGI server saw it), for the evidence log."""

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_SECRETS = (
    (re.compile(r"\$argon2(?:id|i|d)\$[^\s'\",)\]]*"), "[password hash]"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "[digest]"),
    (re.compile(r"(Key \([^)]*\))=\((?:[^()]|\([^()]*\))*\)"), r"\1=(...)"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RESERVED}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=True))


class PlainFormatter(logging.Formatter):
    """Readable lines for a person at a terminal; newlines in values are escaped."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        message = f"{record.getMessage()} {fields}".rstrip()
        rid = request_id_var.get()
        prefix = f"{datetime.fromtimestamp(record.created, UTC):%H:%M:%S} {record.levelname:<7}"
        line = f"{prefix} {_one_line(message)}" + (f" [{rid}]" if rid else "")
        if record.exc_info:
            line += " | " + _one_line(self.formatException(record.exc_info))
        return redact(line)


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is logged, not when logging was set up.

    A command run inside another program (a test's CLI runner, an embedding tool) swaps
    sys.stderr for a while; a handler holding the swapped stream would write to a closed file.
    """

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(*, json_lines: bool, level: int = logging.INFO) -> None:
    """Our loggers at ``level``; every other library's (uvicorn's "Exception in ASGI
    application", SQLAlchemy, the worker's queue) at the root's WARNING through the same
    handler, so each of their records is one formatted, redacted line too (R20)."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if json_lines else PlainFormatter())
    ours = logging.getLogger("trust_lesson")
    ours.handlers[:] = [handler]
    ours.setLevel(level)
    ours.propagate = False
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, StderrHandler)] + [handler]
