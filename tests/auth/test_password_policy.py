"""R02: 12..128 characters, used exactly as typed, refused when common."""

import itertools

import httpx
import pytest

from tests.support.factories import PASSWORD, signed_in
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

_numbers = itertools.count(1)

ELEVEN = "kestrel-map"  # 11 characters
TWELVE = "kestrel-maps"
SIXTY_FOUR = ("quiet otter reads maps " * 3)[:64]
ONE_TWENTY_EIGHT = ("violet harbour lanterns " * 6)[:128]
ONE_TWENTY_NINE = ONE_TWENTY_EIGHT + "x"
COMMON = "password1234"

CASES = [
    (ELEVEN, 422),
    (TWELVE, 201),
    (SIXTY_FOUR, 201),
    (ONE_TWENTY_EIGHT, 201),
    (ONE_TWENTY_NINE, 422),
    (COMMON, 422),
    ("Password1234!", 422),
    ("aaaaaaaaaaaaaaaa", 422),
    # Issue 8/7: patterns a cracker tries first (they all passed the list check before).
    ("123456789012", 422),
    ("qwertyqwerty", 422),
    ("passwordpassword", 422),
    ("abcdefghijkl", 422),
    ("zyxwvutsrqpo", 422),
    ("asdfghjkl;'\\", 422),
]


def new_account(password: str, **extra: str) -> dict[str, str]:
    number = next(_numbers)
    return {
        "email": f"pat{number}@school.example",
        "password": password,
        "full_name": f"Pat {number}",
        "username": f"pat{number}",
        **extra,
    }


@pytest.mark.parametrize(("password", "status"), CASES)
async def test_self_registration_applies_the_password_policy(
    client: httpx.AsyncClient, password: str, status: int
) -> None:
    response = await client.post("/api/v1/auth/register", json=new_account(password))

    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("password", "pattern"),
    [
        ("qwertyqwerty", "repeats"),
        ("abcdefghijkl", "a sequence"),
        ("asdfghjkl;lkjh", "a keyboard walk"),
    ],
)
async def test_a_guessable_pattern_is_refused_with_what_makes_it_guessable(
    client: httpx.AsyncClient, password: str, pattern: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=new_account(password))

    assert response.status_code == 422
    assert "too easy to guess" in response.json()["detail"]
    assert pattern in response.json()["detail"]


@pytest.mark.parametrize(("password", "status"), CASES)
async def test_an_administrator_creating_an_account_meets_the_same_policy(
    client: httpx.AsyncClient, runtime: Runtime, password: str, status: int
) -> None:
    admin = await signed_in(client, runtime, Role.ADMIN)

    response = await client.post(
        "/api/v1/users", headers=admin.headers, json=new_account(password, role="INSTRUCTOR")
    )

    assert response.status_code == status, response.text


async def test_a_refused_password_creates_no_account(client: httpx.AsyncClient) -> None:
    account = new_account(ELEVEN)

    assert (await client.post("/api/v1/auth/register", json=account)).status_code == 422

    login = {"email": account["email"], "password": ELEVEN}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 401


@pytest.mark.parametrize(("password", "status"), [(ELEVEN, 422), (COMMON, 422), (TWELVE, 200)])
async def test_a_password_change_meets_the_policy(
    client: httpx.AsyncClient, runtime: Runtime, password: str, status: int
) -> None:
    person = await signed_in(client, runtime)

    response = await client.patch(
        "/api/v1/users/me",
        headers=person.headers,
        json={"password": password, "current_password": PASSWORD},
    )

    assert response.status_code == status, response.text


async def test_a_password_is_used_exactly_as_typed(client: httpx.AsyncClient) -> None:
    typed = "  Spaces Around Ünïcode  "
    account = new_account(typed)
    assert (await client.post("/api/v1/auth/register", json=account)).status_code == 201

    def attempt(password: str) -> dict[str, str]:
        return {"email": account["email"], "password": password}

    assert (await client.post("/api/v1/auth/login", json=attempt(typed.strip()))).status_code == 401
    assert (await client.post("/api/v1/auth/login", json=attempt(typed.lower()))).status_code == 401
    assert (await client.post("/api/v1/auth/login", json=attempt(typed))).status_code == 200
