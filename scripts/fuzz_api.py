"""Fuzz the API with schemathesis against its own OpenAPI schema, as each role.

Starts `trust-lesson serve` on 127.0.0.1 (embedded SQLite, temporary data dir), creates an
administrator, an instructor and a student with a course, a term, enrolments and lessons, then
runs `schemathesis run` once per role with that role's bearer token. Checks: no server error
(5xx), responses conform to the documented schema and content type. Exits non-zero on any
failure. Usage: `.venv/bin/python scripts/fuzz_api.py [--seconds-per-role 45]`.
"""

import argparse
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from live_service import Account, LiveService, live_service

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
PASSWORD = secrets.token_urlsafe(18)
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
# Logging out would end the role's session for the rest of its run; tests/auth covers logout.
EXCLUDED_PATHS = ("/api/v1/auth/logout",)


@dataclass
class RoleRun:
    role: str
    exit_code: int
    seconds: float
    summary: str


def main() -> int:
    options = parse_arguments()
    with (
        tempfile.TemporaryDirectory(prefix="tl-fuzz-") as folder,
        live_service(Path(folder) / "var") as service,
    ):
        accounts = seed(service)
        print(f"server {service.base_url}, schema {service.base_url}/openapi.json", flush=True)
        runs = [fuzz(service, role, accounts[role], options) for role in ROLES]
        if any(run.exit_code != 0 for run in runs):
            print("--- server log (last lines) ---\n" + service.log_tail(60))
    print_summary(runs)
    return 0 if all(run.exit_code == 0 for run in runs) else 1


ROLES = ("student", "instructor", "admin")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-role", type=int, default=45)
    parser.add_argument("--max-examples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261126)
    return parser.parse_args()


def seed(service: LiveService) -> dict[str, Account]:
    """People and a small school: one course, one term, both enrolled, three lessons."""
    admin = service.create_admin("admin@fuzz.example", PASSWORD)
    with service.client(admin) as http:
        people = {}
        for role in ("instructor", "student"):
            body = {"email": f"{role}@fuzz.example", "password": PASSWORD, "username": role}
            body |= {"full_name": f"Fuzz {role.title()}", "role": role.upper()}
            http.post("/api/v1/users", json=body).raise_for_status()
            people[role] = service.sign_in(Account(email=body["email"], password=PASSWORD))
        course = http.post("/api/v1/courses", json={"name": "Fuzzing 101"}).json()
        term = http.post(f"/api/v1/courses/{course['id']}/terms", json={}).json()
        for role, person in people.items():
            member = {"user_id": person.id, "role": role.upper()}
            http.post(f"/api/v1/terms/{term['id']}/members", json=member).raise_for_status()
    with service.client(people["instructor"]) as http:
        start = datetime.now(UTC) + timedelta(days=1)
        for number in range(3):
            lesson = {"term_id": term["id"], "title": f"Lesson {number}", "duration_min": 60}
            lesson["start_date"] = (start + timedelta(days=number)).isoformat()
            http.post("/api/v1/lessons", json=lesson).raise_for_status()
    return {"admin": admin, **people}


def fuzz(service: LiveService, role: str, account: Account, options: argparse.Namespace) -> RoleRun:
    print(f"\n=== schemathesis as {role} ({options.seconds_per_role}s budget) ===", flush=True)
    command = [
        str(SCHEMATHESIS), "run", f"{service.base_url}/openapi.json",
        "--header", f"Authorization: Bearer {account.token}",
        "--checks", CHECKS,
        "--max-time", str(options.seconds_per_role),
        "--max-examples", str(options.max_examples),
        "--seed", str(options.seed),
        "--workers", "1",
        "--generation-database", "none",
        "--request-timeout", "20",
        "--no-color",
    ]  # fmt: skip
    for path in EXCLUDED_PATHS:
        command += ["--exclude-path", path]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    output = done.stdout + done.stderr
    print(output.replace(account.token, "<token>"), flush=True)
    return RoleRun(role, done.returncode, time.monotonic() - started, last_line(output))


def last_line(output: str) -> str:
    lines = [line.strip("= ").strip() for line in output.splitlines() if line.strip("= ")]
    return lines[-1] if lines else "(no output)"


def print_summary(runs: list[RoleRun]) -> None:
    print("\nschemathesis summary (checks: " + CHECKS + ")")
    print(f"{'role':<11} {'result':<7} {'time':>6}  schemathesis")
    for run in runs:
        verdict = "ok" if run.exit_code == 0 else "FAILED"
        print(f"{run.role:<11} {verdict:<7} {run.seconds:>5.0f}s  {run.summary}")


if __name__ == "__main__":
    sys.exit(main())
