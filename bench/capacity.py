"""Capacity: how many students in live lessons one 2-core machine checks, with verdicts on time.

Simulated students (asyncio + httpx, all in this process, loopback only) join a running
lesson, wait for their challenges (the held `challenges/next?wait=N`) and answer each
with a fresh 640x480 JPEG of a real face (../shared/testdata, varied per upload so none is a
replay), or a liveness check with a fresh burst of five frames of that face turning to the side
asked (a frontal and a turned photo of the person, mirrored for the other side; the policy's
default share: the entry check and one random check, ``--liveness``). With ``--two-step`` the
course's policy sets ``liveness_two_step`` and every liveness check asks for an ordered
two-step, answered with a fresh burst of eight frames turning to one side and then to the
other in the order asked (tests/vision/bursts.py's two-step, mirrored for the other order);
the setups' names say "two-step". A ramp of steps
(default 500, 1000, 2000, 5000 students), each a new lesson: students join over the join
window, then the step runs for the measure time, then the lesson is stopped and the captures
drain. Per step: uploads/s, requests/s, verdict latency p50/p95/p99
(capture row created -> verdict written, from the database), upload request p95, lost verdicts
(a capture without a verdict after the drain, or a 202 without a row), doubled ones (two
captures for one challenge, or a verdict written twice by the worker's log), errors by status,
CPU of server, worker, this client and the whole machine (other engineers' work included).

Time is compressed, and the student count scaled with it: with ``--speedup 10`` the course
policy's intervals are PRODUCT.md's divided by 10 (a re-check every 1 min on average, never two
within 18 s) and each simulated student's request is held at most 6 s instead of 60 s, so
one simulated student makes the requests of 10 students at the default policy (one check every
~10 min, a held request at least every minute). "Students" in the table are those equivalent;
"sim" the clients actually running. A step is sustained when p95 <= 10 s, nothing is lost or
doubled and no request failed with a 5xx or a transport error.

Three setups in one run, each with a baseline measured in the same run (GET /health rps; and
once, the vision work of one verdict and of one burst on one core, and of one two-step burst
with ``--two-step``): the embedded default
(SQLite, `serve` alone: its worker in the child process it starts, with the setting's default
of one thread per core, or ``--embedded-threads``), the same SQLite files with a separate
`trust-lesson worker` process, and PostgreSQL + Redis with a separate `trust-lesson worker`
process (a fresh database, dropped afterwards; Redis db 13, or ``--redis-url``). Each step runs
``--runs`` times in a row (a new lesson each); the ramp of a setup stops after a step not
sustained in a run.
Each setup also runs as ``SETUP-without-log``: the same service appending no evidence entry,
the same-run baseline of what the evidence log costs.

After the ramp, each setup measures what waiting students cost (`capacity_waiting.py`):
``--waiting`` equivalent students (default 5000) wait for a check with the held request, then
with a fixed 10 s poll, ``--waiting-s`` each: requests/s and CPU of the API process.

Usage: `.venv/bin/python bench/capacity.py [--steps 500,1000,2000,5000]
[--steps-for postgres=10000] [--runs 3] [--speedup 10] [--join-s 60] [--measure-s 90]
[--setups embedded,sqlite-worker,postgres] [--liveness ENTRY_AND_ONE_RANDOM|ALL|NONE]
[--two-step] [--waiting 5000] [--waiting-s 60]` (`--steps none` measures only the waiting). Writes
bench/out/capacity.png: p95 and p50 against students, or, when the runs are all of one step, each
run's p95 by when the captures arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import TypeVar

import httpx

from capacity_db import (
    add_faces,
    lesson_rows,
    log_sizes,
    pending_count,
    troubles_since,
    verdicts_written_twice,
)
from capacity_report import (
    StepResult,
    chart,
    machine_busy_seconds,
    own_cpu_seconds,
    print_table,
    tree_cpu_seconds,
)
from capacity_setup import (
    Face,
    Running,
    create_admin,
    create_people,
    faces,
    school,
    scratch_postgres,
    services,
    sign_in,
    start_lesson,
    stop_lesson,
    student_emails,
)
from capacity_sim import SimStudent, Step, Tally, health_rps, run_step, student_session
from capacity_waiting import HEADER as WAITING_HEADER
from capacity_waiting import WaitingResult, quiet_term
from capacity_waiting import measure as measure_waiting
from trust_lesson.presence.judging import judge
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import ONE_STEP_TURNS, TWO_STEP_TURNS
from trust_lesson.presence.waiting import LONGEST_WAIT_S
from trust_lesson.vision.liveness import observe_burst

T = TypeVar("T")

REDIS_URL = "redis://127.0.0.1:6379/13"
OUT = Path(__file__).resolve().parent / "out"
CPU_SAMPLE_S = 5.0
DRAIN_S = 120.0
BURSTS_EACH = 12


def say(message: str) -> None:
    print(message, flush=True)


def main() -> int:
    options = parse_arguments()
    say(f"machine: {os.cpu_count()} cores, load average {load()} before the run")
    pool = faces(frames_each=40, bursts_each=BURSTS_EACH, two_step=options.two_step)
    names = ", ".join(f.person.name for f in pool)
    kinds = "side and per order" if options.two_step else "side"
    say(f"{len(pool)} people, 40 fresh frames and {BURSTS_EACH} bursts per {kinds} each: {names}")
    say(f"liveness checks: {options.liveness}, {TURNS[options.two_step]}")
    vision_baseline(pool)
    results: list[StepResult] = []
    waiting: list[WaitingResult] = []
    with tempfile.TemporaryDirectory(prefix="tl-capacity-") as folder:
        for setup in options.setups.split(","):
            steps, waited = run_named_setup(setup, Path(folder) / setup, options, pool)
            results += steps
            waiting += waited
            if steps:  # the table and chart so far, in case a later setup cannot finish
                print_table(results)
                chart(results, OUT / options.chart)
    if results:
        print_table(results)
        say(f"\nchart: {chart(results, OUT / options.chart)}")
    if waiting:
        say(f"\nwaiting students (each sim stands for {options.speedup:g})\n{WAITING_HEADER}")
        for figures in waiting:
            say(figures.summary())
    for setup in dict.fromkeys(r.setup for r in results):
        held = [r.students for r in results if r.setup == setup and r.sustained]
        say(f"{setup}: largest sustained step {max(held) if held else 'none'} students")
    return 0


SETUPS = {
    "embedded": "embedded (SQLite)",
    "sqlite-worker": "SQLite + worker process",
    "postgres": "PostgreSQL + Redis",
}
TURNS = {
    False: "one side each (LEFT or RIGHT, 5-frame bursts)",
    True: "ordered two-step each (LEFT_THEN_RIGHT or RIGHT_THEN_LEFT, 8-frame bursts)",
}
TWO_STEP = ", two-step"
"""Added to a setup's name in the table and chart when its liveness checks are two-steps."""
WITHOUT_LOG = "-without-log"
"""A setup's name with this suffix: the same setup whose service appends no evidence entry
(bench/without_log/sitecustomize.py), the baseline of what the log costs."""
WITHOUT_LOG_PATH = str(Path(__file__).resolve().parent / "without_log")


