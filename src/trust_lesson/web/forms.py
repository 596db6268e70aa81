"""Forms on pages: validation with the API's own schemas, problems shown beside each field."""

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from trust_lesson.errors import DomainError

Model = TypeVar("Model", bound=BaseModel)


class FormProblems(Exception):
    """What is wrong with a form: a message per field ('' for the form as a whole)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def parse_form(schema: type[Model], values: Mapping[str, object]) -> Model:
    """The schema the API uses for the same input, so both refuse exactly the same things."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        problems: dict[str, str] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            problems.setdefault(field, _readable(schema, field, item))
        raise FormProblems(problems) from error


def problems_of(error: DomainError | FormProblems) -> dict[str, str]:
    """A refused form's problems, or a service's refusal as form problems: `field: message`
    goes beside that field."""
    if isinstance(error, FormProblems):
        return error.problems
    field, separator, message = error.detail.partition(": ")
    if separator and field.isidentifier():
        return {field: message[:1].upper() + message[1:]}
    return {"": error.detail}


def _readable(schema: type[BaseModel], field: str, item: ErrorDetails) -> str:
    """Pydantic's words, except a pattern (a regular expression means nothing to a person):
    then what the field takes, from its description."""
    if item["type"] == "string_pattern_mismatch":
        found = schema.model_fields.get(field)
        if found is not None and found.description:
            return f"Not valid here: use {found.description}."
        return "This contains characters that are not accepted here."
    message = item["msg"].removeprefix("Value error, ")
    return message[:1].upper() + message[1:]
