"""The identity pages in process (no browser): the record form, the result in words, and the
reviewers' queue with its decision form, scoped as the API (the browser stories with the real
worker are tests/web/test_identity_pages.py)."""

import re

import httpx
from sqlalchemy import update

from tests.identity.stories import ANNA, identity_url, verification_url
from tests.identity.test_verification_reviews import School, school, waiting_verification
from tests.web.page_forms import every_row_by_next_page
from tests.web.review_queues import more_waiting_identities
from tests.web.test_browser_sessions import SAME_SITE, browser_sign_in
from trust_lesson.db import transaction
from trust_lesson.models import IdentityVerification
from trust_lesson.runtime import Runtime
from trust_lesson.web.paging import ROWS_PER_PAGE

HTML = {"Accept": "text/html"}
READ = [
    {"field": "document_number", "record_value": "L898902C3", "document_value": "L898902C3",
     "source": "MRZ", "confidence": 0.88, "status": "MATCH"},
    {"field": "full_name", "record_value": "Anna Maria Eriksson", "document_value": "ANNAMARIA",
     "source": "PRINTED", "confidence": 0.99, "status": "MISMATCH"},
    {"field": "parent_full_name", "record_value": "Erik Eriksson", "document_value": None,
     "source": None, "confidence": 0.0, "status": "NOT_FOUND"},
]  # fmt: skip


async def _fields_read(runtime: Runtime, verification_id: int) -> None:
    """The rest of what the worker writes for a printed name it reads otherwise."""
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            update(IdentityVerification)
            .where(IdentityVerification.id == verification_id)
            .values(fields=READ, not_match_fields=["full_name"],
                    not_found_fields=["parent_full_name"])
        )  # fmt: skip


async def _waiting(client: httpx.AsyncClient, runtime: Runtime) -> tuple[School, int]:
    s = await school(client, runtime)
    verification_id = await waiting_verification(client, runtime, s)
    await _fields_read(runtime, verification_id)
    return s, verification_id


