"""`trust-lesson demo` end to end: a 2-minute lesson through the real service, API and worker."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trust_lesson.cli import app
from trust_lesson.demo.run import run_demo

pytestmark = pytest.mark.slow


def test_the_demo_lesson_decides_each_student_by_the_story(tmp_path: Path) -> None:
    lines: list[str] = []

    outcome = run_demo(tmp_path / "demo", minutes=2, say=lines.append)

    decisions = {row.role: row for row in outcome.rows}
    assert decisions["present"].decision == "ATTENDED"
    assert decisions["present"].checks_verified == decisions["present"].checks_total
    assert decisions["replaced"].decision == "PARTIAL"
    assert any("another person" in reason for reason in decisions["replaced"].reasons)
    assert decisions["replaced"].verdicts.get("WRONG_PERSON", 0) >= 1
    assert decisions["silent"].decision == "ABSENT"
    assert decisions["silent"].checks_verified == 0
    assert outcome.as_expected
    printed = "\n".join(lines)
    assert "challenge ENTRY issued" in printed
    assert "verdict WRONG_PERSON" in printed
    assert "PARTIAL" in printed


def test_the_demo_command_refuses_a_lesson_of_no_minutes(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path), "--minutes", "0"])

    assert result.exit_code == 2
