"""R20 for everything a running service writes: `trust-lesson serve` (embedded default, in-process
worker), in plain and in JSON log mode, goes through sign-ups, a failed sign-in, a password
change, an administrator's password reset, database errors whose statements carry a password
hash, an email and a session-token digest, and the use of revoked and invented tokens. Every
line it wrote, from any logger (ours, uvicorn's, SQLAlchemy's, the worker's), is then searched
for each password, hash, token, token digest and email of the story.
"""

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx import Response

from tests.support.serve_process import command, environment, serve_process
from trust_lesson.auth.tokens import token_digest

ADMIN = ("ada.admin@school.example", "an administrator's own passphrase 1")
STUDENT = ("sam.student@school.example", "a student's first passphrase 22")
SECOND = ("second.student@school.example", "a second student's passphrase 333")
WRONG = "a wrong passphrase someone guessed"
CHANGED = "the student's own new passphrase 4444"
RESET = "the passphrase an admin reset 55555"
INVENTED_TOKEN = "tl_invented_0123456789abcdefghijklmnopqrstuv"


@dataclass
class Story:
    """What the service was given and gave out: none of it may reach a log line."""

    url: str
    secrets: set[str] = field(default_factory=set)

    def call(self, method: str, path: str, token: str | None = None, json: Any = None) -> Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, self.url + path, headers=headers, json=json, timeout=60)

    def sign_in(self, email: str, password: str) -> Response:
        self.secrets |= {email, password}
        answer = self.call(
            "POST", "/api/v1/auth/login", json={"email": email, "password": password}
        )
        if answer.status_code == 200:
            token = answer.json()["access_token"]
            self.secrets |= {token, token_digest(token)}
        return answer

    def token(self, email: str, password: str) -> str:
        answer = self.sign_in(email, password)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def register(self, email: str, password: str) -> Response:
        self.secrets |= {email, password}
        body = {"email": email, "password": password, "full_name": "Sam Student"}
        return self.call("POST", "/api/v1/auth/register", json=body | {"username": email[:6]})


ABORT = "SELECT RAISE(ABORT, 'forced failure for the log test')"  # IntegrityError
BROKEN = "INSERT INTO table_gone_for_the_log_test VALUES (1)"  # OperationalError


@contextmanager
def failing_writes(database: Path, writes: dict[str, str]) -> Iterator[None]:
    """These writes ("INSERT ON table": how) fail inside the database: unexpected errors whose
    statements carry the row's values (a password hash, an email, a token digest)."""
    with sqlite3.connect(database) as db:
        for n, (write, how) in enumerate(writes.items()):
            db.execute(f"CREATE TRIGGER fail_{n} BEFORE {write} BEGIN {how}; END")
    try:
        yield
    finally:
        with sqlite3.connect(database) as db:
            for n in range(len(writes)):
                db.execute(f"DROP TRIGGER fail_{n}")


def tell_the_story(story: Story, database: Path) -> None:
    assert story.register(*STUDENT).status_code == 201
    student_id = story.call("GET", "/api/v1/users/me", story.token(*STUDENT)).json()["id"]
    assert story.sign_in(STUDENT[0], WRONG).status_code == 401
    token = story.token(*STUDENT)
    story.secrets |= {WRONG, CHANGED, RESET}
    guessed = {"current_password": WRONG, "password": CHANGED}
    assert story.call("PATCH", "/api/v1/users/me", token, json=guessed).status_code in (400, 403)
    changed = {"current_password": STUDENT[1], "password": CHANGED}
    assert story.call("PATCH", "/api/v1/users/me", token, json=changed).status_code == 200
    admin = story.token(*ADMIN)
    reset = story.call("PATCH", f"/api/v1/users/{student_id}", admin, json={"password": RESET})
    assert reset.status_code == 200
    failing = {
        "INSERT ON users": ABORT,
        "UPDATE ON users": BROKEN,
        "INSERT ON auth_sessions": ABORT,
    }
    with failing_writes(database, failing):
        assert story.register(*SECOND).status_code == 409  # told apart from a race: no log
        story.secrets.add(again := RESET + "!")
        to_reset = f"/api/v1/users/{student_id}"
        assert story.call("PATCH", to_reset, admin, json={"password": again}).status_code == 503
        assert story.sign_in(STUDENT[0], RESET).status_code == 500
    token = story.token(STUDENT[0], RESET)
    assert story.call("POST", "/api/v1/auth/logout", token).status_code == 204
    assert story.call("GET", "/api/v1/users/me", token).status_code == 401
    assert story.call("GET", "/api/v1/users/me", INVENTED_TOKEN).status_code == 401
    with sqlite3.connect(database) as db:
        story.secrets |= {row[0] for row in db.execute("SELECT password_hash FROM users")}


PLAIN_LINE = re.compile(r"\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def log_lines(output: str) -> list[str]:
    """Every line but the banner `serve` prints before it starts (address, data dir, URLs)."""
    lines = output.splitlines()
    banner = next(n for n, line in enumerate(lines) if line.startswith("  API docs"))
    return lines[banner + 1 :]


@pytest.mark.parametrize("log_json", ["true", "false"], ids=["json logs", "plain logs"])
def test_no_password_hash_token_or_email_reaches_any_line_the_service_writes(
    tmp_path: Path, log_json: str
) -> None:
    data_dir = tmp_path / "var"
    env = environment(data_dir, log_json=log_json)
    setup_output = command("migrate", env=env) + command(
        *("create-user", "--email", ADMIN[0], "--full-name", "Ada Admin", "--role", "ADMIN"),
        *("--password", ADMIN[1]),
        env=env,
    )

    with serve_process(data_dir, log_json=log_json) as served:
        story = Story(served.url)
        tell_the_story(story, data_dir / "trust_lesson.db")
    logged = served.logged()

    print(f"\n{len(logged.splitlines())} lines logged ({log_json=}); {len(story.secrets)} secrets")
    for expected in ("login_failed", "admin_account_change", "IntegrityError", "OperationalError"):
        assert expected in logged  # the story was told and logged
    for line in log_lines(logged):  # uvicorn's and the libraries' records too: no raw traceback
        assert json.loads(line) if log_json == "true" else PLAIN_LINE.match(line), line
    assert "$argon2" not in logged + setup_output
    for secret in sorted(story.secrets):
        assert secret not in logged, f"{secret!r} was logged"
        assert secret not in setup_output or secret == ADMIN[0], f"{secret!r} printed at setup"