async def test_the_record_form_saves_the_contract_fields_and_refuses_a_bad_date(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    csrf = await browser_sign_in(client, s.student.user.email)
    form = {**ANNA, "issue_date": "", "issuing_authority": "", "region": ""}

    bad = await client.post(
        "/identity",
        data={**form, "birth_date": "1974-13-45", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    nothing = await client.get(identity_url(s.student), headers=s.student.headers)
    saved = await client.post("/identity", data={**form, "csrf_token": csrf}, headers=SAME_SITE)
    stored = await client.get(identity_url(s.student), headers=s.student.headers)
    page = await client.get("/identity", headers=HTML)

    assert bad.status_code == 422
    assert re.search(r'id="f-birth_date-problem">[^<]*date', bad.text)
    assert 'value="Anna Maria Eriksson"' in bad.text  # what was typed stays
    assert nothing.status_code == 404
    assert saved.status_code == 303
    assert {k: stored.json()[k] for k in ANNA} == ANNA
    assert stored.json()["issue_date"] is None
    assert '<option value="PASSPORT" selected>' in page.text
    assert "Your identity record is saved." not in page.text  # only after the redirect
    assert 'href="/identity" aria-current="page">Identity</a>' in page.text
    assert "Go to the consent" in page.text  # no consent yet: no pictures


async def test_saving_the_record_unchanged_says_nothing_changed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    csrf = await browser_sign_in(client, s.student.user.email)
    form = {**ANNA, "issue_date": "", "issuing_authority": "", "region": "", "csrf_token": csrf}
    first = await client.post("/identity", data=form, headers=SAME_SITE)

    again = await client.post("/identity", data=form, headers=SAME_SITE)
    page = await client.get(again.headers["location"], headers=HTML)

    assert first.headers["location"] == "/identity?done=saved"
    assert (again.status_code, again.headers["location"]) == (303, "/identity?done=unchanged")
    assert 'role="status">Nothing changed: your record already says this.' in page.text
    assert "(1 version)" in page.text


async def test_a_country_written_out_is_refused_in_words_the_student_understands(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    csrf = await browser_sign_in(client, s.student.user.email)

    refused = await client.post(
        "/identity", data={**ANNA, "country": "Utopia", "csrf_token": csrf}, headers=SAME_SITE
    )

    assert refused.status_code == 422
    problem = re.search(r'id="f-country-problem">([^<]*)<', refused.text)
    assert problem is not None
    assert "three letters" in problem.group(1) and "e.g. FRA" in problem.group(1)
    assert "pattern" not in problem.group(1) and "[A-Za-z]" not in refused.text
    assert 'value="Utopia"' in refused.text  # what was typed stays


async def test_an_empty_record_is_refused_field_by_field_in_plain_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s = await school(client, runtime)
    csrf = await browser_sign_in(client, s.student.user.email)

    empty = await client.post("/identity", data={"csrf_token": csrf}, headers=SAME_SITE)

    assert empty.status_code == 422
    for name in ("document_number", "full_name", "parent_full_name"):
        problem = re.search(rf'id="f-{name}-problem">([^<]*)<', empty.text)
        assert problem is not None and problem.group(1) == "Write at least 1 character.", name
    assert "String should have" not in empty.text
    kind = re.search(r'id="f-document_type-problem">([^<]*)<', empty.text)
    assert kind is not None and kind.group(1) == "Fill this in."


async def test_the_document_type_is_chosen_never_taken_for_granted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A passport holder who skips the list must not be recorded as holding an identity card
    (then refused: 'Document type: the document's machine-readable zone says otherwise')."""
    s = await school(client, runtime)
    await browser_sign_in(client, s.student.user.email)

    page = (await client.get("/identity", headers=HTML)).text

    assert '<option value="" selected>Choose the document type</option>' in page
    assert '<option value="IDENTITY_CARD" selected>' not in page


async def test_the_result_says_per_field_what_was_read_where(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s, _ = await _waiting(client, runtime)
    await browser_sign_in(client, s.student.user.email)

    page = (await client.get("/identity", headers=HTML)).text
    partial = (await client.get("/identity/result", headers=HTML)).text

    assert 'data-status="NEEDS_REVIEW"' in partial and "<html" not in partial
    assert "A reviewer will look at your document" in page
    row = re.search(r'<tr data-field="full_name" data-finding="MISMATCH">(.*?)</tr>', page, re.S)
    assert row is not None
    words = re.sub(r"<[^>]+>", " ", row.group(1)).split()
    assert " ".join(words) == (
        "Full name Anna Maria Eriksson ANNAMARIA the printed text does not match"
    )
    assert "the machine-readable zone" in page
    assert "Not found on the document: Parent&#39;s full name." in page
    assert "similarity 87.0 / 100" in page
    assert "kept for human review" in page


async def test_the_document_type_is_compared_in_the_words_of_the_form(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s, verification_id = await _waiting(client, runtime)
    kind = {"field": "document_type", "record_value": "IDENTITY_CARD", "source": "MRZ",
            "document_value": "PASSPORT", "confidence": 0.9, "status": "MISMATCH"}  # fmt: skip
    async with transaction(runtime.session_factory) as db:
        await db.execute(
            update(IdentityVerification)
            .where(IdentityVerification.id == verification_id)
            .values(fields=[kind])
        )
    await browser_sign_in(client, s.student.user.email)

    page = (await client.get("/identity", headers=HTML)).text

    row = re.search(
        r'<tr data-field="document_type" data-finding="MISMATCH">(.*?)</tr>', page, re.S
    )
    assert row is not None
    words = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    assert words == "Document type Identity card Passport the machine-readable zone does not match"


async def test_a_reviewer_decides_on_the_queue_page_and_the_item_leaves_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    s, verification_id = await _waiting(client, runtime)
    action = f"/identity-reviews/{verification_id}"

    csrf = await browser_sign_in(client, s.other_teacher.user.email)
    stranger_queue = await client.get("/identity-reviews", headers=HTML)
    stranger = await client.post(
        action, data={"decision": "VERIFIED", "reason": "ok", "csrf_token": csrf},
        headers={**SAME_SITE, **HTML},
    )  # fmt: skip
    csrf = await browser_sign_in(client, s.other_student.user.email)
    student = await client.post(
        action, data={"decision": "VERIFIED", "reason": "ok", "csrf_token": csrf},
        headers={**SAME_SITE, **HTML},
    )  # fmt: skip
    csrf = await browser_sign_in(client, s.teacher.user.email)
    queue = await client.get("/identity-reviews", headers=HTML)
    no_reason = await client.post(
        action, data={"decision": "REJECTED", "reason": " ", "csrf_token": csrf}, headers=SAME_SITE
    )
    decided = await client.post(
        action,
        data={"decision": "VERIFIED", "reason": "the portrait is her", "csrf_token": csrf},
        headers=SAME_SITE,
    )
    after = await client.get("/identity-reviews", headers=HTML)
    body = (await client.get(verification_url(verification_id), headers=s.teacher.headers)).json()

    assert stranger_queue.status_code == 200 and "No identity to review." in stranger_queue.text
    assert s.student.user.full_name not in stranger_queue.text
    assert stranger.status_code == 404 and s.student.user.full_name not in stranger.text
    assert student.status_code == 403
    assert f'data-verification-id="{verification_id}"' in queue.text
    assert f"/api/v1/identity-verifications/{verification_id}/pictures/document" in queue.text
    assert 'data-field="full_name" data-finding="MISMATCH"' in queue.text
    assert "99%" in queue.text and "similarity 87.0 / 100" in queue.text
    assert no_reason.status_code == 422
    assert f'id="reason-{verification_id}-problem"' in no_reason.text
    assert '<option value="REJECTED" selected>' in no_reason.text  # the choice made stays
    assert decided.status_code == 303
    assert f'data-verification-id="{verification_id}"' not in after.text
    assert body["status"] == "VERIFIED"
    assert [(r["decision"], r["reason"]) for r in body["reviews"]] == [
        ("VERIFIED", "the portrait is her")
    ]


async def test_every_identity_waiting_for_a_reviewer_can_be_reached_page_by_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The queue used to stop at 100 without saying so; sent at the same moment, the
    verifications keep their order (oldest first, then by id) from one page to the next."""
    s, first_id = await _waiting(client, runtime)
    waiting = [first_id] + await more_waiting_identities(runtime, first_id, ROWS_PER_PAGE)
    await browser_sign_in(client, s.teacher.user.email)

    first = await client.get("/identity-reviews", headers=HTML)
    second = await client.get("/identity-reviews?page=2", headers=HTML)
    reached = await every_row_by_next_page(
        client, "/identity-reviews", "Pages of identities to review", "data-verification-id"
    )

    assert first.text.count('<li class="review-item"') == ROWS_PER_PAGE
    assert f"Rows 1 to {ROWS_PER_PAGE}" in first.text
    assert 'href="/identity-reviews?page=2">Next page</a>' in first.text
    assert re.findall(r'data-verification-id="(\d+)"', second.text) == [str(waiting[-1])]
    assert 'href="/identity-reviews?page=1">Previous page</a>' in second.text
    assert [int(v) for v in reached] == waiting  # in order, none twice, none lost
