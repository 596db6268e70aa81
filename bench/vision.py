"""Benchmark of the vision engine against dlib's usual recipe, on ../shared/testdata.

Run: ``.venv/bin/python bench/vision.py`` (about 3-5 minutes on 2 cores). Prints
- throughput of ``analyze_capture`` on 640x480 JPEG frames, captures/s on one core, next to the
  naive baseline (decode, HOG detector with upsample 1 on the full frame, 68 landmarks, dlib's
  descriptor) measured in the same run, interleaved frame by frame, and the ratio;
- verification: FAR/FRR at the policy thresholds and a ROC table, ours and the baseline;
  at 90 also the HOG at 800 px (the engine before BlazeFace) and every pair on which it and
  ours disagree, with both distances;
- detection: right class (none / one / several) and face-count precision/recall;
- liveness: the burst sets of ``bench/vision_liveness.py`` (real turns, replays, prints);
- documents: ``measure_documents`` from ``bench/vision_documents.py`` when present.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import math
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from trust_lesson.vision import analyze_capture, decode_image
from trust_lesson.vision import models as vm
from trust_lesson.vision.faces import detect_faces, largest_face_embedding
from trust_lesson.vision.similarity import distance_to_score, score_to_distance

TESTDATA = Path(
    os.environ.get("TL_TESTDATA", Path(__file__).resolve().parents[2] / "shared" / "testdata")
)
FRAMES = 30
ROUNDS = 2
Embedder = Callable[[np.ndarray], np.ndarray | None]


def say(message: str) -> None:
    print(message, flush=True)


def frame_jpeg(path: Path) -> bytes:
    """A 640x480 JPEG 'webcam frame': the photo fitted on a grey canvas."""
    photo = Image.fromarray(decode_image(path.read_bytes()).rgb)
    photo.thumbnail((640, 480))
    canvas = Image.new("RGB", (640, 480), (96, 96, 96))
    canvas.paste(photo, ((640 - photo.width) // 2, (480 - photo.height) // 2))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def baseline_embedding(rgb: np.ndarray) -> np.ndarray | None:
    """dlib's usual recipe: HOG upsample 1 on the full picture, 68 points, descriptor."""
    rects = vm.hog_detector()(rgb, 1)
    if not rects:
        return None
    biggest = max(rects, key=lambda rect: rect.area())
    shape = vm.shape_predictor_68()(rgb, biggest)
    return np.asarray(vm.dlib_recognizer().compute_face_descriptor(rgb, shape))


def baseline_capture(data: bytes, references: list[np.ndarray]) -> float | None:
    embedding = baseline_embedding(decode_image(data).rgb)
    if embedding is None or not references:
        return None
    return float(min(np.linalg.norm(embedding - ref) for ref in references))


def identities() -> dict[str, str]:
    with (TESTDATA / "face_verification" / "identities.csv").open() as rows:
        return {row["file"]: row["identity"] for row in csv.DictReader(rows)}


