"""Base classes for API schemas: inputs forbid unknown fields (mass assignment, R14)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

MAX_ROW_ID = 2**31 - 1
"""Ids are 32-bit in every database we run on; a larger one is a 422, never a driver error."""

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FieldProblem(Output):
    field: str
    message: str


class ValidationProblem(Output):
    """The body of every 422: the error shape of API.md plus one entry per invalid field."""

    detail: str
    code: str
    errors: list[FieldProblem] = []


VALIDATION_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationProblem, "description": "The request is not valid"}
}
