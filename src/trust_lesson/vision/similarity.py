"""A 0-100 face similarity score calibrated so the policy thresholds mean what they say.

The embedding distance (Euclidean, dlib ResNet 128-d) is mapped piecewise-linearly through
anchor points; the policy reads the score: >= 90 verified automatically, 85-90 review,
< 85 fail.

Calibration (``bench/vision.py`` reproduces it) on ../shared/testdata/face_verification:
455 same-person pairs of ``pairs.csv`` and 14,080 different-person pairs (every
cross-person combination of ``identities.csv``, which includes the 335 of ``pairs.csv``),
faces found and embedded by this package. Distances: same-person median 0.34, 95th
percentile 0.49, 99th 0.55; different-person 0.5th percentile 0.65, 1st 0.68 (a handful
of look-alike pairs lie near 0.41-0.48, which no threshold separates).

Anchors: distance 0.50 -> score 90 and 0.58 -> score 85 (dlib's own suggested threshold
is 0.60). Measured error rates (faces found by BlazeFace, ``vision.faces``):
- score >= 90 (distance <= 0.50): FRR 3.96 % of same-person pairs go to review or fail,
  FAR 0.121 % of different-person pairs would be verified automatically (dlib's usual
  recipe: the same; the HOG at 800 px used before BlazeFace: 3.74 % / 0.107 %). Every
  different-person pair accepted is one look-alike couple of the set (Chen Shui-bian and
  Lee Hoi-chang, 17 of their 20 photo pairs);
- score >= 85 (distance <= 0.58): FRR 0.22 %, FAR 0.142 % (dlib's recipe: 0.22 % / 0.142 %).
  (With 5-point instead of 68-point alignment these were 0.66 % / 0.149 %.)
The other anchors only shape the ends of the scale: 0 -> 100, 0.80 -> 50, 1.20 -> 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

VERIFIED_AT = 90.0
REVIEW_AT = 85.0

ANCHOR_DISTANCES = (0.0, 0.50, 0.58, 0.80, 1.20)
ANCHOR_SCORES = (100.0, VERIFIED_AT, REVIEW_AT, 50.0, 0.0)


def distance_to_score(distance: float) -> float:
    """Similarity 0-100 (higher is more alike) for an embedding distance."""
    return float(np.interp(distance, ANCHOR_DISTANCES, ANCHOR_SCORES))


def score_to_distance(score: float) -> float:
    """The distance that maps to ``score`` (inverse of :func:`distance_to_score`)."""
    return float(np.interp(score, ANCHOR_SCORES[::-1], ANCHOR_DISTANCES[::-1]))


def embedding_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=np.float32) - np.asarray(b, np.float32)))


def best_distance(embedding: np.ndarray, references: Sequence[np.ndarray]) -> float | None:
    """Smallest distance from ``embedding`` to any reference (None without references)."""
    if len(references) == 0:
        return None
    stacked = np.asarray(references, dtype=np.float32).reshape(len(references), -1)
    gaps = stacked - np.asarray(embedding, dtype=np.float32)
    return float(np.sqrt((gaps * gaps).sum(axis=1)).min())


def similarity(embedding: np.ndarray, references: Sequence[np.ndarray]) -> float | None:
    """The score of the closest reference, or None when there is nothing to compare with."""
    distance = best_distance(embedding, references)
    return None if distance is None else round(distance_to_score(distance), 2)
