"""R04: sign-in answers do not tell whether an account exists or is disabled."""

import statistics

import httpx

from tests.support.cost import cpu_seconds
from tests.support.factories import PASSWORD, make_user, signed_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

WRONG = "not the right passphrase"


def comparable(response: httpx.Response) -> tuple[int, object, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in {"x-request-id"}}
    return response.status_code, response.json(), headers


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_unknown_email_wrong_password_and_disabled_account_answer_alike(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)
    known = await make_user(runtime)
    disabled = await make_user(runtime)
    await client.patch(
        f"/api/v1/users/{disabled.id}", headers=admin.headers, json={"is_active": False}
    )

    wrong_password = await attempt(client, known.email, WRONG)
    unknown_email = await attempt(client, "nobody@school.example", WRONG)
    disabled_right_password = await attempt(client, disabled.email, PASSWORD)

    assert wrong_password.status_code == 401
    assert comparable(wrong_password) == comparable(unknown_email)
    assert comparable(wrong_password) == comparable(disabled_right_password)


async def median_cpu_seconds(client: httpx.AsyncClient, email: str, rounds: int = 5) -> float:
    costs = []
    for _ in range(rounds):
        with cpu_seconds() as cost:
            await attempt(client, email, WRONG)
        costs.append(cost.cpu_s)
    return statistics.median(costs)


async def test_an_unknown_email_costs_a_password_check_too(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Without the dummy Argon2 check an unknown email answers many times faster."""
    known = await make_user(runtime)

    known_cpu = await median_cpu_seconds(client, known.email)
    unknown_cpu = await median_cpu_seconds(client, "nobody@school.example")

    assert unknown_cpu > 0.4 * known_cpu, (known_cpu, unknown_cpu)
