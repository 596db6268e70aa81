"""Set-up of the capacity bench: the service processes, the school and the students' faces."""

from __future__ import annotations

import asyncio
import math
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.vision.bursts
from live_service import CLI, HOST, ended_by_sigterm, free_port, service_env
from live_service import scratch_postgres as scratch_postgres  # re-exported for capacity.py
from tests.vision.bursts import (
    OTHER_SIDE,
    SHIFTS,
    head_turn_pictures,
    mirrored,
    two_step_pictures,
)

from trust_lesson.demo.pictures import FrameMaker, Person, jpeg, testdata_dir, webcam_frame
from trust_lesson.presence.verdicts import TWO_STEP_TURNS
from trust_lesson.vision import WEBCAM_FRAME, decode_image
from trust_lesson.vision.faces import largest_face_embedding
from trust_lesson.vision.replay import find_replay, picture_hash

PASSWORD = secrets.token_urlsafe(18)
API = "/api/v1"


@dataclass
class Running:
    base_url: str
    database_url: str
    env: dict[str, str]
    pids: dict[str, int]
    logs: list[Path]


@contextmanager
def services(
    data_dir: Path,
    *,
    database_url: str | None,
    redis_url: str | None,
    extra_env: dict[str, str],
    worker_processes: int,
) -> Iterator[Running]:
    """`trust-lesson serve` on 127.0.0.1 and, when ``worker_processes``, a separate
    `trust-lesson worker` (its queue: Redis, or the SQLite file in the data dir)."""
    env = service_env(data_dir, database_url=database_url, redis_url=redis_url) | extra_env
    port = free_port()
    commands = {"serve": [str(CLI), "serve", "--host", HOST, "--port", str(port)]}
    if worker_processes:
        commands["worker"] = [str(CLI), "worker", "--workers", str(worker_processes)]
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = []
    try:
        with ended_by_sigterm():
            for role, command in commands.items():
                log = data_dir.parent / f"{role}.log"
                logs.append(log)
                with log.open("wb") as out:
                    processes[role] = subprocess.Popen(
                        command, env=env, stdout=out, stderr=subprocess.STDOUT
                    )
                if role == "serve":
                    _wait_until_up(f"http://{HOST}:{port}", processes[role], log)
            url = database_url or f"sqlite+aiosqlite:///{(data_dir / 'trust_lesson.db').resolve()}"
            pids = {role: process.pid for role, process in processes.items()}
            yield Running(f"http://{HOST}:{port}", url, env, pids, logs)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not start within 120 s")


def create_admin(env: dict[str, str], email: str) -> None:
    command = [str(CLI), "create-user", "--email", email, "--full-name", "Bench Admin"]
    command += ["--role", "ADMIN", "--password", PASSWORD]
    subprocess.run(command, env=env, check=True, capture_output=True)


def bench_policy(speedup: float, liveness: str, two_step: bool) -> dict[str, float | str | bool]:
    """PRODUCT.md's policy with every interval divided by ``speedup`` (entry tolerance long).

    ``liveness``: which checks are liveness checks (the policy's default: the entry check and
    one random check, each answered with a burst of five frames of a head turn); ``two_step``:
    each of them asks for an ordered two-step instead (eight frames; the default: off)."""
    gap_min = 3 / speedup
    deadline_s = min(60.0, round(gap_min * 60 * 0.8, 1))
    return {
        "entry_tolerance_min": 60,
        "recheck_mean_interval_min": 10 / speedup,
        "recheck_min_gap_min": gap_min,
        "answer_deadline_s": deadline_s,
        "end_check_lead_min": max(5 / speedup, math.ceil(deadline_s + 1) / 60),
        "liveness_checks": liveness,
        "liveness_two_step": two_step,
    }


# --- people and their frames -------------------------------------------------------------


TURNING_PEOPLE = (
    ("kit_harington", "face_recognition/kit_harington_1.jpeg", "face_recognition/kit_harington_2.jpeg", "RIGHT"),  # noqa: E501
    ("conchita_martinez", "lfw/Conchita_Martinez_0001.jpg", "lfw/Conchita_Martinez_0003.jpg", "LEFT"),  # noqa: E501
    ("king_abdullah_ii", "lfw/King_Abdullah_II_0001.jpg", "lfw/King_Abdullah_II_0005.jpg", "LEFT"),
)  # fmt: skip
"""People of ../shared/testdata/face_verification with a frontal photo and a photo turned to a
side read by eye (the pairs of tests/vision/test_liveness.py; tests/vision/bursts.py)."""


