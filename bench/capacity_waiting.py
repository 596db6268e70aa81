"""The cost of students waiting for a check: the held request against a fixed 10 s poll.

The simulated students join a lesson of a course whose policy puts no check in the measured
window (the entry check, issued at join, is left to run out; re-checks come no sooner than
30 minutes later), then wait for their next check for ``seconds``: first with the held
request (`challenges/next?wait=hold_s`), then asking every 10 s without `wait` (the other
answer that reveals nothing). As in the ramp, each simulated student stands for ``speedup``
students: held at most 60/speedup s, or asking every 10/speedup s, over the ramp's aiohttp
session (one connection per student; with httpx the students sent only 44-47 of the 83 held
requests a second asked, with `serve` at a fifth of a core: the client was the limit).
Figures: requests/s and the CPU of the API process (its share of one core), and of the whole
machine.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx

from capacity_report import machine_busy_seconds, own_cpu_seconds
from capacity_setup import API, Running, start_lesson
from capacity_sim import SimStudent, student_session

QUIET_POLICY = {
    "entry_tolerance_min": 60,
    "recheck_mean_interval_min": 60,
    "recheck_min_gap_min": 30,
    "answer_deadline_s": 5,
    "end_check_lead_min": 5,
}
POLL_EVERY_S = 10.0
HELD_S = 60.0


@dataclass(frozen=True)
class WaitingResult:
    setup: str
    way: str
    students: int
    simulated: int
    seconds: float
    requests: int
    asked_per_s: float
    """what the students ask for: one request per hold, or per poll interval, each"""
    serve_cpu_s: float
    machine_cpu_s: float
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds

    def summary(self) -> str:
        core = 100 * self.serve_cpu_s / self.seconds
        per_request = 1000 * self.serve_cpu_s / max(1, self.requests)
        return (
            f"{self.setup:<22} {self.way:<16} {self.students:>6} {self.simulated:>5}"
            f" {self.asked_per_s:>7.1f} {self.requests_per_s:>7.1f} {core:>8.1f} %"
            f" {per_request:>7.1f} {100 * self.machine_cpu_s / self.seconds:>8.1f} %"
            f" {sum(self.errors.values()):>6} {dict(self.errors) or ''}"
        )


HEADER = (
    f"{'setup':<22} {'waiting by':<16} {'students':>6} {'sim':>5} {'asked/s':>7} {'req/s':>7}"
    f" {'API CPU':>10} {'ms/req':>7} {'machine':>10} {'errors':>6}"
)


async def quiet_term(http: httpx.AsyncClient, instructor: str, emails: list[str]) -> int:
    """A course whose checks leave the measured window alone, every student enrolled."""
    headers = {"Authorization": f"Bearer {instructor}"}
    course = (await http.post(f"{API}/courses", json={"name": "Waiting"}, headers=headers)).json()
    url = f"{API}/courses/{course['id']}/policy"
    (await http.put(url, json=QUIET_POLICY, headers=headers)).raise_for_status()
    term = (await http.post(f"{API}/courses/{course['id']}/terms", json={}, headers=headers)).json()
    gate = asyncio.Semaphore(8)

    async def enrol(email: str) -> None:  # instructors enrol by email (issue 8/9)
        async with gate:
            body = {"email": email, "role": "STUDENT"}
            answer = await http.post(
                f"{API}/terms/{term['id']}/members", json=body, headers=headers
            )
            answer.raise_for_status()

    await asyncio.gather(*(enrol(email) for email in emails))
    return int(term["id"])


async def measure(
    running: Running,
    setup: str,
    instructor: str,
    term_id: int,
    students: list[SimStudent],
    *,
    seconds: float,
    speedup: float,
) -> list[WaitingResult]:
    """Held requests, then the fixed poll, each for ``seconds``, in one lesson."""
    async with httpx.AsyncClient(base_url=running.base_url, timeout=90) as http:
        lesson_id = await start_lesson(http, instructor, term_id)
        url = f"{API}/lessons/{lesson_id}"
        async with student_session(running.base_url, len(students)) as sessions:
            await _join_all(sessions, url, students)
            await asyncio.sleep(QUIET_POLICY["answer_deadline_s"] + 1)  # entry checks run out
            results = []
            for way in ("held request", "poll every 10 s"):
                figures = await _one_way(sessions, running, url, students, way, seconds, speedup)
                results.append(WaitingResult(setup, way, **figures))
        await http.post(f"{url}/stop", headers={"Authorization": f"Bearer {instructor}"})
    return results


async def _join_all(http: aiohttp.ClientSession, url: str, students: list[SimStudent]) -> None:
    gate = asyncio.Semaphore(20)

    async def join(student: SimStudent) -> None:
        async with gate, http.post(f"{url}/join", headers=student.headers) as answer:
            answer.raise_for_status()

    await asyncio.gather(*(join(s) for s in students))


async def _one_way(
    http: aiohttp.ClientSession,
    running: Running,
    url: str,
    students: list[SimStudent],
    way: str,
    seconds: float,
    speedup: float,
) -> dict[str, Any]:
    held = way.startswith("held")
    stop_at = time.monotonic() + seconds
    requests = 0
    errors: Counter[str] = Counter()

    async def wait_for_checks(student: SimStudent, offset: float) -> None:
        nonlocal requests
        await asyncio.sleep(offset)  # spread out, as students who joined at different times
        while (left := stop_at - time.monotonic()) >= 1:
            started = time.monotonic()
            hold = min(round(HELD_S / speedup), int(left)) if held else 0
            next_url = f"{url}/challenges/next?wait={hold}"
            try:
                async with http.get(next_url, headers=student.headers) as answer:
                    if answer.status != 200:
                        errors[str(answer.status)] += 1
                    elif (await answer.json())["challenge"] is not None:
                        errors["a challenge"] += 1
            except (aiohttp.ClientError, TimeoutError) as error:
                errors[type(error).__name__] += 1
            requests += 1
            if not held:
                pause = POLL_EVERY_S / speedup - (time.monotonic() - started)
                await asyncio.sleep(max(0.0, min(pause, stop_at - time.monotonic())))

    serve_before, machine_before = own_cpu_seconds(running.pids["serve"]), machine_busy_seconds()
    spread = (HELD_S if held else POLL_EVERY_S) / speedup
    await asyncio.gather(
        *(wait_for_checks(s, spread * n / len(students)) for n, s in enumerate(students))
    )
    return {
        "students": round(len(students) * speedup),
        "simulated": len(students),
        "seconds": seconds,
        "requests": requests,
        "asked_per_s": len(students) / spread,
        "errors": errors,
        "serve_cpu_s": own_cpu_seconds(running.pids["serve"]) - serve_before,
        "machine_cpu_s": machine_busy_seconds() - machine_before,
    }
