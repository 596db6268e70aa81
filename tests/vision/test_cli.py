"""`trust-lesson vision check` on picture files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from trust_lesson.cli import app

from .bursts import picture, two_step_turn
from .conftest import jpeg

runner = CliRunner()


@pytest.fixture
def astronaut_file(tmp_path: Path, astronaut: np.ndarray) -> Path:
    path = tmp_path / "astronaut.jpg"
    path.write_bytes(jpeg(astronaut))
    return path


@pytest.mark.slow
def test_check_json_has_the_promised_keys(astronaut_file: Path) -> None:
    result = runner.invoke(
        app, ["vision", "check", str(astronaut_file), "--reference", str(astronaut_file), "--json"]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["faces"] == 1
    assert report["similarity"] >= 90
    assert isinstance(report["quality"], dict)
    assert len(report["phash"]) == 64
    assert report["verdict"] == "VERIFIED"
    assert report["reasons"] == [f"similarity {report['similarity']:.1f} >= 90"]


@pytest.mark.slow
def test_check_prints_a_readable_summary(astronaut_file: Path) -> None:
    result = runner.invoke(app, ["vision", "check", str(astronaut_file)])

    assert result.exit_code == 0
    assert "faces       : 1" in result.stdout
    assert "NEEDS_REVIEW" in result.stdout


def test_html_renamed_jpg_exits_2_without_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_text("<html><body>hello</body></html>")

    result = runner.invoke(app, ["vision", "check", str(fake)])

    assert result.exit_code == 2
    assert "not a JPEG, PNG or WebP" in result.output
    assert "Traceback" not in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["vision", "check", str(tmp_path / "nope.jpg")])

    assert result.exit_code == 2
    assert "cannot read" in result.output


@pytest.mark.slow
def test_liveness_json_judges_a_burst(tmp_path: Path, astronaut: np.ndarray) -> None:
    frames = []
    for number in range(3):
        path = tmp_path / f"frame{number}.jpg"
        path.write_bytes(jpeg(np.roll(astronaut, 4 * number, axis=1)))
        frames.append(str(path))

    result = runner.invoke(app, ["vision", "liveness", "--direction", "left", *frames, "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["live"] is False
    assert report["verdict"] == "LIVENESS_FAILED"
    assert len(report["yaw"]) == 3 and all(abs(y) < 0.25 for y in report["yaw"])
    assert report["reasons"][0].startswith("the head did not turn left enough")


def test_liveness_with_a_missing_frame_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["vision", "liveness", "--direction", "right", str(tmp_path / "none.jpg")]
    )

    assert result.exit_code == 2
    assert "cannot read" in result.output


@pytest.mark.slow
def test_liveness_judges_an_ordered_two_step_burst(tmp_path: Path, testdata: Path) -> None:
    frontal, turned = (picture(testdata, f"lfw/King_Abdullah_II_000{n}.jpg") for n in (1, 5))
    frames = []
    for number, data in enumerate(two_step_turn(frontal, turned), 1):
        path = tmp_path / f"frame{number}.jpg"
        path.write_bytes(data)
        frames.append(str(path))

    asked = runner.invoke(
        app, ["vision", "liveness", "--direction", "left_then_right", *frames, "--json"]
    )
    reversed_order = runner.invoke(
        app, ["vision", "liveness", "--direction", "right_then_left", *frames, "--json"]
    )

    assert asked.exit_code == 0, asked.output
    report = json.loads(asked.stdout)
    assert report["live"] is True and report["verdict"] == "VERIFIED"
    assert [step["side"] for step in report["steps"]] == ["LEFT", "RIGHT"]
    assert len(report["yaw"]) == 8
    assert json.loads(reversed_order.stdout)["live"] is False
