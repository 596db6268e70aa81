"""Factory functions that arrange a story: people, courses, terms, lessons."""

import itertools
from dataclasses import dataclass

import httpx

from trust_lesson.db import transaction
from trust_lesson.models import Role, User
from trust_lesson.runtime import Runtime
from trust_lesson.users import service as users
from trust_lesson.users.schemas import UserCreate

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@dataclass
class Person:
    user: User
    headers: dict[str, str]

    @property
    def id(self) -> int:
        return self.user.id


async def make_user(
    runtime: Runtime, role: Role = Role.STUDENT, *, name: str | None = None
) -> User:
    number = next(_numbers)
    handle = name or f"{role.lower()}{number}"
    data = UserCreate(
        email=f"{handle}@school.example",
        password=PASSWORD,
        full_name=f"{role.title()} {number}",
        username=handle,
        role=role,
    )
    async with transaction(runtime.session_factory) as db:
        return await users.create(db=db, data=data, now=runtime.clock())


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def signed_in(
    client: httpx.AsyncClient, runtime: Runtime, role: Role = Role.STUDENT, name: str | None = None
) -> Person:
    user = await make_user(runtime, role, name=name)
    return Person(user=user, headers=await login(client, user.email))
