"""R11, R13, R15: the authorization matrix again, each query parameter varied, by every role.

`test_authorization_matrix.py` calls every route with its query parameters left out. Here
each route that takes query parameters is called again, one parameter set at a time: to the
ids of another course, past the last page, zero, negative and huge numbers, moments and days
outside the years a lesson can have, words that are not one of the choices. `QUERIES` is the
table: a row per route, each of its query parameters with the values it is tried with. A
route that takes a query parameter the table lacks, or a row naming one it does not take,
fails the first test (as a route without a matrix row fails the matrix).

A value is either
- served: in range, so a caller with access gets what the matrix row says (past the end: an
  empty page; another course's term: what the caller may see of it, nothing);
- refused: out of range or not of its type, so a caller with access gets 422.
Whatever the value, a caller without access is refused as the row says (401, the sign-in
page, 403 or 404), nobody gets a server error, and every answer is scanned: for course A's
secrets as the row says (and for a signed-out caller; `student` also by id), for course B's
secrets for everyone outside course B, and for what a value must not bring into the page
(another site's address).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

import trust_lesson
from tests.security.matrix_world import ROLES, World, build_world
from tests.security.test_authorization_matrix import (
    ALLOWED,
    CERTIFICATES,
    MATRIX,
    PAGES,
    verdict,
)
from trust_lesson.runtime import Runtime

HUGE = 10**20  # more than any database integer holds
MISSING = 2_000_000_000  # a row id nothing has


@dataclass(frozen=True)
class Value:
    label: str
    given: object  # or a function of the world: an id of one of its objects
    served: bool
    kept_out: str = ""  # text the answer must not hold

    def of(self, world: World) -> object:
        return self.given(world) if callable(self.given) else self.given


def served(label: str, given: object, kept_out: str = "") -> Value:
    return Value(label, given, served=True, kept_out=kept_out)


def refused(label: str, given: object) -> Value:
    return Value(label, given, served=False)


def notices(*known: str) -> tuple[Value, ...]:
    """A page's `done`/`saved` word: the known ones, and markup that must not come back."""
    unknown = (served("markup", "<b>x</b>", "<b>x</b>"), served("a NUL character", "\x00"))
    return (*(served(word, word) for word in known), *unknown)


PAGE = (served("past the end", 10_000), refused("zero", 0), refused("negative", -1),
        refused("huge", HUGE))  # fmt: skip
LIMIT = (served("the cap", 200), refused("over the cap", 201), refused("zero", 0),
         refused("huge", HUGE))  # fmt: skip
OFFSET = (served("past the end", 1_000_000), refused("negative", -1), refused("huge", HUGE))
LISTED = {"limit": LIMIT, "offset": OFFSET}
FLAG = (served("true", "true"), refused("not yes or no", "maybe"))
TERM = (
    served("course A's term", lambda world: world.term["id"]),
    served("course B's term", lambda world: world.other_term["id"]),
    served("no such term", MISSING), refused("zero", 0), refused("past any row id", 2**31),
    refused("huge", HUGE), refused("not a number", "A"),
)  # fmt: skip
MOMENT = (
    served("the earliest", "1970-01-01T00:00:00Z"),
    refused("before 1970 by its offset", "1970-01-01T00:00:00+14:00"),
    refused("year 1, far east", "0001-01-01T00:00:00+14:00"),
    refused("year 9999, far west", "9999-12-31T23:59:59-14:00"), refused("not a moment", "soon"),
)  # fmt: skip
DAY = (served("the first day", "1970-01-01"), served("the last day", "2199-12-31"),
       refused("year 1", "0001-01-01"), refused("not a day", "soon"))  # fmt: skip
