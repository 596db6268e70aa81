"""Issue 8, done-when 2: the worst requests the service allows, several at once, stay within a
memory and a work budget. The service runs as a real `trust-lesson serve` process on the
embedded default, whose worker process (its child, issue 12) judges the captures; the peak RSS
(VmHWM) and CPU seconds of both are read from /proc. The audit's attack had added 2.9 GiB with
three parallel enrolments of 40 MP pictures, and a 2,000-scan JPEG cost ~20 s of CPU.

Budgets (README "Security"): peak RSS 900 MiB per process and 1,400 MiB for the service (the
processes' peaks summed: each holds its own face models); CPU seconds per request, the
processes' CPU time over a phase divided by that phase's requests (threads, decoding and the
worker's verdicts included): an enrolment of five largest selfies 6 s, a capture of the
largest webcam frame with its verdict 3 s. CPU seconds, not wall-clock: on this shared 2-core
machine a request's wall time mostly measures the other work waiting for a core.
"""

import io
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.support.hostile_pictures import flat_png, many_scans_jpeg
from tests.support.serve_process import ServeProcess, command, environment, serve_process

pytestmark = pytest.mark.slow

PEAK_RSS_BUDGET_MIB = 900  # per process; measured API 531-630, worker 499; README
SERVICE_RSS_BUDGET_MIB = 1400  # the processes' peaks summed; measured 679 / 616 / 1,141
ENROLMENT_CPU_BUDGET_S = 6.0  # measured 2.3
CAPTURE_CPU_BUDGET_S = 3.0  # measured 0.8, the verdict included
ENROLMENTS = 3
CAPTURES = 6
PASSWORD = "correct horse battery staple"
INSTRUCTOR = "teacher@school.example"
T = TypeVar("T")


def astronaut() -> Image.Image:
    from skimage import data

    return Image.fromarray(np.ascontiguousarray(data.astronaut()))  # type: ignore[no-untyped-call]


def jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def largest_webcam_frame() -> bytes:
    """A face in a 3840 x 2160 frame (8.3 MP, the cap), progressive in the 64 scans allowed."""
    canvas = Image.new("RGB", (3840, 2160), (128, 128, 128))
    canvas.paste(astronaut().resize((2160, 2160)), (840, 0))
    return many_scans_jpeg(repeats=54, picture=canvas)


