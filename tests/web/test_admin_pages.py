"""Admin and reviewer pages in process: accounts, the policy form, the served picture."""

import io
import re

import httpx
from PIL import Image
from sqlalchemy import select

from tests.support.factories import PASSWORD, login, make_user
from tests.support.presence import add_check
from tests.web.page_forms import SAME_SITE, lesson_of, new_course, page_sign_in
from trust_lesson.db import transaction
from trust_lesson.models import Capture, Course, Role, User
from trust_lesson.presence.verdicts import ChallengeKind, Verdict
from trust_lesson.runtime import Runtime


async def test_an_admin_creates_promotes_and_disables_an_account(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    new = {"email": "eva@school.example", "full_name": "Eva", "username": "eva", "role": "STUDENT"}

    weak = await client.post(
        "/admin/users", data={**new, "password": "short", "csrf_token": csrf}, headers=SAME_SITE
    )
    made = await client.post(
        "/admin/users", data={**new, "password": PASSWORD, "csrf_token": csrf}, headers=SAME_SITE
    )
    eva_headers = await login(client, "eva@school.example")
    async with runtime.session_factory() as db:
        eva = (await db.execute(select(User).where(User.username == "eva"))).scalar_one()
    promoted = await client.post(
        f"/admin/users/{eva.id}", data={"role": "INSTRUCTOR", "csrf_token": csrf}, headers=SAME_SITE
    )
    disabled = await client.post(
        f"/admin/users/{eva.id}", data={"active": "false", "csrf_token": csrf}, headers=SAME_SITE
    )

    assert weak.status_code == 422
    assert "at least 12 characters" in weak.text
    assert (made.status_code, promoted.status_code, disabled.status_code) == (303, 303, 303)
    async with runtime.session_factory() as db:
        changed = await db.get_one(User, eva.id)
        assert (changed.role, changed.is_active) == (Role.INSTRUCTOR, False)
    assert (await client.get("/api/v1/users/me", headers=eva_headers)).status_code == 401


async def test_the_policy_form_explains_bounds_and_refuses_incoherent_numbers(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    course_url = await new_course(client, csrf)

    form = await client.get(course_url, headers=SAME_SITE)
    wrong = await client.post(
        f"{course_url}/policy",
        data={"verified_at": "80", "review_at": "85", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    saved = await client.post(
        f"{course_url}/policy",
        data={"entry_tolerance_min": "10", "recheck_min_gap_min": "2.5", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    shown = await client.get(course_url, headers=SAME_SITE)

    assert "Default 15" in form.text and "at most 1440" in form.text
    assert re.search(r'id="p-entry_tolerance_min"[^>]*value="10"', shown.text)
    assert re.search(r'id="p-recheck_min_gap_min"[^>]*value="2.5"', shown.text)
    assert wrong.status_code == 422
    assert "must not be above the verified threshold" in wrong.text
    assert saved.status_code == 303
    async with runtime.session_factory() as db:
        course = await db.get_one(Course, int(course_url.rsplit("/", 1)[1]))
        assert course.policy is not None
        assert (course.policy["entry_tolerance_min"], course.policy["verified_at"]) == (10, 90)


def hint(page: str, name: str) -> str:
    found = re.search(rf'<p class="hint" id="p-{name}-hint">(.*?)</p>', page, re.S)
    assert found is not None, name
    return " ".join(found.group(1).split())


async def test_the_policy_bounds_read_rounded_and_the_rounded_bound_is_accepted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    course_url = await new_course(client, csrf)

    form = await client.get(course_url, headers=SAME_SITE)
    shortest = {"recheck_min_gap_min": "0.17", "end_check_lead_min": "0.09"}
    typed_as_read = await client.post(
        f"{course_url}/policy",
        data={**shortest, "answer_deadline_s": "5", "csrf_token": csrf},  # 5 s fits in both
        headers=SAME_SITE,
    )

    assert (
        hint(form.text, "recheck_min_gap_min")
        == "Default 3; at least 0.17 (10 seconds), at most 1440."
    )
    assert (
        hint(form.text, "end_check_lead_min")
        == "Default 5; at least 0.09 (5 seconds), at most 1440."
    )
    assert hint(form.text, "entry_tolerance_min") == "Default 15; at least 0.5, at most 1440."
    assert typed_as_read.status_code == 303


async def test_an_admin_chooses_which_checks_ask_for_a_head_turn(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    course_url = await new_course(client, csrf)

    form = await client.get(course_url, headers=SAME_SITE)
    saved = await client.post(
        f"{course_url}/policy",
        data={"liveness_checks": "ALL", "liveness_two_step": "yes", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    again = await client.get(course_url, headers=SAME_SITE)

    assert "Checks that ask for a head turn" in form.text
    assert "Time to answer a head-turn check (seconds)" in form.text
    assert liveness_choices(form.text) == {
        "ENTRY_AND_ONE_RANDOM": ("the entry check and one random check per lesson", True),
        "ALL": ("every check", False),
        "NONE": ("none", False),
    }
    assert "Default: the entry check and one random check per lesson." in form.text
    assert saved.status_code == 303
    assert "Head turns to one side, then to the other (yes or no)" in form.text
    stored = await stored_policy(runtime, course_url)
    assert (stored["liveness_checks"], stored["liveness_two_step"]) == ("ALL", True)
    assert chosen(liveness_choices(again.text)) == ["ALL"]


async def test_a_refused_policy_keeps_the_choice_and_an_unknown_one_saves_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, Role.ADMIN)
    csrf = await page_sign_in(client, admin)
    course_url = await new_course(client, csrf)

    unknown = await client.post(
        f"{course_url}/policy",
        data={"liveness_checks": "SOMETIMES", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    incoherent = await client.post(
        f"{course_url}/policy",
        data={"liveness_checks": "NONE", "verified_at": "80", "review_at": "85"}
        | {"csrf_token": csrf},
        headers=SAME_SITE,
    )

    assert unknown.status_code == 422
    assert (
        "Choose one of: none, the entry check and one random check per lesson, every check."
        in unknown.text
    )
    assert 'aria-describedby="p-liveness_checks-hint p-liveness_checks-problem"' in unknown.text
    assert incoherent.status_code == 422
    assert chosen(liveness_choices(incoherent.text)) == ["NONE"]
    assert await stored_policy(runtime, course_url) is None


async def stored_policy(runtime: Runtime, course_url: str) -> dict[str, object] | None:
    async with runtime.session_factory() as db:
        return (await db.get_one(Course, int(course_url.rsplit("/", 1)[1]))).policy


def liveness_choices(page: str) -> dict[str, tuple[str, bool]]:
    """The options of the liveness select: value -> (the words shown, selected)."""
    select = re.search(
        r'<select id="p-liveness_checks" name="liveness_checks".*?</select>', page, re.S
    )
    assert select is not None
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]*)</option>', select.group(0))
    return {value: (words, bool(selected)) for value, selected, words in options}


def chosen(choices: dict[str, tuple[str, bool]]) -> list[str]:
    return [value for value, (_, selected) in choices.items() if selected]


async def test_a_reviewer_gets_the_picture_without_metadata_and_a_student_gets_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    student = await make_user(runtime, Role.STUDENT)
    csrf = await page_sign_in(client, teacher)
    lesson_id = await lesson_of(client, runtime, csrf, student=student, title="Acids")
    ids = await add_check(
        runtime,
        lesson_id=lesson_id,
        user_id=student.id,
        kind=ChallengeKind.ENTRY,
        issued_at=runtime.clock(),
        verdict=Verdict.NEEDS_REVIEW,
    )
    await keep_picture_with_exif(runtime, ids.capture_id)

    served = await client.get(f"/captures/{ids.capture_id}/picture")
    client.cookies.clear()
    await page_sign_in(client, student)
    refused = await client.get(f"/captures/{ids.capture_id}/picture")

    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(served.content))
    assert picture.size == (64, 48)
    assert not picture.getexif()
    assert b"Exif" not in served.content and b"secret camera" not in served.content
    assert refused.status_code == 403
    assert refused.content != served.content


async def keep_picture_with_exif(runtime: Runtime, capture_id: int | None) -> None:
    exif = Image.Exif()
    exif[0x010F] = "secret camera"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "JPEG", exif=exif)
    assert b"secret camera" in buffer.getvalue()
    stored = await runtime.blobs.put(
        buffer.getvalue(), kind="captures", now=runtime.clock(), suffix=".jpg"
    )
    async with transaction(runtime.session_factory) as db:
        (await db.get_one(Capture, capture_id)).blob_key = stored.key
