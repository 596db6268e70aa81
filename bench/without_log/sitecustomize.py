"""Loaded only by the service processes of the capacity bench's `*-without-log` setups (their
PYTHONPATH): the same code with the evidence append replaced by nothing, so a run measures
what the log costs a whole running service against a baseline of the same run."""

from typing import Any

from trust_lesson.evidence import events


async def _no_entry(*args: Any, **kwargs: Any) -> None:
    """No evidence entry."""


events.append = _no_entry  # type: ignore[assignment]
