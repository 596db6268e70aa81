"""Simulated students of the capacity bench: asyncio tasks over one aiohttp session (loopback
only; aiohttp costs the machine about a third of httpx's CPU per request, and the clients
share the service's two cores).

Each student joins the lesson at a random moment of the join window, then behaves as the
lesson room does: waits for its next challenge with the held request
(``challenges/next?wait=hold_s``: the server answers when one is issued, never saying when),
and answers a due challenge at once with a fresh 640x480 JPEG of its person, or, when the
challenge is a liveness check, with a fresh five-frame burst of its person turning the head to
the side asked, or for an ordered two-step a fresh eight-frame burst turning to one side and then
to the other in the order asked (repeated `frames` parts). Every request is
bounded by the step's end (a held one waits no longer than the time left); nothing runs after.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx

API = "/api/v1"


@dataclass
class SimStudent:
    user_id: int
    token: str
    frames: tuple[bytes, ...]
    """Fresh frames of the student's person, sent in order (none is a copy of another)."""
    bursts: dict[str, tuple[tuple[bytes, ...], ...]]
    """The liveness challenge's direction (LEFT, RIGHT; LEFT_THEN_RIGHT, RIGHT_THEN_LEFT) ->
    fresh bursts of the person turning that way, sent in order."""
    sent: int = 0
    bursts_sent: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tally:
    """What the clients saw during a step."""

    statuses: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    upload_ms: list[float] = field(default_factory=list)
    capture_ids: list[int] = field(default_factory=list)
    bursts: int = 0
    """Liveness checks answered (with a 202)."""
    cpu_samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    """(seconds into the step, CPU seconds so far per process), every few seconds."""

    def count(self, kind: str, status: str) -> None:
        self.by_kind[kind] += 1
        self.statuses[f"{kind} {status}"] += 1

    @property
    def errors(self) -> dict[str, int]:
        return {
            key: n for key, n in self.statuses.items() if not key.endswith((" 200", " 202")) and n
        }


@dataclass
class Step:
    lesson_id: int
    students: list[SimStudent]
    join_window_s: float
    stop_at: float
    """``time.monotonic()`` at which every student stops."""
    hold_s: int
    """How long the server may hold a `challenges/next` (60 s in the room, divided by speedup)."""
    tally: Tally = field(default_factory=Tally)


def student_session(base_url: str, students: int) -> aiohttp.ClientSession:
    """One connection per student (each holds one while the server holds its request), idle
    ones dropped after 2 s, before uvicorn's 5 s keep-alive ends, as browsers do, so a
    request never races the server closing its connection."""
    connector = aiohttp.TCPConnector(limit=students + 50, keepalive_timeout=2)
    return aiohttp.ClientSession(
        base_url=base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=90)
    )


async def run_step(http: aiohttp.ClientSession, step: Step, rng: random.Random) -> Tally:
    started = time.monotonic()
    joins = [started + rng.uniform(0, step.join_window_s) for _ in step.students]
    await asyncio.gather(
        *(student_life(http, step, s, at) for s, at in zip(step.students, joins, strict=True))
    )
    return step.tally


async def student_life(
    http: aiohttp.ClientSession, step: Step, student: SimStudent, join_at: float
) -> None:
    await asyncio.sleep(max(0.0, join_at - time.monotonic()))
    url = f"{API}/lessons/{step.lesson_id}"
    answer = await call(http, step, "join", "POST", f"{url}/join", student)
    seen: set[int] = set()
    while time.monotonic() < step.stop_at:
        challenge = None if answer is None else answer.get("challenge")
        if challenge is not None and challenge["id"] not in seen:
            seen.add(challenge["id"])
            await upload(http, step, student, challenge)
        elif answer is None or challenge is not None or answer["next_poll_after"] is None:
            await asyncio.sleep(max(0.0, min(_pause(answer), step.stop_at - time.monotonic())))
        hold = min(step.hold_s, math.floor(step.stop_at - time.monotonic()))
        if hold < 1:
            return
        next_url = f"{url}/challenges/next?wait={hold}"
        answer = await call(http, step, "next", "GET", next_url, student)


def _pause(answer: dict[str, Any] | None) -> float:
    """After an error 5 s; a challenge already answered (or refused): until its deadline."""
    poll_after = None if answer is None else answer.get("next_poll_after")
    if poll_after is None:
        return 5.0
    left = (datetime.fromisoformat(poll_after) - datetime.now(UTC)).total_seconds()
    return max(0.05, min(left, 5.0))


async def call(
    http: aiohttp.ClientSession,
    step: Step,
    kind: str,
    method: str,
    url: str,
    student: SimStudent,
) -> dict[str, Any] | None:
    try:
        async with http.request(method, url, headers=student.headers) as answer:
            step.tally.count(kind, str(answer.status))
            found: dict[str, Any] = await answer.json() if answer.status == 200 else None
            return found
    except (aiohttp.ClientError, TimeoutError) as error:
        step.tally.count(kind, type(error).__name__)
        return None


async def upload(
    http: aiohttp.ClientSession, step: Step, student: SimStudent, challenge: dict[str, Any]
) -> None:
    form = aiohttp.FormData()
    form.add_field("challenge_id", str(challenge["id"]))
    form.add_field("nonce", challenge["nonce"])
    pictures = _answer(student, challenge.get("liveness"))
    for name, filename, picture in pictures:
        form.add_field(name, picture, filename=filename, content_type="image/jpeg")
    sent = time.perf_counter()
    try:
        async with http.post(
            f"{API}/lessons/{step.lesson_id}/captures", data=form, headers=student.headers
        ) as answer:
            status = answer.status
            body = await answer.json() if status == 202 else None
    except (aiohttp.ClientError, TimeoutError) as error:
        step.tally.count("upload", type(error).__name__)
        return
    step.tally.upload_ms.append((time.perf_counter() - sent) * 1000)
    step.tally.count("upload", str(status))
    if body is not None:
        step.tally.capture_ids.append(int(body["capture_id"]))
        step.tally.bursts += int(len(pictures) > 1)


def _answer(student: SimStudent, liveness: dict[str, str] | None) -> list[tuple[str, str, bytes]]:
    """One `image` for an ordinary check; a burst of `frames` for a liveness check, the one
    turning the way its direction asks (one side, or two in order)."""
    if liveness is None:
        frame = student.frames[student.sent % len(student.frames)]
        student.sent += 1
        return [("image", "frame.jpg", frame)]
    bursts = student.bursts[liveness["direction"]]
    burst = bursts[student.bursts_sent % len(bursts)]
    student.bursts_sent += 1
    return [("frames", f"frame{n}.jpg", f) for n, f in enumerate(burst)]


async def health_rps(base_url: str, seconds: float = 5.0, clients: int = 20) -> float:
    """Baseline: GET /health as fast as `clients` connections go for `seconds`."""
    done = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def loop(http: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            if (await http.get("/health")).status_code == 200:
                done += 1

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        started = time.monotonic()
        await asyncio.gather(*(loop(http) for _ in range(clients)))
        return done / (time.monotonic() - started)
