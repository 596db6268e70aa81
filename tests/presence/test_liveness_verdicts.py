"""Liveness verdicts through the API and the real worker, on bursts built honestly from the
shared pictures (how: tests/vision/bursts.py). Each student answers the side the server drew:
a real head turn towards it is VERIFIED with the measured yaws in the scores; a clip turning
the other way and a tilted print are LIVENESS_FAILED, with reasons, and go to review."""

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.presence.live import LiveLesson, join, live_lesson, upload_burst
from tests.presence.verdict_support import enrol_face, wait_for_verdict
from tests.support.clock import FakeClock
from tests.support.factories import Person
from tests.vision.bursts import (
    OTHER_SIDE,
    head_turn,
    mirrored,
    one_way_clip,
    picture,
    printed_photo,
    two_step_turn,
)
from trust_lesson.runtime import Runtime
from trust_lesson.vision.faces import largest_face_embedding

pytestmark = pytest.mark.slow

KING = ("lfw/King_Abdullah_II_0001.jpg", "lfw/King_Abdullah_II_0005.jpg")  # turns LEFT
CONCHITA = ("lfw/Conchita_Martinez_0001.jpg", "lfw/Conchita_Martinez_0003.jpg")  # turns LEFT


def faces_towards(
    testdata: Path, pair: tuple[str, str], side: str
) -> tuple[np.ndarray, np.ndarray]:
    """The frontal and turned photos of a person who turned LEFT, mirrored for RIGHT."""
    frontal, turned = (picture(testdata, relative) for relative in pair)
    return (frontal, turned) if side == "LEFT" else (mirrored(frontal), mirrored(turned))


async def answer(
    api: httpx.AsyncClient,
    runtime: Runtime,
    live: LiveLesson,
    person: Person,
    frontal: np.ndarray,
    burst: list[bytes],
) -> dict[str, Any]:
    template = largest_face_embedding(frontal)
    assert template is not None
    await enrol_face(runtime, person, template)
    challenge = (await join(api, live, person))["challenge"]
    sent = await upload_burst(api, live, person, challenge, burst)
    assert sent.status_code == 202, sent.text
    return await wait_for_verdict(api, person, sent.json()["capture_id"])


async def test_a_real_turn_is_verified_and_a_wrong_way_clip_or_a_print_go_to_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path, consumer: None
) -> None:
    live = await live_lesson(api, runtime, clock, students=3, liveness_checks=None)
    honest, replayer, printer = live.students
    asked = {
        p.id: (await join(api, live, p))["challenge"]["liveness"]["direction"]
        for p in live.students
    }
    king = faces_towards(testdata, KING, asked[honest.id])
    conchita = faces_towards(testdata, CONCHITA, OTHER_SIDE[asked[replayer.id]])
    print_of = picture(testdata, KING[0])

    turned = await answer(api, runtime, live, honest, king[0], head_turn(*king, seed=1))
    wrong_way = await answer(
        api, runtime, live, replayer, conchita[0], head_turn(*conchita, seed=2)
    )
    printed = await answer(
        api, runtime, live, printer, print_of, printed_photo(print_of, np.random.default_rng(3))
    )
    reviews = (await api.get("/api/v1/reviews", headers=live.instructor.headers)).json()

    assert turned["verdict"] == "VERIFIED", turned["reasons"]
    side = asked[honest.id].lower()
    assert turned["reasons"][0].startswith(f"turned {side} by ")
    scores = turned["scores"]["liveness"]
    assert scores["direction"] == asked[honest.id] and scores["turn"] >= 0.40
    assert len(scores["yaw"]) == 5 and all(y is not None for y in scores["yaw"])
    assert turned["similarity"] >= 90
    assert wrong_way["verdict"] == "LIVENESS_FAILED"
    assert any(
        f"did not turn {asked[replayer.id].lower()} enough" in r for r in wrong_way["reasons"]
    )
    assert printed["verdict"] == "LIVENESS_FAILED"
    assert printed["scores"]["liveness"]["turn"] < 0.40
    assert {item["user_id"] for item in reviews} == {replayer.id, printer.id}


async def test_a_two_step_course_verifies_both_turns_in_order_and_a_one_way_clip_goes_to_review(
    api: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, testdata: Path, consumer: None
) -> None:
    live = await live_lesson(
        api, runtime, clock, students=2, policy={"liveness_two_step": True}, liveness_checks=None
    )
    honest, replayer = live.students
    asked = {
        p.id: (await join(api, live, p))["challenge"]["liveness"]["direction"]
        for p in live.students
    }
    first = {p.id: asked[p.id].split("_THEN_")[0] for p in live.students}
    king = faces_towards(testdata, KING, first[honest.id])
    conchita = faces_towards(testdata, CONCHITA, first[replayer.id])

    both = await answer(api, runtime, live, honest, king[0], two_step_turn(*king, seed=4))
    one_way = await answer(api, runtime, live, replayer, conchita[0], one_way_clip(*conchita))

    assert set(asked.values()) <= {"LEFT_THEN_RIGHT", "RIGHT_THEN_LEFT"}
    assert both["verdict"] == "VERIFIED", both["reasons"]
    steps = both["scores"]["liveness"]["steps"]
    assert [step["side"] for step in steps] == asked[honest.id].split("_THEN_")
    assert all(step["turn"] >= 0.40 for step in steps)
    assert steps[0]["done_at_frame"] < steps[1]["done_at_frame"]
    assert len(both["scores"]["liveness"]["yaw"]) == 8
    assert one_way["verdict"] == "LIVENESS_FAILED"
    then = asked[replayer.id].split("_THEN_")[1].lower()
    assert any(f"did not turn {then} enough after turning" in r for r in one_way["reasons"])
