"""R11, R12: every route the app serves, called by each role, as owner and non-owner.

`MATRIX` holds one row per (method, path) with the expected outcome for each role:
- "ok": authorized (2xx, a redirect anywhere but the sign-in page, or 409/422 when the body
  or the object's state is refused),
- "own": authorized, for someone outside course A: the answer holds none of course A's data
  (a list, a queue or a page of one's own shows only what is in the caller's reach),
- "peer": authorized, for a member of course A who does not manage it: the answer names none
  of its other people,
- "no": refused, 403 or 404, and the answer carries none of the object's data,
- "401": not signed in; a page sends the browser to the sign-in page instead (303).
The routes are all of `app.routes`: the OpenAPI schema's, called as an API client (Bearer
token), and those left out of it (pages, pictures, the docs, static files), called as a
browser (session cookie, CSRF token, `Accept: text/html`). A route without a row, or a row
for a route that no longer exists, fails the test. The world is `matrix_world.py`'s; ids in
paths are always course A's objects, `{user_id}` means `student`. Destructive routes get a
fresh world for every role. A certificate route's "ok" is only `student`'s signed certificate
(200), checked as anyone would check it, for the world's decided lesson or its term.
Query parameters are left out here; `test_query_matrix.py` tries each of them, by every role.
"""

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount

from tests.security.matrix_world import ROLES, World, build_world, next_number
from tests.support.factories import PASSWORD
from trust_lesson.evidence.certificate_check import CertificateInvalid, check_certificate
from trust_lesson.evidence.certificates import CREDENTIAL_TYPE, TERM_CREDENTIAL_TYPE
from trust_lesson.runtime import Runtime

MISSING_CHALLENGE = 2_000_000_000
ALLOWED = frozenset({"ok", "own", "peer"})

# role order:  anonymous, student, other_student, instructor, other_instructor, admin,
#               co_instructor, member_instructor
PUBLIC = ("own", "ok", "own", "ok", "own", "ok", "ok", "peer")
SIGNED_IN = ("401", "ok", "own", "ok", "own", "ok", "ok", "peer")
ADMIN_ONLY = ("401", "no", "no", "no", "no", "ok", "no", "no")
STAFF = ("401", "no", "no", "ok", "own", "ok", "ok", "peer")
COURSE_STAFF = ("401", "no", "no", "ok", "no", "ok", "ok", "no")
COURSE_PEOPLE = ("401", "ok", "no", "ok", "no", "ok", "ok", "peer")
SELF_OR_ADMIN = ("401", "ok", "no", "no", "no", "ok", "no", "no")
SELF_ONLY = ("401", "ok", "no", "no", "no", "no", "no", "no")
TEACHER_ONLY = ("401", "no", "no", "ok", "no", "no", "no", "no")
ENROLLED_STUDENT = ("401", "ok", "no", "no", "no", "no", "no", "peer")
OWNER_OR_REVIEWERS = ("401", "ok", "no", "ok", "no", "ok", "ok", "no")
REVIEWERS = COURSE_STAFF  # of the capture's lesson, or of the verification's person

