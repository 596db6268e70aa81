from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from trust_lesson.models import Role
from trust_lesson.schemas import Input, Output

Username = Annotated[
    str,
    Field(
        min_length=3,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="3 to 64 letters, digits, dots, dashes or underscores (no spaces)",
    ),
]
FullName = Annotated[str, Field(min_length=1, max_length=200)]
# Passwords are used exactly as typed (R02): never stripped, unlike other input strings.
AsTyped = StringConstraints(strip_whitespace=False)
NewPassword = Annotated[str, AsTyped, Field(max_length=1024, description="12 to 128 characters")]
TypedPassword = Annotated[str, AsTyped, Field(max_length=1024)]


class UserRead(Output):
    id: int
    email: str
    username: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class UserCreate(Input):
    email: EmailStr
    password: NewPassword
    full_name: FullName
    username: Username
    role: Role = Role.STUDENT


class UserUpdate(Input):
    """What an admin may change on any account."""

    email: EmailStr | None = None
    full_name: FullName | None = None
    username: Username | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: NewPassword | None = None


class ProfileUpdate(Input):
    """What users may change on their own account; a new password needs the current one."""

    full_name: FullName | None = None
    username: Username | None = None
    password: NewPassword | None = None
    current_password: TypedPassword | None = None


class OwnAccountDeletion(Input):
    """One's own account deleted: the password typed again confirms it."""

    current_password: TypedPassword