def throughput() -> tuple[float, float]:
    files = sorted(identities())[:: max(1, len(identities()) // FRAMES)][:FRAMES]
    frames = [frame_jpeg(TESTDATA / "face_verification" / name) for name in files]
    reference = [np.zeros(128, dtype=np.float32) + 0.05]
    ours_s = base_s = 0.0
    analyze_capture(frames[0], reference, [])
    baseline_capture(frames[0], reference)
    for round_no in range(ROUNDS):
        say(f"  throughput round {round_no + 1}/{ROUNDS} on {len(frames)} frames ...")
        hashes: list[str] = []
        for data in frames:
            start = time.perf_counter()
            hashes.append(analyze_capture(data, reference, hashes[-20:]).phash)
            middle = time.perf_counter()
            baseline_capture(data, reference)
            base_s += time.perf_counter() - middle
            ours_s += middle - start
    count = len(frames) * ROUNDS
    return count / ours_s, count / base_s


def embed_all(embed: Embedder, label: str) -> dict[str, np.ndarray | None]:
    folder = TESTDATA / "face_verification"
    result: dict[str, np.ndarray | None] = {}
    for number, name in enumerate(sorted(identities()), 1):
        result[name] = embed(decode_image((folder / name).read_bytes()).rgb)
        if number % 40 == 0:
            say(f"  {label}: {number}/{len(identities())} photos embedded")
    return result


def labelled_pairs() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The same-person pairs (pairs.csv) and every cross-person pair."""
    ids = identities()
    with (TESTDATA / "face_verification" / "pairs.csv").open() as rows:
        same = [(r["img_a"], r["img_b"]) for r in csv.DictReader(rows) if r["same"] == "1"]
    diff = [(a, b) for a, b in itertools.combinations(sorted(ids), 2) if ids[a] != ids[b]]
    return same, diff


def distance(embeddings: dict[str, np.ndarray | None], a: str, b: str) -> float:
    ea, eb = embeddings[a], embeddings[b]
    return float("inf") if ea is None or eb is None else float(np.linalg.norm(ea - eb))


def pair_distances(embeddings: dict[str, np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
    """Distances of the same-person pairs (pairs.csv) and of every cross-person pair."""
    same, diff = labelled_pairs()
    return (
        np.array([distance(embeddings, a, b) for a, b in same]),
        np.array([distance(embeddings, a, b) for a, b in diff]),
    )


def threshold_flips(
    ours: dict[str, np.ndarray | None], before: dict[str, np.ndarray | None]
) -> list[str]:
    """The pairs on which ours and the HOG at 800 px (the engine before BlazeFace) disagree
    at score 90, with both distances, and per kind of pair how many each one got right."""
    cut = score_to_distance(90)
    same, diff = labelled_pairs()
    flips = []
    for label, pairs, wanted in (("same person", same, True), ("different persons", diff, False)):
        right = {"ours": 0, "HOG at 800 px": 0}
        for a, b in pairs:
            now, then = distance(ours, a, b), distance(before, a, b)
            if (now <= cut) != (then <= cut):
                right["ours" if (now <= cut) == wanted else "HOG at 800 px"] += 1
                flips.append(f"{label} {a} ~ {b}: ours {now:.4f}, HOG at 800 px {then:.4f}")
        won, lost = right["ours"], right["HOG at 800 px"]
        flips.append(
            f"{label}: of the pairs that change side, ours right on {won}, the HOG at 800 px"
            f" on {lost} (exact two-sided sign test p = {sign_test(won, lost):.2f})"
        )
    return flips


def sign_test(wins: int, losses: int) -> float:
    """How likely a split at least this uneven is when each side is equally likely to win
    each disputed pair (the exact binomial sign test, two-sided)."""
    n = wins + losses
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def verification_rows(same: np.ndarray, diff: np.ndarray) -> dict[str, tuple[float, float]]:
    """FRR and FAR at the score thresholds and at raw distances (ROC)."""
    same_scores = np.array([distance_to_score(d) for d in same])
    diff_scores = np.array([distance_to_score(d) for d in diff])
    rows = {
        f"score >= {t}": (float(np.mean(same_scores < t)), float(np.mean(diff_scores >= t)))
        for t in (85, 90)
    }
    for cut in (0.40, 0.45, 0.50, 0.55, 0.58, 0.60, 0.65):
        rows[f"distance <= {cut:.2f}"] = (float(np.mean(same > cut)), float(np.mean(diff <= cut)))
    return rows


def verification() -> dict[str, Any]:
    out: dict[str, Any] = {}
    embedded = {}
    for label, embed in (
        ("ours", largest_face_embedding),
        ("baseline", baseline_embedding),
        ("before", partial(largest_face_embedding, method="hog")),
    ):
        embedded[label] = embed_all(embed, label)
        same, diff = pair_distances(embedded[label])
        out[label] = verification_rows(same, diff)
        say(f"  {label}: {len(same)} same-person pairs, {len(diff)} different-person pairs")
    out["flips"] = threshold_flips(embedded["ours"], embedded["before"])
    return out


def detection_counts(count: Callable[[np.ndarray], int]) -> dict[str, float]:
    with (TESTDATA / "face_detection" / "expected_faces.csv").open() as rows:
        labelled = [r for r in csv.DictReader(rows) if not r["file"].startswith("ambiguous/")]
    right_class = in_range = found_total = true_found = expected = 0
    for row in labelled:
        found = count(decode_image((TESTDATA / "face_detection" / row["file"]).read_bytes()).rgb)
        low, high = int(row["min_faces"]), int(row["max_faces"])
        right_class += min(found, 2) == min(low, 2)
        in_range += low <= found <= high
        found_total += found
        true_found += min(found, high)
        expected += low
    return {
        "pictures": len(labelled),
        "class right": right_class,
        "count in range": in_range,
        "precision": true_found / max(found_total, 1),
        "recall": min(1.0, true_found / max(expected, 1)),
    }


def detection() -> dict[str, dict[str, float]]:
    return {
        "ours": detection_counts(lambda rgb: len(detect_faces(rgb))),
        "baseline": detection_counts(lambda rgb: len(vm.hog_detector()(rgb, 1))),
    }


def sibling(name: str) -> Any:
    """A bench module next to this one (vision_documents.py, vision_liveness.py), or None."""
    path = Path(__file__).with_name(f"{name}.py")
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def documents() -> None:
    """Run the documents colleague's measurement and print it with their printer."""
    module = sibling("vision_documents")
    if module is None:
        say("  bench/vision_documents.py is missing or cannot be loaded: no document figures")
        return
    result = module.measure_documents(TESTDATA)
    printer = getattr(module, "print_documents", None)
    if printer is None:
        say(f"  {result}")
    else:
        printer(result)


def print_report(speed: tuple[float, float], verify: Any, detect: Any) -> None:
    ours, base = speed
    say("\n== Throughput (640x480 JPEG frames, one core) ==")
    say(f"  ours     : {ours:6.1f} captures/s  ({1000 / ours:5.1f} ms each)")
    say(f"  baseline : {base:6.1f} captures/s  ({1000 / base:5.1f} ms each)")
    say(f"  ratio    : {ours / base:.2f}x")
    say("\n== Verification (FRR = same person refused, FAR = other person accepted) ==")
    say(f"  {'threshold':18s} {'ours FRR':>9s} {'ours FAR':>9s} {'base FRR':>9s} {'base FAR':>9s}")
    for key, (frr, far) in verify["ours"].items():
        bfrr, bfar = verify["baseline"][key]
        say(f"  {key:18s} {frr:9.2%} {far:9.3%} {bfrr:9.2%} {bfar:9.3%}")
    frr, far = verify["before"]["score >= 90"]
    say(f"  HOG at 800 px (the engine before BlazeFace), score >= 90: FRR {frr:.2%}, FAR {far:.3%}")
    for flip in verify["flips"]:
        say(f"    at 90 {flip}")
    say("\n== Detection (face_detection set, ambiguous pictures left out) ==")
    for label, row in detect.items():
        say(
            f"  {label:9s} class right {row['class right']}/{row['pictures']}, count in range "
            f"{row['count in range']}/{row['pictures']}, precision {row['precision']:.3f}, "
            f"recall {row['recall']:.3f}"
        )


def main() -> int:
    if not TESTDATA.is_dir():
        say(f"test data not found at {TESTDATA} (set TL_TESTDATA)")
        return 1
    say(f"test data: {TESTDATA}; encoder: {type(vm.face_encoder()).__name__}")
    say("Throughput ...")
    speed = throughput()
    say("Verification ...")
    verify = verification()
    say("Detection ...")
    detect = detection()
    say("Liveness ...")
    liveness = sibling("vision_liveness")
    live = liveness.measure_liveness(TESTDATA) if liveness else None
    print_report(speed, verify, detect)
    if liveness:
        liveness.print_liveness(live)
    say("\n== Documents ==")
    documents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
