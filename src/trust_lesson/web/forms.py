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


def readable(item: ErrorDetails) -> str:
    """A refused value of the address or a form sent to a page, in a person's words (no
    schema: a pattern says only that some characters are not accepted)."""
    return _readable(None, "", item)


def _readable(schema: type[BaseModel] | None, field: str, item: ErrorDetails) -> str:
    """What to write instead, in a person's words: a pattern (a regular expression means
    nothing to a person) says what the field takes, from its description; a length, a bound,
    a number or a date says what is expected ("Input should be greater than or equal to 1"
    and "unable to parse string as an integer" are the library's words, not the school's).
    Anything else keeps pydantic's words (a rule's own message: "Value error, ..." without
    its prefix)."""
    kind, limits = item["type"], item.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        found = schema.model_fields.get(field) if schema is not None else None
        if found is not None and found.description:
            return f"Not valid here: use {found.description}."
        return "This contains characters that are not accepted here."
    if kind == "string_too_short":
        return f"Write at least {_characters(limits['min_length'])}."
    if kind == "string_too_long":
        return f"Write at most {_characters(limits['max_length'])}."
    if item.get("input") == "":
        return "Fill this in."
    if kind in _BOUNDS:
        words, name = _BOUNDS[kind]
        return words.format(_number(limits[name]))
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    message = item["msg"].removeprefix("Value error, ")
    message = message.removeprefix("value is not a valid email address: ")  # the reason says it
    return message[:1].upper() + message[1:]


_BOUNDS = {
    "greater_than_equal": ("Write {} or more.", "ge"),
    "greater_than": ("Write more than {}.", "gt"),
    "less_than_equal": ("Write {} or less.", "le"),
    "less_than": ("Write less than {}.", "lt"),
}
_EXPECTED = {
    "int_parsing": "Write a whole number.",
    "int_from_float": "Write a whole number.",
    "float_parsing": "Write a number.",
    "datetime_parsing": "Write a date and time, such as 2026-03-02 14:30.",
    "datetime_from_date_parsing": "Write a date and time, such as 2026-03-02 14:30.",
    "date_parsing": "Write a date, such as 2026-03-02.",
    "date_from_datetime_parsing": "Write a date, such as 2026-03-02.",
}


def _characters(count: int) -> str:
    return "1 character" if count == 1 else f"{count} characters"


def _number(bound: object) -> str:
    """1, 0.5, 0.1667: a bound as people write it (no "1.0", no sixteen decimals)."""
    if not isinstance(bound, int | float):
        return str(bound)
    return str(int(bound)) if float(bound).is_integer() else f"{bound:.4g}"