# The notice naming a deleted lesson shows only with its seal, made for the viewer's session.
DELETED_NOTICE = {
    "deleted": (
        served("a notice without its seal", "Your account is closed.", "Your account is closed."),
        served("markup", "<b>x</b>", "<b>x</b>"), served("a NUL character", "\x00"),
        refused("too long", "x" * 1001),
    ),
    "sealed": (served("not its seal", "0" * 32), served("not hex", "é"),
             refused("too long", "0" * 65)),
}  # fmt: skip
CERTIFICATE = {
    "format": (served("pdf", "pdf"), refused("not a format", "xml")),
    "download": FLAG,
}
QUERIES: dict[tuple[str, str], dict[str, tuple[Value, ...]]] = {
    ("GET", "/api/v1/users"): {
        "role": (served("admins", "ADMIN"), refused("no role", "ROOT")),
        **LISTED,
    },
    ("GET", "/api/v1/identity-verifications"): {
        "status": (served("for a reviewer", "NEEDS_REVIEW"), refused("no status", "LOST")),
        **LISTED,
    },
    ("GET", "/api/v1/courses"): LISTED,
    ("GET", "/api/v1/courses/{course_id}/terms"): LISTED,
    ("GET", "/api/v1/terms/{term_id}/members"): LISTED,
    ("GET", "/api/v1/terms/{term_id}/report"): {
        "format": (served("csv", "csv"), refused("not a format", "xlsx")),
        **LISTED,
    },
    ("GET", "/api/v1/lessons"): {"term_id": TERM, "start": MOMENT, "end": MOMENT, **LISTED},
    ("GET", "/api/v1/lessons/{lesson_id}/challenges/next"): {
        "wait": (
            served("at once", 0),
            refused("over the longest wait", 61),
            refused("negative", -1),
            refused("huge", HUGE),
        ),
    },
    ("GET", "/api/v1/lessons/{lesson_id}/roster"): LISTED,
    ("GET", "/api/v1/lessons/{lesson_id}/attendance"): {"history": FLAG, **LISTED},
    ("GET", "/api/v1/reviews"): LISTED,
    ("GET", "/api/v1/appeals"): {"open_only": FLAG, **LISTED},
    ("GET", "/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate"): CERTIFICATE,
    ("GET", "/api/v1/terms/{term_id}/attendance/{user_id}/certificate"): CERTIFICATE,
    ("GET", "/login"): {
        "next": (
            served("a page here", "/lessons"),
            served("another site", "https://evil.example/", "evil.example"),
            served("another site, no scheme", "//evil.example/", "evil.example"),
        ),
        "done": notices("signed-out", "deleted"),
    },
    ("GET", "/password"): {"done": notices("changed")},
    ("GET", "/consent"): {"done": notices("given", "withdrawn")},
    ("GET", "/identity"): {"done": notices("saved", "unchanged")},
    ("GET", "/lessons"): {"from": DAY, "to": DAY, "page": PAGE, **DELETED_NOTICE},
    ("GET", "/lessons/{lesson_id}"): {"roster_page": PAGE, "done": notices("changed", "unchanged")},
    ("GET", "/lessons/{lesson_id}/roster"): {"roster_page": PAGE},
    ("GET", "/lessons/{lesson_id}/history"): {"roster_page": PAGE},
    ("GET", "/reviews"): {"pictures_page": PAGE, "appeals_page": PAGE},
    ("GET", "/captures/{capture_id}"): {
        "back": (
            served("from the queue", "queue"),
            served("markup", "<b>x</b>", "<b>x</b>"),
            refused("too long", "x" * 11),
        ),
        "pictures_page": PAGE,
        "appeals_page": PAGE,
    },
    ("GET", "/identity-reviews"): {
        "decided": (
            served("course A's verification", lambda world: world.verification_id),
            served("no such verification", MISSING),
            refused("not a number", "x"),
        ),
        "page": PAGE,
    },
    ("GET", "/admin/users"): {
        "done": notices("created", "deleted", "role", "same-role", "disabled", "enabled"),
        "user": (
            served("course A's student", lambda world: world.people["student"].id),
            served("no such account", MISSING),
            refused("zero", 0),
            refused("not a number", "x"),
        ),
        "page": PAGE,
    },
    ("GET", "/admin/courses"): {"done": notices("deleted"), "page": PAGE},
    ("GET", "/admin/courses/{course_id}"): {"saved": notices("policy", "course"), "page": PAGE},
    ("GET", "/admin/terms/{term_id}"): {
        "done": notices("enrolled", "lesson", "imported", "term", "role", "same-role", "removed"),
        "user": (
            served("course A's student", lambda world: world.people["student"].id),
            served("no such account", MISSING),
            refused("zero", 0),
            refused("not a number", "x"),
        ),
        "sealed": (
            served("not this session's", "0" * 32),
            served("markup", "<b>x</b>", "<b>x</b>"),
            refused("too long", "x" * 65),
        ),
        "members_page": PAGE,
        "lessons_page": PAGE,
    },
    ("GET", "/admin/terms/{term_id}/report"): {"page": PAGE},
    ("GET", "/verify"): {
        "credential": (
            served("not issued", "urn:uuid:00000000-0000-4000-8000-000000000000"),
            refused("too long", "x" * 201),
            refused("a NUL character", "urn:uuid:\x00"),  # PostgreSQL text cannot hold it
        ),
    },
}
# `{lesson_id}` is the decided lesson here: its decisions and their history are what a query
# could widen (the matrix's planned lesson has none).
ON_THE_DECIDED_LESSON = frozenset({
    "/api/v1/lessons/{lesson_id}/attendance", "/lessons/{lesson_id}",
    "/lessons/{lesson_id}/roster", "/lessons/{lesson_id}/history",
})  # fmt: skip
# Access is checked in the service, after the query is read: a refused value is refused before
# who asks matters (the same 422 for any lesson, in reach or not, so it tells nothing).
REFUSED_BEFORE_ACCESS = frozenset({("GET", "/api/v1/lessons/{lesson_id}/challenges/next")})
IN_COURSE_B = frozenset({"other_student", "other_instructor", "admin"})
KEPT_FROM: dict[str, Callable[[World], list[str]]] = {
    "401": World.secrets_of_course_a,
    "no": World.secrets_of_course_a,
    "own": World.secrets_of_course_a,
    "peer": World.people_of_course_a,
}