API: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/.well-known/trust-lesson/keys"): PUBLIC,
    ("GET", "/api/v1/evidence/checkpoint"): PUBLIC,
    ("GET", "/api/v1/evidence/status-list"): PUBLIC,
    ("POST", "/api/v1/evidence/verify"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("GET", "/api/v1/users/me"): SIGNED_IN,
    ("PATCH", "/api/v1/users/me"): SIGNED_IN,
    ("DELETE", "/api/v1/users/me"): SIGNED_IN,  # refused in words (409) to admins, teachers
    ("GET", "/api/v1/users"): ADMIN_ONLY,
    ("POST", "/api/v1/users"): ADMIN_ONLY,
    ("GET", "/api/v1/users/{user_id}"): SELF_OR_ADMIN,
    ("PATCH", "/api/v1/users/{user_id}"): SELF_OR_ADMIN,
    ("DELETE", "/api/v1/users/{user_id}"): ADMIN_ONLY,
    ("GET", "/api/v1/users/{user_id}/consent"): SELF_OR_ADMIN,
    ("POST", "/api/v1/users/{user_id}/consent"): SELF_ONLY,
    ("DELETE", "/api/v1/users/{user_id}/consent"): SELF_ONLY,
    ("GET", "/api/v1/users/{user_id}/face-enrolment"): SELF_OR_ADMIN,
    ("POST", "/api/v1/users/{user_id}/face-enrolment"): SELF_ONLY,
    ("DELETE", "/api/v1/users/{user_id}/face-enrolment"): SELF_OR_ADMIN,
    ("GET", "/api/v1/users/{user_id}/identity"): SELF_OR_ADMIN,
    ("PUT", "/api/v1/users/{user_id}/identity"): SELF_OR_ADMIN,
    ("GET", "/api/v1/users/{user_id}/export"): SELF_ONLY,
    ("POST", "/api/v1/users/{user_id}/identity/verifications"): SELF_ONLY,
    ("GET", "/api/v1/identity-verifications"): STAFF,  # scoped: each reviewer's own people
    ("GET", "/api/v1/identity-verifications/{verification_id}"): OWNER_OR_REVIEWERS,
    ("POST", "/api/v1/identity-verifications/{verification_id}/review"): REVIEWERS,
    ("GET", "/api/v1/identity-verifications/{verification_id}/pictures/{kind}"): REVIEWERS,
    ("GET", "/api/v1/courses"): SIGNED_IN,
    ("POST", "/api/v1/courses"): STAFF,
    ("GET", "/api/v1/courses/{course_id}"): COURSE_PEOPLE,
    ("PATCH", "/api/v1/courses/{course_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/courses/{course_id}"): COURSE_STAFF,
    ("GET", "/api/v1/courses/{course_id}/terms"): COURSE_PEOPLE,
    ("POST", "/api/v1/courses/{course_id}/terms"): COURSE_STAFF,
    ("GET", "/api/v1/terms/{term_id}"): COURSE_PEOPLE,
    ("PATCH", "/api/v1/terms/{term_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/terms/{term_id}"): COURSE_STAFF,
    ("GET", "/api/v1/terms/{term_id}/members"): COURSE_STAFF,
    ("POST", "/api/v1/terms/{term_id}/members"): COURSE_STAFF,
    ("PATCH", "/api/v1/terms/{term_id}/members/{user_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/terms/{term_id}/members/{user_id}"): COURSE_STAFF,
    ("GET", "/api/v1/terms/{term_id}/report"): COURSE_STAFF,
    ("GET", "/api/v1/lessons"): SIGNED_IN,
    ("POST", "/api/v1/lessons"): COURSE_STAFF,
    ("GET", "/api/v1/lessons/{lesson_id}"): COURSE_PEOPLE,
    ("PATCH", "/api/v1/lessons/{lesson_id}"): COURSE_STAFF,
    ("DELETE", "/api/v1/lessons/{lesson_id}"): COURSE_STAFF,
    ("POST", "/api/v1/lessons/{lesson_id}/start"): TEACHER_ONLY,
    ("POST", "/api/v1/lessons/{lesson_id}/stop"): TEACHER_ONLY,
    ("POST", "/api/v1/terms/{term_id}/lessons/import"): COURSE_STAFF,
    ("POST", "/api/v1/lessons/{lesson_id}/join"): ENROLLED_STUDENT,
    ("GET", "/api/v1/lessons/{lesson_id}/challenges/next"): ENROLLED_STUDENT,
    ("GET", "/api/v1/lessons/{lesson_id}/checks"): ENROLLED_STUDENT,
    ("POST", "/api/v1/lessons/{lesson_id}/captures"): ENROLLED_STUDENT,
    ("GET", "/api/v1/captures/{capture_id}"): OWNER_OR_REVIEWERS,
    ("GET", "/api/v1/lessons/{lesson_id}/roster"): COURSE_STAFF,
    ("GET", "/api/v1/lessons/{lesson_id}/attendance"): COURSE_PEOPLE,
    ("POST", "/api/v1/lessons/{lesson_id}/attendance/{user_id}"): COURSE_STAFF,
    ("GET", "/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate"): OWNER_OR_REVIEWERS,
    ("GET", "/api/v1/terms/{term_id}/attendance/{user_id}/certificate"): OWNER_OR_REVIEWERS,
    ("GET", "/api/v1/reviews"): STAFF,
    ("POST", "/api/v1/decisions/{decision_id}/appeals"): SELF_ONLY,  # only one's own decision
    ("GET", "/api/v1/appeals"): SIGNED_IN,  # scoped: one's own, and those one answers
    ("POST", "/api/v1/appeals/{appeal_id}/answer"): REVIEWERS,  # of the appealed lesson
    ("POST", "/api/v1/captures/{capture_id}/review"): REVIEWERS,
    ("GET", "/api/v1/courses/{course_id}/policy"): COURSE_PEOPLE,  # students see the rules
    ("PUT", "/api/v1/courses/{course_id}/policy"): COURSE_STAFF,
    ("DELETE", "/api/v1/courses/{course_id}/policy"): COURSE_STAFF,
}

