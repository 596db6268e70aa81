"""API throughput: an authenticated lesson list against a real server, embedded and scaled.

For each setup -- the embedded default (SQLite, sessions in the database) and PostgreSQL +
Redis -- this starts `trust-lesson serve` on 127.0.0.1, seeds a student enrolled in a term
with 50 lessons, then drives 20 concurrent clients at:
- GET /health (the floor: no database, no session), and
- GET /api/v1/lessons?limit=50 as the student (session lookup, scoped query, 50 rows),
- the instructor's lesson page (`GET /lessons/{id}`) and its live roster refresh call
  (`GET /lessons/{id}/roster`) for a running lesson of 200 students with three checks each.
Then it counts the database statements of those two roster requests in process for classes
of 20 and 200 students: they must not grow with the class size (the run fails if they do).
Each measurement stops after `--requests` requests or `--seconds`, whichever comes first.
The PostgreSQL database is created fresh for the run and dropped after it; Redis database 14
is flushed before and after. Client and server share this machine's cores, so the figures
are a floor for the server, comparable within one run.

Usage: `.venv/bin/python bench/api.py [--requests 3000] [--seconds 20] [--skip-postgres]`.
"""

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from live_service import Account, LiveService, live_service, scratch_postgres

from roster_class import seed_running_class
from roster_queries import print_counts
from trust_lesson.db import create_engine, create_session_factory

REDIS_URL = "redis://127.0.0.1:6379/14"
CONCURRENCY = 20
LESSONS = 50
CLASS_SIZE = 200
PASSWORD = secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Measurement:
    setup: str
    target: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    options = parse_arguments()
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="tl-bench-") as folder:
        setups: list[tuple[str, str | None, str | None]] = [
            ("embedded (SQLite, sessions in DB)", None, None)
        ]
        if not options.skip_postgres:
            setups.append(("PostgreSQL + Redis", "postgres", REDIS_URL))
        for number, (name, database, redis_url) in enumerate(setups):
            data_dir = Path(folder) / f"setup{number}" / "var"
            data_dir.parent.mkdir(parents=True)
            stores = scratch_postgres(redis_url) if database and redis_url else nullcontext(None)
            with stores as database_url:
                results += measure_setup(name, data_dir, database_url, redis_url, options)
    print_table(results, options)
    counts = print_counts((20, CLASS_SIZE), PASSWORD)
    grows = counts[20] != counts[CLASS_SIZE]
    if grows:
        print("FAILED: the roster's database statements grow with the class size")
    return 1 if grows or any(m.errors for m in results) else 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per measurement, at most")
    parser.add_argument("--seconds", type=float, default=20, help="per measurement, at most")
    parser.add_argument("--skip-postgres", action="store_true")
    return parser.parse_args()


def measure_setup(
    name: str,
    data_dir: Path,
    database_url: str | None,
    redis_url: str | None,
    options: argparse.Namespace,
) -> list[Measurement]:
    print(f"\n== {name}: starting the server", flush=True)
    with live_service(data_dir, database_url=database_url, redis_url=redis_url) as service:
        student = seed(service)
        print(f"   seeded a student with {LESSONS} lessons on {service.base_url}", flush=True)
        url = database_url or f"sqlite+aiosqlite:///{(data_dir / 'trust_lesson.db').resolve()}"
        lesson_id, instructor = seed_class(service, url)
        print(f"   seeded a running lesson of {CLASS_SIZE} students", flush=True)
        targets = [("GET /health (baseline)", "/health", {}), (
            f"GET /api/v1/lessons ({LESSONS}, student)",
            f"/api/v1/lessons?limit={LESSONS}",
            student.headers,
        ), (
            f"GET /lessons/{{id}} page ({CLASS_SIZE} students)",
            f"/lessons/{lesson_id}",
            instructor.headers,
        ), (
            f"GET /lessons/{{id}}/roster ({CLASS_SIZE})",
            f"/lessons/{lesson_id}/roster",
            instructor.headers,
        )]  # fmt: skip
        results = []
        for target, path, headers in targets:
            asyncio.run(drive(service.base_url, path, headers, requests=200, seconds=5))  # warm-up
            measured = asyncio.run(
                drive(service.base_url, path, headers, options.requests, options.seconds)
            )
            result = Measurement(name, target, *measured)
            print(
                f"   {target:<38} {result.per_second:8.0f} req/s  p50 {result.percentile(0.5):6.1f}"
                f" ms  p95 {result.percentile(0.95):6.1f} ms  errors {result.errors}",
                flush=True,
            )
            results.append(result)
    return results


