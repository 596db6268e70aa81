"""Issue 8/8: ten parallel registrations of one email: one account, nine clear 409s, no 500."""

import asyncio

import httpx
from sqlalchemy import func, select

from trust_lesson.db import transaction
from trust_lesson.models import User
from trust_lesson.runtime import Runtime


async def test_parallel_registrations_of_one_email_create_one_account(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    def account(number: int) -> dict[str, str]:
        return {
            "email": "twin@school.example",
            "password": "correct horse battery staple",
            "full_name": f"Twin {number}",
            "username": f"twin{number}",
        }

    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/register", json=account(n)) for n in range(10))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 9, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["detail"].startswith("This email")
    async with transaction(runtime.session_factory) as db:
        count = await db.scalar(select(func.count()).where(User.email == "twin@school.example"))
    assert count == 1