# Left out of the schema: called as a browser. `{path}` of a mount is one of its files.
PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("HEAD", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/assets/ui/{path}"): PUBLIC,
    ("GET", "/docs/assets/app/{path}"): PUBLIC,
    ("GET", "/static/{path}"): PUBLIC,
    ("GET", "/"): PUBLIC,  # to the sign-in page, or to the person's home
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("GET", "/password"): SIGNED_IN,
    ("POST", "/password"): SIGNED_IN,
    ("GET", "/delete-account"): SIGNED_IN,
    ("POST", "/delete-account"): SIGNED_IN,  # refused in words (409) to admins, teachers
    ("GET", "/home"): SIGNED_IN,  # staff are sent on to /lessons
    ("GET", "/consent"): SIGNED_IN,
    ("POST", "/consent"): SIGNED_IN,
    ("POST", "/consent/withdraw"): SIGNED_IN,
    ("GET", "/enrolment"): SIGNED_IN,
    ("GET", "/identity"): SIGNED_IN,
    ("POST", "/identity"): SIGNED_IN,
    ("GET", "/identity/result"): SIGNED_IN,
    ("GET", "/certificates"): SIGNED_IN,  # staff are sent on to /lessons
    ("GET", "/verify"): PUBLIC,
    ("GET", "/lessons/{lesson_id}/room"): ENROLLED_STUDENT,
    ("GET", "/lessons"): STAFF,
    ("GET", "/lessons/{lesson_id}"): COURSE_STAFF,
    ("GET", "/lessons/{lesson_id}/roster"): COURSE_STAFF,
    ("GET", "/lessons/{lesson_id}/history"): COURSE_STAFF,
    ("POST", "/lessons/{lesson_id}/start"): TEACHER_ONLY,
    ("POST", "/lessons/{lesson_id}/stop"): TEACHER_ONLY,
    ("POST", "/lessons/{lesson_id}/edit"): COURSE_STAFF,
    ("POST", "/lessons/{lesson_id}/delete"): COURSE_STAFF,
    ("GET", "/reviews"): STAFF,
    ("GET", "/captures/{capture_id}"): REVIEWERS,
    ("GET", "/captures/{capture_id}/picture"): REVIEWERS,
    ("GET", "/captures/{capture_id}/frames/{number}"): REVIEWERS,
    ("POST", "/captures/{capture_id}/review"): REVIEWERS,
    ("POST", "/decisions/{decision_id}/appeal"): SELF_ONLY,
    ("POST", "/appeals/{appeal_id}/answer"): REVIEWERS,
    ("GET", "/identity-reviews"): STAFF,
    ("POST", "/identity-reviews/{verification_id}"): REVIEWERS,
    ("GET", "/admin/users"): ADMIN_ONLY,
    ("POST", "/admin/users"): ADMIN_ONLY,
    ("POST", "/admin/users/{user_id}"): ADMIN_ONLY,
    ("POST", "/admin/users/{user_id}/delete"): ADMIN_ONLY,
    ("GET", "/admin/courses"): STAFF,
    ("POST", "/admin/courses"): STAFF,
    ("GET", "/admin/courses/{course_id}"): COURSE_STAFF,
    ("POST", "/admin/courses/{course_id}"): COURSE_STAFF,
    ("POST", "/admin/courses/{course_id}/delete"): COURSE_STAFF,  # refused: its lessons were given
    ("POST", "/admin/courses/{course_id}/terms"): COURSE_STAFF,
    ("POST", "/admin/courses/{course_id}/policy"): COURSE_STAFF,
    ("GET", "/admin/terms/{term_id}"): COURSE_STAFF,
    ("POST", "/admin/terms/{term_id}"): COURSE_STAFF,
    ("POST", "/admin/terms/{term_id}/members"): COURSE_STAFF,
    ("POST", "/admin/terms/{term_id}/members/{user_id}"): COURSE_STAFF,
    ("POST", "/admin/terms/{term_id}/members/{user_id}/remove"): COURSE_STAFF,
    ("POST", "/admin/terms/{term_id}/lessons"): COURSE_STAFF,
    ("POST", "/admin/terms/{term_id}/import"): COURSE_STAFF,
    ("GET", "/admin/terms/{term_id}/report"): COURSE_STAFF,
    ("GET", "/admin/evidence"): ADMIN_ONLY,
}
MATRIX = {**API, **PAGES}