def seed(service: LiveService) -> Account:
    admin = service.create_admin("admin@bench.example", PASSWORD)
    with service.client(admin) as http:
        people = {}
        for role in ("instructor", "student"):
            body = {"email": f"{role}@bench.example", "password": PASSWORD, "username": role}
            body |= {"full_name": f"Bench {role.title()}", "role": role.upper()}
            http.post("/api/v1/users", json=body).raise_for_status()
            people[role] = service.sign_in(Account(email=body["email"], password=PASSWORD))
        course = http.post("/api/v1/courses", json={"name": "Benchmarking"}).json()
        term = http.post(f"/api/v1/courses/{course['id']}/terms", json={}).json()
        for role, person in people.items():
            member = {"user_id": person.id, "role": role.upper()}
            http.post(f"/api/v1/terms/{term['id']}/members", json=member).raise_for_status()
    start = datetime.now(UTC) + timedelta(days=1)
    with service.client(people["instructor"]) as http:
        for number in range(LESSONS):
            lesson = {"term_id": term["id"], "title": f"Lesson {number + 1}", "duration_min": 90}
            lesson["start_date"] = (start + timedelta(days=number)).isoformat()
            http.post("/api/v1/lessons", json=lesson).raise_for_status()
    student = people["student"]
    with service.client(student) as http:
        listed = http.get(f"/api/v1/lessons?limit={LESSONS}").json()
    assert len(listed) == LESSONS, f"the student sees {len(listed)} lessons, not {LESSONS}"
    return student


def seed_class(service: LiveService, database_url: str) -> tuple[int, Account]:
    """A running lesson of CLASS_SIZE students in the server's own database; the instructor
    signs in through the API (pages accept the Bearer token like the cookie)."""

    async def seed() -> tuple[int, str]:
        engine = create_engine(database_url)
        try:
            running = await seed_running_class(
                create_session_factory(engine),
                students=CLASS_SIZE,
                password=PASSWORD,
                now=datetime.now(UTC),
            )
        finally:
            await engine.dispose()
        return running.lesson_id, running.instructor_email

    lesson_id, email = asyncio.run(seed())
    return lesson_id, service.sign_in(Account(email=email, password=PASSWORD))


async def drive(
    base_url: str, path: str, headers: dict[str, str], requests: int, seconds: float
) -> tuple[int, int, float, tuple[float, ...]]:
    """`CONCURRENCY` clients in a loop until the request budget or the time is spent."""
    latencies: list[float] = []
    errors = 0
    budget = iter(range(requests))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    started = time.perf_counter()
    deadline = started + seconds

    async def client_loop(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while next(budget, None) is not None and time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                answer = await http.get(path)
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - sent) * 1000)
            errors += 0 if ok else 1

    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return len(latencies), errors, elapsed, tuple(latencies)


def print_table(results: list[Measurement], options: argparse.Namespace) -> None:
    print(
        f"\nAPI benchmark: {CONCURRENCY} concurrent clients, at most {options.requests} requests"
        f" or {options.seconds:.0f} s per row, one uvicorn process on 127.0.0.1"
    )
    header = f"| {'setup':<34} | {'request':<38} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} |"
    print(header + f" {'requests':>8} | {'errors':>6} |")
    print("|" + "|".join("-" * (w + 2) for w in (34, 38, 7, 7, 7, 8, 6)) + "|")
    for m in results:
        print(
            f"| {m.setup:<34} | {m.target:<38} | {m.per_second:>7.0f} | {m.percentile(0.5):>7.1f}"
            f" | {m.percentile(0.95):>7.1f} | {m.requests:>8} | {m.errors:>6} |"
        )
    print(f"(median of all lesson-list latencies: {lesson_median(results):.1f} ms)")


def lesson_median(results: list[Measurement]) -> float:
    lists = [m for m in results if "lessons" in m.target]
    return statistics.median([x for m in lists for x in m.latencies_ms]) if lists else 0.0


if __name__ == "__main__":
    sys.exit(main())