@dataclass(frozen=True)
class Face:
    person: Person
    embeddings: tuple[np.ndarray, ...]
    frames: tuple[bytes, ...]
    """Fresh frames of the frontal photo, one per ordinary check."""
    bursts: dict[str, tuple[tuple[bytes, ...], ...]]
    """The challenge's direction -> fresh bursts answering it, sent in order: five frames of a
    head turn to LEFT / RIGHT (the student's own side), and with ``two_step`` eight frames of
    an ordered two-step for LEFT_THEN_RIGHT / RIGHT_THEN_LEFT."""


def faces(frames_each: int, bursts_each: int, *, two_step: bool = False) -> list[Face]:
    """The turning people, with fresh frames and bursts to each side (and in each order)."""
    folder = testdata_dir() / "face_verification"
    return [
        _face(folder, row, frames_each, bursts_each, seed, two_step=two_step)
        for seed, row in enumerate(TURNING_PEOPLE)
    ]


def _face(
    folder: Path,
    row: tuple[str, str, str, str],
    frames_each: int,
    bursts_each: int,
    seed: int,
    *,
    two_step: bool,
) -> Face:
    name, frontal_file, turned_file, side = row
    frontal, turned = (decode_image((folder / f).read_bytes()).rgb for f in row[1:3])
    embedding = largest_face_embedding(frontal)
    if embedding is None:
        raise RuntimeError(f"no face found in {frontal_file}")
    person = Person(name=name, source=f"{frontal_file}, {turned_file}", photos=(frontal,))
    maker = FrameMaker(person, seed=seed)
    photos = (frontal, turned)
    seen: list[str] = []  # what the server will have seen of the person: nothing repeats it
    one_side = _both_ways(head_turn_pictures, photos, seed * 10_000, bursts_each, seen)
    bursts = dict(zip((side, OTHER_SIDE[side]), one_side, strict=True))
    frames = _fresh_frames(maker, frames_each, seen)
    if two_step:
        orders = [_starting_to(side), _starting_to(OTHER_SIDE[side])]
        made = _both_ways(two_step_pictures, photos, seed * 10_000 + 2_500, bursts_each, seen)
        bursts |= dict(zip(orders, made, strict=True))
    return Face(person, (embedding,), frames, bursts)


def _fresh_frames(maker: FrameMaker, count: int, seen: list[str]) -> tuple[bytes, ...]:
    """``count`` frames of ``maker``, each new to ``seen`` (the person's bursts and the frames
    before it): a student sends them in turn, and the server compares each picture with the
    student's earlier ones."""
    made: list[bytes] = []
    while len(made) < count:
        frame = maker.next_jpeg()
        if _new_to(seen, frame):
            made.append(frame)
    return tuple(made)


def _starting_to(side: str) -> str:
    """The two-step whose first step is to ``side``."""
    return next(turn.value for turn in TWO_STEP_TURNS if turn.steps[0].value == side)


Pictures = Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
Bursts = tuple[tuple[bytes, ...], ...]


def _both_ways(
    pictures: Pictures,
    photos: tuple[np.ndarray, np.ndarray],
    first_seed: int,
    count: int,
    seen: list[str],
) -> tuple[Bursts, Bursts]:
    """``count`` bursts of ``pictures`` made of the (frontal, turned) photos, and ``count``
    of their mirror images: the turn to the other side, or the two steps in the other order.
    A burst whose first frame the server would take for a copy or a mirror image of a
    picture in ``seen`` (hashes of the person's pictures made before, the earlier bursts'
    included) is left out and the next seed tried (the rendering only varies the photo's
    place, size, light and noise, so a near-symmetric face can come back mirrored)."""
    mirror = (mirrored(photos[0]), mirrored(photos[1]))
    return (
        _fresh(pictures(*photos), first_seed, count, seen),
        _fresh(pictures(*mirror), first_seed + 5_000, count, seen),
    )


def _fresh(pictures: list[np.ndarray], first_seed: int, count: int, seen: list[str]) -> Bursts:
    """``count`` bursts of ``pictures``, seeds from ``first_seed`` on, only those whose first
    frame copies none of ``seen`` (each one kept joins ``seen``)."""
    made: list[tuple[bytes, ...]] = []
    seed = first_seed
    while len(made) < count:
        burst = fresh_burst(pictures, seed)
        seed += 1
        if _new_to(seen, burst[0]):
            made.append(burst)
    return tuple(made)


def _new_to(seen: list[str], frame: bytes) -> bool:
    """Whether the server would take ``frame`` for a copy or a mirror image of none of the
    pictures hashed in ``seen``; if so, its hash joins them."""
    rgb = WEBCAM_FRAME.decode(frame).rgb
    current = picture_hash(rgb)
    if find_replay(rgb, seen, current_hash=current) is not None:
        return False
    seen.append(current)
    return True