# Authorized, then refused for an object of the body that does not exist (not the path's).
PAST_AUTHORIZATION = {
    ("POST", "/api/v1/lessons/{lesson_id}/captures"): "No such challenge.",
}
# Authorized: the student's certificate, of this type.
CERTIFICATES = {
    ("GET", "/api/v1/lessons/{lesson_id}/attendance/{user_id}/certificate"): CREDENTIAL_TYPE,
    ("GET", "/api/v1/terms/{term_id}/attendance/{user_id}/certificate"): TERM_CREDENTIAL_TYPE,
}
DESTRUCTIVE = {"DELETE"}
DESTRUCTIVE_ROUTES = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/lessons/{lesson_id}/join"),
    ("POST", "/lessons/{lesson_id}/delete"),
    # a decision settles the object: the next reviewer would be refused for its state
    ("POST", "/api/v1/identity-verifications/{verification_id}/review"),
    ("POST", "/identity-reviews/{verification_id}"),
    ("POST", "/api/v1/appeals/{appeal_id}/answer"),
    ("POST", "/appeals/{appeal_id}/answer"),
    ("POST", "/admin/terms/{term_id}/members/{user_id}/remove"),
    ("POST", "/delete-account"),
}


def request_for(method: str, template: str, world: World) -> dict[str, Any]:
    """A plausible request: valid where a route checks access only after reading the body."""
    number = next_number()
    student = world.people["student"].user
    someone = {"email": f"new{number}@matrix.example", "password": PASSWORD,
               "full_name": "New Person", "username": f"new{number}"}  # fmt: skip
    review = {"decision": "VERIFIED", "reason": "seen in the video call"}
    appeal = {"reason": "I was in the video call"}
    appeal_answer = {"outcome": "UPHELD", "reply": "the checks stand"}
    unchanged_password = {"current_password": "wrong", "new_password": "a", "repeat_password": "b"}
    enrolment = {"email": world.people["other_student"].user.email, "role": "STUDENT"}
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/auth/login"): {"email": student.email, "password": PASSWORD},
        ("POST", "/api/v1/auth/register"): someone,
        ("PATCH", "/api/v1/users/me"): {"full_name": "Renamed Person"},
        ("DELETE", "/api/v1/users/me"): {"current_password": PASSWORD},
        ("POST", "/api/v1/users"): {**someone, "role": "STUDENT"},
        ("PATCH", "/api/v1/users/{user_id}"): {"full_name": "Renamed Person"},
        ("POST", "/api/v1/users/{user_id}/consent"): {},
        ("POST", "/api/v1/courses"): {"name": f"New course {number}"},
        ("PATCH", "/api/v1/courses/{course_id}"): {"description": "changed"},
        ("POST", "/api/v1/courses/{course_id}/terms"): {},
        ("PATCH", "/api/v1/terms/{term_id}"): {"status": "RUNNING"},
        ("POST", "/api/v1/terms/{term_id}/members"): enrolment,
        ("PATCH", "/api/v1/terms/{term_id}/members/{user_id}"): {"role": "STUDENT"},
        ("POST", "/api/v1/lessons"): {
            "term_id": world.term["id"], "title": "Another lesson", "duration_min": 45,
            "start_date": "2026-03-09T09:00:00+00:00",
        },
        ("PATCH", "/api/v1/lessons/{lesson_id}"): {"title": "Renamed lesson"},
        ("POST", "/api/v1/captures/{capture_id}/review"): review,
        ("POST", "/api/v1/identity-verifications/{verification_id}/review"): review,
        ("PUT", "/api/v1/courses/{course_id}/policy"): {},
        ("POST", "/api/v1/lessons/{lesson_id}/attendance/{user_id}"): {
            "decision": "ATTENDED", "reason": "seen in the video call",
        },
        ("PUT", "/api/v1/users/{user_id}/identity"): {
            "document_number": "L898902C3", "document_type": "PASSPORT",
            "full_name": "Anna Maria Eriksson", "parent_full_name": "Erik Eriksson",
        },
        ("POST", "/api/v1/evidence/verify"): {"type": ["VerifiableCredential"]},
        ("POST", "/api/v1/decisions/{decision_id}/appeals"): appeal,
        ("POST", "/api/v1/appeals/{appeal_id}/answer"): appeal_answer,
    }  # fmt: skip
    forms: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/login"): {"email": student.email, "password": PASSWORD},
        ("POST", "/password"): unchanged_password,
        ("POST", "/delete-account"): {"current_password": PASSWORD},
        ("POST", "/register"): someone,
        ("POST", "/captures/{capture_id}/review"): review,
        ("POST", "/identity-reviews/{verification_id}"): review,
        ("POST", "/decisions/{decision_id}/appeal"): appeal,
        ("POST", "/appeals/{appeal_id}/answer"): appeal_answer,
        ("POST", "/admin/users"): {**someone, "role": "STUDENT"},
        ("POST", "/admin/courses"): {"name": f"New course {number}"},
        ("POST", "/admin/terms/{term_id}/members"): enrolment,
        ("POST", "/admin/terms/{term_id}/members/{user_id}"): {"role": "STUDENT"},
        ("POST", "/admin/terms/{term_id}"): {"status": "RUNNING", "start_date": "2026-03-02"},
        ("POST", "/admin/courses/{course_id}"): {"name": f"Renamed course {number}"},
    }
    multipart = {"/api/v1/users/{user_id}/face-enrolment", "/api/v1/lessons/{lesson_id}/captures",
                 "/api/v1/terms/{term_id}/lessons/import",
                 "/api/v1/users/{user_id}/identity/verifications"}  # fmt: skip
    if (method, template) in bodies:
        return {"json": bodies[(method, template)]}
    if (method, template) in forms:
        return {"data": forms[(method, template)]}
    if (method, template) == ("POST", "/api/v1/lessons/{lesson_id}/captures"):
        form = {"challenge_id": str(MISSING_CHALLENGE), "nonce": "n" * 16}
        return {"data": form, "files": {"image": ("face.jpg", b"\xff\xd8\xff", "image/jpeg")}}
    if method == "POST" and template in multipart:
        return {"files": {"unrelated": ("note.txt", b"not what is asked for", "text/plain")}}
    if method == "POST":
        return {"data": {}}
    return {}


