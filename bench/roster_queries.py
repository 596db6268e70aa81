"""Database statements per roster request, counted in process for classes of several sizes."""

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlalchemy.engine import Engine

from roster_class import seed_running_class
from trust_lesson.app import create_app
from trust_lesson.migrations import upgrade_to_head
from trust_lesson.settings import Settings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def queries_per_request(
    sizes: tuple[int, ...], password: str, folder: Path, url: str
) -> dict[int, dict[str, int]]:
    """{students: {path kind: statements}} for the lesson page and its refresh call."""
    settings = Settings(env="test", data_dir=Path(folder), database_url=url)
    app = create_app(settings, clock=lambda: NOW)
    async with LifespanManager(app):
        runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        counts = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for size in sizes:
                lesson = await seed_running_class(
                    runtime.session_factory, students=size, password=password, now=NOW
                )
                login = {"email": lesson.instructor_email, "password": password}
                token = (await http.post("/api/v1/auth/login", json=login)).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                counts[size] = {}
                for kind, path in (
                    ("page", f"/lessons/{lesson.lesson_id}"),
                    ("refresh", f"/lessons/{lesson.lesson_id}/roster"),
                ):
                    with counted(runtime.engine.sync_engine) as statements:
                        answer = await http.get(path, headers=headers)
                    assert answer.status_code == 200, answer.text[:300]
                    assert answer.text.count("data-student-id") == size
                    counts[size][kind] = len(statements)
        return counts


def print_counts(sizes: tuple[int, ...], password: str) -> dict[int, dict[str, int]]:
    with tempfile.TemporaryDirectory(prefix="tl-roster-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'roster.db'}"
        upgrade_to_head(url)  # runs its own event loop, so before ours
        counts = asyncio.run(queries_per_request(sizes, password, Path(folder), url))
    print("\nInstructor's roster: database statements per request (in process, SQLite)")
    print("| students | lesson page | roster refresh |")
    print("|---:|---:|---:|")
    for size, kinds in counts.items():
        print(f"| {size} | {kinds['page']} | {kinds['refresh']} |")
    return counts