Outcome = tuple[list[StepResult], list[WaitingResult]]


def run_named_setup(
    setup: str, folder: Path, options: argparse.Namespace, pool: list[Face]
) -> Outcome:
    """embedded: `serve` alone (in-process worker, TL_WORKER_THREADS threads); sqlite-worker:
    the same SQLite files with `serve` and a `trust-lesson worker` process; postgres: a fresh
    PostgreSQL database and Redis with `serve` and a `trust-lesson worker` process."""
    base = setup.removesuffix(WITHOUT_LOG)
    name = SETUPS[base] + (", no log" if base != setup else "")
    name += TWO_STEP if options.two_step else ""
    no_log = {"PYTHONPATH": WITHOUT_LOG_PATH} if base != setup else {}
    if base == "embedded":
        threads = options.embedded_threads
        extra = {"TL_WORKER_THREADS": str(threads)} if threads else {}
        return run_setup(name, folder, None, options, pool, extra | no_log, workers=0, setup=setup)
    if base == "sqlite-worker":
        extra = {"TL_EMBEDDED_WORKER": "false"} | no_log
        return run_setup(
            name, folder, None, options, pool, extra, options.worker_processes, setup=setup
        )
    with scratch_postgres(options.redis_url, "tl_capacity") as database_url:
        return run_setup(
            name,
            folder,
            database_url,
            options,
            pool,
            no_log,
            options.worker_processes,
            setup=setup,
        )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", default="500,1000,2000,5000")
    parser.add_argument(
        "--steps-for",
        action="append",
        default=[],
        metavar="SETUP=STEPS",
        help="other steps for one setup, e.g. postgres=5000,10000",
    )
    parser.add_argument("--chart", default="capacity.png", help="file name in bench/out")
    parser.add_argument("--runs", type=int, default=1, help="runs of each step in a row")
    parser.add_argument(
        "--liveness",
        default="ENTRY_AND_ONE_RANDOM",
        choices=["ENTRY_AND_ONE_RANDOM", "ALL", "NONE"],
        help="which checks are liveness checks (default: the policy's)",
    )
    parser.add_argument(
        "--two-step",
        action="store_true",
        help="the policy's liveness_two_step: every liveness check an ordered two-step",
    )
    parser.add_argument("--speedup", type=float, default=10.0)
    parser.add_argument("--join-s", type=float, default=60.0)
    parser.add_argument("--measure-s", type=float, default=90.0)
    parser.add_argument("--setups", default="embedded,sqlite-worker,postgres")
    parser.add_argument(
        "--embedded-threads", type=int, default=0, help="default: the setting's (one per core)"
    )
    parser.add_argument("--worker-processes", type=int, default=2)
    parser.add_argument("--keep-going", action="store_true", help="run steps after a failed one")
    parser.add_argument("--waiting", type=int, default=5000, help="waiting students; 0: none")
    parser.add_argument("--waiting-s", type=float, default=60.0)
    parser.add_argument("--redis-url", default=REDIS_URL, help="emptied before and after")
    return parser.parse_args()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def vision_baseline(pool: list[Face]) -> None:
    """The verdict's own work (decode, detect, embed, compare, replay) on one core; and the
    observation of one liveness burst (five frames), and of one two-step burst (eight frames)
    when the pool has them."""
    face = pool[0]
    frames = face.frames[:12]
    judge(frames[0], face.embeddings, [], AttendancePolicy())
    started, cpu = time.perf_counter(), time.process_time()
    for frame in frames:
        judge(frame, face.embeddings, [], AttendancePolicy())
    wall = (time.perf_counter() - started) / len(frames)
    per = (time.process_time() - cpu) / len(frames)
    say(
        f"baseline, vision alone: {1 / wall:.1f} verdicts/s in one thread "
        f"({wall * 1000:.0f} ms wall, {per * 1000:.0f} ms CPU per verdict); "
        f"5,000 students at the default rate need ~{5000 / 600:.1f} verdicts/s"
    )
    for kind, directions in (("liveness", ONE_STEP_TURNS), ("two-step", TWO_STEP_TURNS)):
        bursts = [b for d, made in face.bursts.items() if d in directions for b in made[:3]]
        if bursts:
            wall, per = _burst_cost(bursts, face)
            say(
                f"baseline, one {kind} burst ({len(bursts[0])} frames) alone: "
                f"{wall * 1000:.0f} ms wall, {per * 1000:.0f} ms CPU in one thread"
            )