def schema_routes(app: FastAPI) -> set[tuple[str, str]]:
    document = app.openapi()
    return {(m.upper(), p) for p, operations in document["paths"].items() for m in operations}


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) of `app.routes`, in the schema or not; a mount as `.../{path}`."""
    served = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            served.add(("GET", f"{route.path}/{{path}}"))
        else:
            served |= {(method, route.path) for method in route.methods or ()}
    return served


def mounted_files(app: FastAPI) -> dict[str, str]:
    """For each static mount, `.../{path}` -> one file it serves."""
    files = {}
    for route in iter_route_contexts(app.routes):
        mounted = route.original_route
        if isinstance(mounted, Mount) and isinstance(mounted.app, StaticFiles):
            folder = Path(str(mounted.app.directory))
            first = min(path for path in folder.rglob("*") if path.is_file())
            files[f"{route.path}/{{path}}"] = first.relative_to(folder).as_posix()
    return files


def test_the_matrix_has_a_row_for_every_route_and_no_other(app: FastAPI) -> None:
    routes = served_routes(app)

    assert schema_routes(app) <= routes
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows for routes that do not exist"
    assert sorted(API.keys() ^ schema_routes(app)) == [], "API rows are the schema's routes"
    assert all(len(cells) == len(ROLES) for cells in MATRIX.values())


def verdict(expected: str, response: httpx.Response, world: World, role: str) -> str | None:
    status = response.status_code
    route = (response.request.method, world.template)
    location = response.headers.get("location", "")
    to_sign_in = status == 303 and location.startswith("/login?next=")
    # a form posted signed out leads to the sign-in page itself, not back to the form's address
    form_to_sign_in = status == 303 and location == "/login" and route[0] == "POST"
    if status == 404 and expected in ALLOWED and route in PAST_AUTHORIZATION:
        return None if PAST_AUTHORIZATION[route] in response.text else "404, expected access"
    if status >= 500:
        return f"server error {status}"
    if expected == "401":
        return (
            None
            if status == 401 or (route in PAGES and (to_sign_in or form_to_sign_in))
            else f"{status}, expected 401"
        )
    if expected == "no" and status not in (403, 404):
        return f"{status}, expected 403 or 404"
    if expected in ALLOWED and (status in (401, 403, 404) or to_sign_in):
        return f"{status}, expected access"
    if expected in ALLOWED and route in CERTIFICATES:
        return certificate_problem(response, world, CERTIFICATES[route])
    secrets = {"no": world.secrets_of_course_a(), "own": world.secrets_of_course_a(),
               "peer": world.people_of_course_a()}.get(expected, [])  # fmt: skip
    # the caller's own name and email are no secret from them (a signed-in page shows them)
    own = world.identity_of(role)
    leaked = [secret for secret in secrets if secret in response.text and secret not in own]
    return f"{status}, but the body holds {leaked}" if leaked else None


def certificate_problem(response: httpx.Response, world: World, kind: str) -> str | None:
    """None for `student`'s certificate of the decided lesson (or its term) that holds."""
    answered = (response.status_code, response.headers.get("content-type"))
    if answered != (200, "application/json"):
        return f"{answered}, expected a certificate"
    document = response.json()
    try:
        check_certificate(document, world.school_keys)
    except CertificateInvalid as error:
        return f"a certificate that does not hold: {error}"
    subject = document["credentialSubject"]
    lessons = subject.get("lessons", [subject.get("lesson", {})])
    found = (document["type"][-1], subject["name"], [lesson.get("id") for lesson in lessons])
    expected = (kind, world.people["student"].user.full_name, [world.decided_lesson["id"]])
    return None if found == expected else f"a certificate of {found}, expected {expected}"


