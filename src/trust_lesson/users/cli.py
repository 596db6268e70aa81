"""Account creation for the command line, in one transaction of its own."""

from pydantic import ValidationError

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.errors import DomainError
from trust_lesson.models import Role, User
from trust_lesson.settings import Settings
from trust_lesson.users import service
from trust_lesson.users.schemas import UserCreate


class AccountNotCreated(Exception):
    pass


async def create_account(
    settings: Settings,
    *,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    username: str | None,
) -> User:
    engine = create_engine(settings.resolved_database_url)
    try:
        data = UserCreate(
            email=email,
            password=password,
            full_name=full_name,
            username=username or email.split("@")[0],
            role=role,
        )
        async with transaction(create_session_factory(engine)) as db:
            return await service.create(db=db, data=data, now=utc_now())
    except ValidationError as error:
        problems = (f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise AccountNotCreated("; ".join(problems)) from error
    except DomainError as error:
        raise AccountNotCreated(error.detail) from error
    finally:
        await engine.dispose()
