"""The instructor's lessons list page: the days it lists come from the address, within range."""

import httpx

from tests.support.factories import PASSWORD, make_user
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

HTML = {"Accept": "text/html"}


async def test_a_day_out_of_range_in_the_address_is_a_clear_error_not_a_crash(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await make_user(runtime, Role.INSTRUCTOR)
    signed = await client.post(
        "/login",
        data={"email": teacher.email, "password": PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert signed.status_code == 303

    for query in ("to=9999-12-31", "from=0001-01-01", "from=2200-01-01"):
        refused = await client.get(f"/lessons?{query}", headers=HTML)
        assert refused.status_code == 422, query
        assert "must be between 1970 and 2200" in refused.text, query

    widest = await client.get("/lessons?from=1970-01-01&to=2199-12-31", headers=HTML)
    assert widest.status_code == 200
    assert "Lessons" in widest.text
