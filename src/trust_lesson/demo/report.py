"""The attendance table the demo ends with, and whether it tells the story the demo played."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from trust_lesson.demo.play import StudentPlay
from trust_lesson.demo.school import API, School, checked

EXPECTED = {"present": "ATTENDED", "replaced": "PARTIAL", "silent": "ABSENT"}
PLAYS = {
    "present": "present throughout",
    "replaced": "replaced halfway",
    "silent": "never answers",
}


@dataclass(frozen=True)
class Row:
    name: str
    role: str
    decision: str
    checks_verified: int
    checks_total: int
    reasons: tuple[str, ...]
    verdicts: dict[str, int]

    @property
    def as_expected(self) -> bool:
        return EXPECTED.get(self.role) == self.decision


async def attendance_rows(
    http: httpx.AsyncClient, school: School, plays: list[StudentPlay]
) -> list[Row]:
    url = f"{API}/lessons/{school.lesson_id}/attendance"
    decisions = checked(await http.get(url, headers=school.instructor.headers))
    by_user = {decision["user_id"]: decision for decision in decisions}
    rows = []
    for play in plays:
        decision = by_user[play.student.account.user_id]
        rows.append(
            Row(
                name=play.student.account.full_name,
                role=play.student.role,
                decision=decision["decision"],
                checks_verified=decision["checks_verified"],
                checks_total=decision["checks_total"],
                reasons=tuple(decision["reasons"]),
                verdicts=dict(play.verdicts),
            )
        )
    return rows


def table(rows: list[Row]) -> str:
    """A plain-text table: one line per student, their reasons indented below."""
    header = f"{'student':<20} {'played as':<19} {'decision':<15} {'verified':>8}  verdicts"
    lines = [header, "-" * 90]
    for row in rows:
        verdicts = ", ".join(f"{count} {name}" for name, count in sorted(row.verdicts.items()))
        checks = f"{row.checks_verified}/{row.checks_total}"
        lines.append(
            f"{row.name:<20} {PLAYS.get(row.role, row.role):<19} {row.decision:<15} "
            f"{checks:>8}  {verdicts or '-'}"
        )
        lines.extend(f"{'':<20} - {reason}" for reason in row.reasons)
    return "\n".join(lines)