def _burst_cost(bursts: list[tuple[bytes, ...]], face: Face) -> tuple[float, float]:
    """Seconds of wall and CPU time to observe one of ``bursts`` (after one to warm up)."""
    observe_burst(list(bursts[0]), face.embeddings)
    started, cpu = time.perf_counter(), time.process_time()
    for burst in bursts:
        observe_burst(list(burst), face.embeddings)
    wall = (time.perf_counter() - started) / len(bursts)
    return wall, (time.process_time() - cpu) / len(bursts)


def run_setup(
    name: str,
    folder: Path,
    database_url: str | None,
    options: argparse.Namespace,
    pool: list[Face],
    extra: dict[str, str],
    workers: int,
    *,
    setup: str,
) -> Outcome:
    chosen = dict(item.split("=", 1) for item in options.steps_for).get(setup, options.steps)
    steps = [] if chosen == "none" else [int(s) for s in chosen.split(",")]
    waiting_sims = math.ceil(options.waiting / options.speedup)
    most = max([waiting_sims] + [math.ceil(step / options.speedup) for step in steps])
    data_dir = folder / "var"
    data_dir.mkdir(parents=True)
    redis_url = options.redis_url if database_url else None
    say(f"\n== {name}: starting the service")
    with services(
        data_dir,
        database_url=database_url,
        redis_url=redis_url,
        extra_env=extra,
        worker_processes=workers,
    ) as running:
        rps = asyncio.run(health_rps(running.base_url))
        say(f"   baseline: GET /health {rps:.0f} req/s (20 clients); processes {running.pids}")
        seeded = asyncio.run(seed(running, most, options, pool))
        instructor, term_id, students = seeded
        results = []
        for count in steps:
            held = True
            for run in range(1, options.runs + 1):
                result = run_one_step(
                    name, running, instructor, term_id, students, count, options, run
                )
                results.append(result)
                say("   " + result.summary())
                held = held and result.sustained
            if not held and not options.keep_going:
                say("   not sustained: the ramp stops here")
                break
        waited = run_waiting(name, running, instructor, students[:waiting_sims], options)
    return results, waited


