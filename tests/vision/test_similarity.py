"""The 0-100 score means what the policy says: >= 90 verified, 85-90 review, < 85 fail."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from trust_lesson.vision.faces import largest_face_embedding
from trust_lesson.vision.similarity import (
    distance_to_score,
    embedding_distance,
    score_to_distance,
    similarity,
)

from .conftest import load

# The error rates documented in similarity.py (with a little room for other platforms).
MAX_FRR_AT_90 = 0.05
MAX_FAR_AT_90 = 0.002
MAX_FRR_AT_85 = 0.015
MAX_FAR_AT_85 = 0.0025


def test_score_falls_as_distance_grows() -> None:
    scores = [distance_to_score(d) for d in np.linspace(0, 1.5, 61)]

    assert scores[0] == 100.0
    assert scores[-1] == 0.0
    assert all(a >= b for a, b in itertools.pairwise(scores))


def test_anchor_distances_give_the_policy_thresholds() -> None:
    assert distance_to_score(0.50) == pytest.approx(90)
    assert distance_to_score(0.58) == pytest.approx(85)
    assert score_to_distance(90) == pytest.approx(0.50)


def test_similarity_uses_the_closest_reference() -> None:
    probe = np.zeros(128, dtype=np.float32)
    near, far = np.full(128, 0.01, np.float32), np.full(128, 0.2, np.float32)

    assert similarity(probe, [far, near]) == pytest.approx(
        distance_to_score(embedding_distance(probe, near)), abs=0.01
    )
    assert similarity(probe, []) is None


@pytest.mark.slow
def test_mirrored_astronaut_is_the_same_person(astronaut: np.ndarray) -> None:
    enrolled = largest_face_embedding(astronaut)
    probe = largest_face_embedding(np.ascontiguousarray(astronaut[:, ::-1]))
    assert enrolled is not None and probe is not None

    assert similarity(probe, [enrolled]) is not None
    assert (similarity(probe, [enrolled]) or 0) >= 90


@pytest.fixture(scope="module")
def verification_scores(testdata: Path) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the 455 same-person pairs and of every cross-person combination."""
    folder = testdata / "face_verification"
    with (folder / "identities.csv").open() as rows:
        identity = {row["file"]: row["identity"] for row in csv.DictReader(rows)}
    embeddings = {f: largest_face_embedding(load(folder, f)) for f in identity}
    with (folder / "pairs.csv").open() as rows:
        same = [(r["img_a"], r["img_b"]) for r in csv.DictReader(rows) if r["same"] == "1"]
    different = [
        (a, b) for a, b in itertools.combinations(sorted(identity), 2) if identity[a] != identity[b]
    ]

    def scores(pairs: list[tuple[str, str]]) -> np.ndarray:
        return np.array([pair_score(embeddings[a], embeddings[b]) for a, b in pairs])

    return scores(same), scores(different)


def pair_score(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """A photo where no face is found counts as a failed match."""
    return 0.0 if a is None or b is None else distance_to_score(embedding_distance(a, b))


@pytest.mark.slow
def test_real_pairs_meet_the_documented_error_rates(
    verification_scores: tuple[np.ndarray, np.ndarray],
) -> None:
    same, different = verification_scores

    assert len(same) == 455
    assert len(different) > 14_000
    assert np.mean(same < 90) <= MAX_FRR_AT_90
    assert np.mean(different >= 90) <= MAX_FAR_AT_90
    assert np.mean(same < 85) <= MAX_FRR_AT_85
    assert np.mean(different >= 85) <= MAX_FAR_AT_85