def fresh_burst(pictures: list[np.ndarray], seed: int) -> tuple[bytes, ...]:
    """Unmirrored frames of a head turn as the room takes them (five over two seconds, or
    eight over 3.5 s for a two-step), the pictures in tests/vision/bursts.py's order, on a
    webcam frame placed, scaled and lit afresh for each burst (so no burst's first frame
    copies an earlier picture), each frame moved a few pixels (the hand-held head of
    tests/vision/bursts.py) with its own sensor noise."""
    frames, shifts = [], SHIFTS[: len(pictures)]
    for number, (photo, (dx, dy)) in enumerate(zip(pictures, shifts, strict=True)):
        rgb = np.roll(webcam_frame(photo, turn=seed, rng=random.Random(seed)), (dy, dx), (0, 1))
        noise = np.random.default_rng((seed, number)).normal(0, 1.5, rgb.shape)
        frames.append(jpeg(np.clip(rgb + noise, 0, 255).astype(np.uint8)))
    return tuple(frames)


# --- the school, through the API ----------------------------------------------------------


async def _json(answer: httpx.Response, expected: int) -> Any:
    if answer.status_code != expected:
        raise RuntimeError(f"{answer.request.url.path}: {answer.status_code} {answer.text}")
    return answer.json()


async def sign_in(http: httpx.AsyncClient, email: str) -> tuple[int, str]:
    body = {"email": email, "password": PASSWORD}
    token = (await _json(await http.post(f"{API}/auth/login", json=body), 200))["access_token"]
    me = await _json(await http.get(f"{API}/users/me", headers=_bearer(token)), 200)
    return int(me["id"]), str(token)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_people(
    http: httpx.AsyncClient, admin_token: str, prefix: str, count: int, role: str
) -> list[tuple[int, str]]:
    """``count`` accounts, four at a time; (user id, token) each."""
    gate = asyncio.Semaphore(4)

    async def one(number: int) -> tuple[int, str]:
        email = f"{prefix}{number}@bench.example"
        body = {"email": email, "password": PASSWORD, "username": f"{prefix}{number}"}
        body |= {"full_name": f"Bench {prefix} {number}", "role": role}
        async with gate:
            await _json(
                await http.post(f"{API}/users", json=body, headers=_bearer(admin_token)), 201
            )
            return await sign_in(http, email)

    return list(await asyncio.gather(*(one(n) for n in range(count))))


def student_emails(count: int) -> list[str]:
    """The emails `create_people(..., "student", count, ...)` gave, in the same order."""
    return [f"student{number}@bench.example" for number in range(count)]


async def school(
    http: httpx.AsyncClient,
    instructor_token: str,
    students: list[str],
    speedup: float,
    liveness: str,
    two_step: bool,
) -> int:
    """A course with the bench policy, one term, every student enrolled; the term id."""
    headers = _bearer(instructor_token)
    course = await _json(
        await http.post(f"{API}/courses", json={"name": "Capacity"}, headers=headers), 201
    )
    policy = bench_policy(speedup, liveness, two_step)
    await _json(
        await http.put(f"{API}/courses/{course['id']}/policy", json=policy, headers=headers), 200
    )
    term = await _json(
        await http.post(f"{API}/courses/{course['id']}/terms", json={}, headers=headers), 201
    )
    gate = asyncio.Semaphore(8)

    async def enrol(email: str) -> None:  # instructors enrol by email (issue 8/9)
        async with gate:
            body = {"email": email, "role": "STUDENT"}
            url = f"{API}/terms/{term['id']}/members"
            await _json(await http.post(url, json=body, headers=headers), 201)

    await asyncio.gather(*(enrol(email) for email in students))
    return int(term["id"])


async def start_lesson(http: httpx.AsyncClient, instructor_token: str, term_id: int) -> int:
    headers = _bearer(instructor_token)
    body = {"term_id": term_id, "title": "Capacity step", "duration_min": 120}
    body["start_date"] = datetime.now(UTC).isoformat()
    lesson = await _json(await http.post(f"{API}/lessons", json=body, headers=headers), 201)
    await _json(await http.post(f"{API}/lessons/{lesson['id']}/start", headers=headers), 200)
    return int(lesson["id"])


async def stop_lesson(http: httpx.AsyncClient, instructor_token: str, lesson_id: int) -> None:
    url = f"{API}/lessons/{lesson_id}/stop"
    await _json(await http.post(url, headers=_bearer(instructor_token)), 200)