def run_waiting(
    setup: str,
    running: Running,
    instructor: str,
    students: list[SimStudent],
    options: argparse.Namespace,
) -> list[WaitingResult]:
    if not students:
        return []
    say(f"   waiting students: {len(students)} simulated, load {load()}")

    async def both() -> list[WaitingResult]:
        async with httpx.AsyncClient(base_url=running.base_url, timeout=120) as http:
            term_id = await quiet_term(http, instructor, student_emails(len(students)))
        return await measure_waiting(
            running,
            setup,
            instructor,
            term_id,
            students,
            seconds=options.waiting_s,
            speedup=options.speedup,
        )

    figures = asyncio.run(both())
    for one in figures:
        say("   " + one.summary())
    return figures


async def seed(
    running: Running, count: int, options: argparse.Namespace, pool: list[Face]
) -> tuple[str, int, list[SimStudent]]:
    started = time.monotonic()
    create_admin(running.env, "admin@bench.example")
    async with httpx.AsyncClient(base_url=running.base_url, timeout=120) as http:
        _, admin = await sign_in(http, "admin@bench.example")
        instructor = (await create_people(http, admin, "teacher", 1, "INSTRUCTOR"))[0][1]
        people = await create_people(http, admin, "student", count, "STUDENT")
        term_id = await school(
            http,
            instructor,
            student_emails(count),
            options.speedup,
            options.liveness,
            options.two_step,
        )
    await add_faces(
        running.database_url,
        {user_id: list(pool[n % len(pool)].embeddings) for n, (user_id, _) in enumerate(people)},
    )
    students = [
        SimStudent(
            user_id,
            token,
            _rotated(pool[n % len(pool)].frames, n),
            {side: _rotated(b, n) for side, b in pool[n % len(pool)].bursts.items()},
        )
        for n, (user_id, token) in enumerate(people)
    ]
    took = time.monotonic() - started
    say(f"   seeded {count} students (consent + face templates) in {took:.0f} s")
    return instructor, term_id, students