class Api:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, headers: dict[str, str], **body: Any) -> Any:
        answer = httpx.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=300, **body
        )
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def sign_in(self, email: str) -> dict[str, str]:
        body = {"email": email, "password": PASSWORD}
        token = self.call("POST", "/auth/login", {}, json=body)["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def student(self, number: int) -> tuple[int, dict[str, str]]:
        """Registered, signed in, consented: ready to enrol a face."""
        email = f"heavy{number}@school.example"
        account = {"email": email, "password": PASSWORD, "full_name": f"Heavy {number}"}
        person = self.call(
            "POST", "/auth/register", {}, json=account | {"username": f"heavy{number}"}
        )
        headers = self.sign_in(email)
        self.call("POST", f"/users/{person['id']}/consent", headers)
        return person["id"], headers


def in_parallel(work: Callable[[T], int], items: Sequence[T]) -> list[int]:
    with ThreadPoolExecutor(len(items)) as pool:
        return list(pool.map(work, items))


def enrol(api: Api, pictures: list[bytes]) -> Callable[[tuple[int, dict[str, str]]], int]:
    def send(student: tuple[int, dict[str, str]]) -> int:
        user_id, headers = student
        files = [("images", (f"s{n}.png", p, "image/png")) for n, p in enumerate(pictures)]
        answer = httpx.post(
            f"{api.url}/api/v1/users/{user_id}/face-enrolment",
            files=files,
            headers=headers,
            timeout=300,
        )
        return answer.status_code

    return send


def running_lesson(api: Api, students: list[tuple[int, dict[str, str]]]) -> int:
    teacher = api.sign_in(INSTRUCTOR)
    course = api.call("POST", "/courses", teacher, json={"name": "Heavy load"})
    # Ordinary checks, one picture each: the worst single webcam frame is what is measured.
    ordinary = {"liveness_checks": "NONE"}
    api.call("PUT", f"/courses/{course['id']}/policy", teacher, json=ordinary)
    term = api.call("POST", f"/courses/{course['id']}/terms", teacher, json={})
    for number in range(len(students)):
        member = {"email": f"heavy{number}@school.example", "role": "STUDENT"}
        api.call("POST", f"/terms/{term['id']}/members", teacher, json=member)
    lesson = {"term_id": term["id"], "title": "Rush hour", "duration_min": 60}
    lesson |= {"start_date": datetime.now(UTC).isoformat()}
    lesson_id: int = api.call("POST", "/lessons", teacher, json=lesson)["id"]
    api.call("POST", f"/lessons/{lesson_id}/start", teacher)
    return lesson_id


def answer_entry_check(api: Api, lesson_id: int, picture: bytes) -> Callable[[dict[str, str]], int]:
    def send(headers: dict[str, str]) -> int:
        challenge = api.call("POST", f"/lessons/{lesson_id}/join", headers)["challenge"]
        answer = httpx.post(
            f"{api.url}/api/v1/lessons/{lesson_id}/captures",
            data={"challenge_id": str(challenge["id"]), "nonce": challenge["nonce"]},
            files={"image": ("frame.jpg", picture, "image/jpeg")},
            headers=headers,
            timeout=300,
        )
        assert answer.status_code == 202, answer.text
        capture_id: int = answer.json()["capture_id"]
        while api.call("GET", f"/captures/{capture_id}", headers)["status"] != "DONE":
            time.sleep(0.5)  # the in-process worker judges it
        return capture_id

    return send


def measured(served: ServeProcess, phase: Callable[[], T]) -> tuple[T, list[float], float]:
    """What a phase returned, each process's peak RSS during it, and the CPU seconds it took."""
    served.reset_peak()
    cpu_before = served.cpu_seconds()
    result = phase()
    return result, list(served.peaks_mib().values()), served.cpu_seconds() - cpu_before


def _mib(peaks: list[float]) -> str:
    return f"{' + '.join(f'{p:.0f}' for p in sorted(peaks, reverse=True))} = {sum(peaks):.0f}"


def test_parallel_worst_enrolments_and_captures_stay_within_the_budget(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    teacher = ("--email", INSTRUCTOR, "--full-name", "Tess Teacher", "--role", "INSTRUCTOR")
    command("create-user", *teacher, "--password", PASSWORD, env=environment(data_dir))
    selfies = [flat_png(4096, 3072 - n) for n in range(5)]  # 12.6 MP each (the cap), different
    frame = largest_webcam_frame()

    with serve_process(data_dir) as served:
        api = Api(served.url)
        students = [api.student(n) for n in range(CAPTURES)]
        idle_mib = served.peak_rss_mib()
        processes = len(served.processes())
        statuses, enrolled_mib, enrol_cpu = measured(
            served, lambda: in_parallel(enrol(api, selfies), students[:ENROLMENTS])
        )
        _, faces_mib, _ = measured(
            served, lambda: [enrol(api, [jpeg(astronaut())])(s) == 201 for s in students]
        )
        lesson_id = running_lesson(api, students)
        captures, captured_mib, capture_cpu = measured(
            served,
            lambda: in_parallel(
                answer_entry_check(api, lesson_id, frame), [s[1] for s in students]
            ),
        )
        verdicts = [api.call("GET", f"/captures/{c}", students[0][1]) for c in captures[:1]]

    print(
        f"\nidle peak {idle_mib:.0f} MiB ({processes} processes); peaks by process (MiB) and "
        f"CPU per request: {ENROLMENTS} parallel worst enrolments {_mib(enrolled_mib)}, "
        f"{enrol_cpu / ENROLMENTS:.2f} CPU s each; real faces enrolled {_mib(faces_mib)}; "
        f"{CAPTURES} parallel worst captures with their verdicts {_mib(captured_mib)}, "
        f"{capture_cpu / CAPTURES:.2f} CPU s each (budget {PEAK_RSS_BUDGET_MIB} MiB a process, "
        f"{SERVICE_RSS_BUDGET_MIB} MiB summed, {ENROLMENT_CPU_BUDGET_S} / "
        f"{CAPTURE_CPU_BUDGET_S} CPU s)"
    )
    assert statuses == [422] * ENROLMENTS  # decoded, analysed: no face in them
    assert verdicts[0]["verdict"] is not None
    assert processes >= 2  # serve and its worker process
    for peaks in (enrolled_mib, faces_mib, captured_mib):
        assert max(peaks) < PEAK_RSS_BUDGET_MIB
        assert sum(peaks) < SERVICE_RSS_BUDGET_MIB
    assert enrol_cpu / ENROLMENTS < ENROLMENT_CPU_BUDGET_S
    assert capture_cpu / CAPTURES < CAPTURE_CPU_BUDGET_S
