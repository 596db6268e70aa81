"""A liveness check's burst as a reviewer reads it: what the student was asked, in words, and
every frame in order with the yaw and the faces the worker measured.

A capture is a burst when its challenge asked for a head turn (``Challenge.liveness``); its
frames are ``Capture.frame_keys`` (None once retention purged them) and the worker's figures
``Capture.scores["liveness"]`` (written by ``presence.burst_verdict``; absent while the burst
is analysed, or when it was settled before any face was measured).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import NotFound
from trust_lesson.models import Capture, Challenge
from trust_lesson.presence.verdicts import TurnDirection

FRAME_SIZE = (640, 480)
"""The room's frames; the picture's own size is used once the worker has measured it."""


@dataclass(frozen=True, slots=True)
class BurstFrame:
    number: int
    """1-based, in the order the frames were taken."""
    yaw: float | None
    faces: int | None

    @property
    def yaw_words(self) -> str:
        if self.yaw is not None:
            return f"{self.yaw:+.2f}"
        return "no face" if self.faces == 0 else "not measured"

    @property
    def faces_words(self) -> str:
        if self.faces is None:
            return "faces not counted"
        return f"{self.faces} face" if self.faces == 1 else f"{self.faces} faces"


@dataclass(frozen=True, slots=True)
class BurstStep:
    """One step of a two-step turn: its side, how far it turned, the frame where it was done."""

    side: str
    turn: float | None
    done_at_frame: int | None


@dataclass(frozen=True, slots=True)
class Burst:
    direction: TurnDirection
    """What the challenge asked: one side, or two in order."""
    kept: bool
    frames: tuple[BurstFrame, ...]
    turn: float | None
    steps: tuple[BurstStep, ...]
    width: int
    height: int

    @property
    def asked(self) -> str:
        return asked_in_words(self.direction)


def asked_in_words(direction: TurnDirection) -> str:
    """``turn the head to their left``; ``... to their left, then to their right`` for a
    two-step, as the student sees it (the frames are not mirrored)."""
    sides = (f"to their {side.value.lower()}" for side in direction.steps)
    return "turn the head " + ", then ".join(sides)


async def burst_of(*, db: AsyncSession, capture: Capture) -> Burst | None:
    """The burst answering a liveness check; None for an ordinary check (one picture)."""
    challenge = await db.get_one(Challenge, capture.challenge_id)
    if challenge.liveness is None:
        return None
    return _read(capture, challenge.liveness)


def frame_key(*, capture: Capture, burst: Burst | None, number: int) -> str | None:
    """The stored frame ``number`` (1-based), None once purged; 404 outside the burst."""
    if burst is None:
        raise NotFound("This check was answered with one picture, not a burst of frames.")
    if capture.frame_keys is None:
        return None
    if not 1 <= number <= len(capture.frame_keys):
        raise NotFound(
            f"This burst has frames 1 to {len(capture.frame_keys)}; there is no frame {number}."
        )
    return capture.frame_keys[number - 1]


def _read(capture: Capture, direction: TurnDirection) -> Burst:
    scores: dict[str, Any] = capture.scores or {}
    measured: dict[str, Any] = scores.get("liveness") or {}
    yaws: list[Any] = measured.get("yaw") or []
    faces: list[Any] = measured.get("faces") or []
    count = len(capture.frame_keys) if capture.frame_keys is not None else len(yaws)
    return Burst(
        direction=direction,
        kept=capture.frame_keys is not None,
        frames=tuple(BurstFrame(n + 1, _at(yaws, n), _at(faces, n)) for n in range(count)),
        turn=measured.get("turn"),
        steps=tuple(
            BurstStep(step["side"], step.get("turn"), step.get("done_at_frame"))
            for step in measured.get("steps") or []
        ),
        width=int(scores.get("width") or FRAME_SIZE[0]),
        height=int(scores.get("height") or FRAME_SIZE[1]),
    )


def _at(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None