def _rotated(frames: tuple[T, ...], by: int) -> tuple[T, ...]:
    shift = by % len(frames)
    return frames[shift:] + frames[:shift]


def run_one_step(
    setup: str,
    running: Running,
    instructor: str,
    term_id: int,
    students: list[SimStudent],
    count: int,
    options: argparse.Namespace,
    run: int,
) -> StepResult:
    simulated = math.ceil(count / options.speedup)
    say(f"   step {count} students ({simulated} simulated), run {run}, load {load()}")
    cpu_before = _cpu(running)
    log_start = log_sizes(running.logs)
    duration = options.join_s + options.measure_s
    lesson_id, tally = asyncio.run(
        _play(running, instructor, term_id, students[:simulated], duration, options)
    )
    drained = _drain(running.database_url, lesson_id)
    cpu = {k: v - cpu_before[k] for k, v in _cpu(running).items()}
    rows = lesson_rows(running.database_url, lesson_id)
    ids = set(tally.capture_ids)
    doubled = rows.challenges_with_two_captures + verdicts_written_twice(running.logs, ids)
    missing = len(ids) - rows.captures if rows.captures < len(ids) else 0
    say(
        f"   drained in {drained:.0f} s; {rows.captures} captures, {rows.done} with a verdict,"
        f" {rows.challenges_answered} challenges answered, {rows.verdicts}"
    )
    return StepResult(
        setup=setup,
        students=count,
        simulated=simulated,
        seconds=duration,
        uploads=tally.by_kind["upload"],
        requests=sum(tally.by_kind.values()),
        latencies_s=rows.latencies_s,
        upload_ms=tally.upload_ms,
        lost=rows.lost + missing,
        doubled=doubled,
        errors=tally.errors,
        verdicts=rows.verdicts,
        burst_verdicts=rows.burst_verdicts,
        cpu=cpu,
        load=load(),
        run=run if options.runs > 1 else 0,
        bursts=tally.bursts,
        timeline=rows.timeline,
        cpu_samples=tally.cpu_samples,
        troubles=troubles_since(log_start),
    )


async def _play(
    running: Running,
    instructor: str,
    term_id: int,
    students: list[SimStudent],
    duration: float,
    options: argparse.Namespace,
) -> tuple[int, Tally]:
    async with httpx.AsyncClient(base_url=running.base_url, timeout=90) as http:
        lesson_id = await start_lesson(http, instructor, term_id)
        step = Step(
            lesson_id=lesson_id,
            students=students,
            join_window_s=options.join_s,
            stop_at=time.monotonic() + duration,
            hold_s=max(1, round(LONGEST_WAIT_S / options.speedup)),
        )
        sampler = asyncio.create_task(_sample_cpu(running, step.tally.cpu_samples))
        async with student_session(running.base_url, len(students)) as students_http:
            tally = await run_step(students_http, step, random.Random(lesson_id))
        sampler.cancel()
        await stop_lesson(http, instructor, lesson_id)
    return lesson_id, tally


async def _sample_cpu(running: Running, samples: list[tuple[float, dict[str, float]]]) -> None:
    """Every few seconds of the step: the CPU seconds used so far by each process."""
    started = time.monotonic()
    while True:
        samples.append((time.monotonic() - started, _cpu(running)))
        await asyncio.sleep(CPU_SAMPLE_S)


def _drain(database_url: str, lesson_id: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_S and pending_count(database_url, lesson_id):
        time.sleep(1)
    return time.monotonic() - started


def _cpu(running: Running) -> dict[str, float]:
    """serve (the API process alone) and worker (serve's child, or the worker processes)."""
    serve = running.pids["serve"]
    found = {"serve": own_cpu_seconds(serve), "worker": tree_cpu_seconds(serve)}
    found["worker"] -= found["serve"]
    if "worker" in running.pids:
        found["worker"] += tree_cpu_seconds(running.pids["worker"])
    found["client"] = time.process_time()
    found["machine"] = machine_busy_seconds()
    return found


if __name__ == "__main__":
    sys.exit(main())
