from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from trust_lesson.schemas import Input, Output
from trust_lesson.users.schemas import FullName, NewPassword, TypedPassword, Username


class LoginRequest(Input):
    email: EmailStr
    password: TypedPassword = Field(min_length=1)


class TokenResponse(Output):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime


class RegisterRequest(Input):
    email: EmailStr
    password: NewPassword
    full_name: FullName
    username: Username