def excerpt(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "")
    return response.text[:120] if kind.startswith(("text/", "application/json")) else kind


async def call(
    client: httpx.AsyncClient, app: FastAPI, world: World, role: str, route: tuple[str, str]
) -> httpx.Response:
    method, template = route
    if route in PAGES:
        headers = world.browser_headers(role, app.state.runtime.settings.resolved_secret_key())
    else:
        headers = world.api_headers(role)
    client.cookies.clear()  # a page that signs in leaves its cookie: each call is its own
    path = world.path(template, mounted_files(app))
    return await client.request(method, path, headers=headers, **request_for(*route, world))


@pytest.mark.parametrize(
    ("method", "template"), sorted(MATRIX), ids=[" ".join(r) for r in sorted(MATRIX)]
)
async def test_each_role_gets_what_the_matrix_says(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, method: str, template: str
) -> None:
    destructive = method in DESTRUCTIVE or (method, template) in DESTRUCTIVE_ROUTES
    world = await build_world(client, runtime)
    wrong = []

    for role, expected in zip(ROLES, MATRIX[(method, template)], strict=True):
        if destructive and role != ROLES[0]:
            world = await build_world(client, runtime)
        response = await call(client, app, world, role, (method, template))
        problem = verdict(expected, response, world, role)
        if problem:
            wrong.append(f"{role}: {problem} ({excerpt(response)})")

    assert wrong == []


async def test_the_students_certificates_page_leads_to_both_certificates(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The /certificates row's "ok" for `student`, looked into: the page lists the decided
    lesson and links both certificates; each link, followed by the same browser, gives the
    certificate the matrix checks (lesson first, then term: the order that once mixed them)."""
    world = await build_world(client, runtime)
    headers = world.browser_headers("student", runtime.settings.resolved_secret_key())

    page = await client.get("/certificates", headers=headers)

    assert page.status_code == 200 and world.decided_lesson["title"] in page.text
    for (_, template), kind in CERTIFICATES.items():
        url = world.path(template, {})
        assert f'href="{url}?format=json&amp;download=1"' in page.text
        linked = await client.get(url, params={"format": "json", "download": "1"}, headers=headers)
        assert certificate_problem(linked, world, kind) is None