def query_parameters(app: FastAPI) -> set[tuple[str, str, str]]:
    """(method, path, name) of every query parameter a route or its dependencies declare."""
    found = set()
    for route in iter_route_contexts(app.routes):
        dependant: Dependant | None = getattr(route, "dependant", None)  # a mount has none
        if dependant is None:
            continue
        names = {field.alias for each in flattened(dependant) for field in each.query_params}
        found |= {(method, route.path, name) for method in route.methods for name in names}
    return found


def flattened(dependant: Dependant) -> list[Dependant]:
    return [dependant, *(inner for sub in dependant.dependencies for inner in flattened(sub))]


def tabled() -> set[tuple[str, str, str]]:
    return {(*route, name) for route, parameters in QUERIES.items() for name in parameters}


def test_the_table_names_every_query_parameter_and_no_other(app: FastAPI) -> None:
    declared = query_parameters(app)
    in_schema = {
        (method.upper(), path, parameter["name"])
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }

    assert in_schema <= declared
    assert sorted(declared - tabled()) == [], "query parameters missing from QUERIES"
    assert sorted(tabled() - declared) == [], "QUERIES rows for parameters routes do not take"
    assert QUERIES.keys() <= MATRIX.keys()


def test_no_route_reads_the_query_string_past_its_declared_parameters() -> None:
    """A parameter read from `request.query_params` would escape the table's check."""
    source = Path(trust_lesson.__file__).parent
    readers = [path.name for path in source.rglob("*.py") if "query_params" in path.read_text()]
    assert readers == []


def answer_problem(
    expected: str, value: Value, response: httpx.Response, world: World, role: str
) -> str | None:
    status = response.status_code
    route = (response.request.method, world.template)
    if status >= 500:
        return f"server error {status}"
    if not value.served and expected in ALLOWED:
        return None if status == 422 else f"{status}, expected 422"
    if not value.served and expected == "no" and route in REFUSED_BEFORE_ACCESS and status == 422:
        return None
    if expected in ALLOWED and route in CERTIFICATES and value.given == "pdf":
        answered = (status, response.headers.get("content-type"), response.content[:5])
        return None if answered == (200, "application/pdf", b"%PDF-") else f"{answered}"
    return verdict(expected, response, world, role)


def by_id(world: World) -> list[str]:
    """`student` named by id alone: an answer's `user_id`, a roster row's attribute."""
    student_id = world.people["student"].id
    return [f'"user_id":{student_id},', f'data-student-id="{student_id}"']


def leaks(expected: str, value: Value, response: httpx.Response, world: World, role: str) -> str:
    secrets = [*KEPT_FROM[expected](world), *by_id(world)] if expected in KEPT_FROM else []
    secrets += world.secrets_of_course_b() if role not in IN_COURSE_B else []
    secrets += [value.kept_out] if value.kept_out else []
    own = world.identity_of(role)
    leaked = [secret for secret in secrets if secret in response.text and secret not in own]
    return f"the body holds {leaked}" if leaked else ""


async def ask(
    client: httpx.AsyncClient,
    app: FastAPI,
    world: World,
    role: str,
    route: tuple[str, str],
    query: dict[str, object],
) -> httpx.Response:
    """The matrix's call (a page as a browser, the API as a client), with the query."""
    method, template = route
    if route in PAGES:
        headers = world.browser_headers(role, app.state.runtime.settings.resolved_secret_key())
    else:
        headers = world.api_headers(role)
    client.cookies.clear()
    path = world.path(template, {}, decided=template in ON_THE_DECIDED_LESSON)
    return await client.request(method, path, params=query, headers=headers)


@pytest.mark.parametrize(
    ("method", "template"), sorted(QUERIES), ids=[" ".join(r) for r in sorted(QUERIES)]
)
async def test_each_role_gets_what_the_matrix_says_whatever_the_query(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, method: str, template: str
) -> None:
    world = await build_world(client, runtime)
    wrong = []

    for name, values in QUERIES[(method, template)].items():
        for value in values:
            query = {name: value.of(world)}
            for role, expected in zip(ROLES, MATRIX[(method, template)], strict=True):
                response = await ask(client, app, world, role, (method, template), query)
                problem = answer_problem(expected, value, response, world, role)
                problem = problem or leaks(expected, value, response, world, role)
                if problem:
                    wrong.append(f"{name}={value.label} {role}: {problem} ({response.text[:120]})")

    assert wrong == []
