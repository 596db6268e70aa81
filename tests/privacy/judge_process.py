"""Judge captures in a process of its own and tell which face models it built.

Usage: python -m tests.privacy.judge_process '<settings json>' <capture id>...
Prints one JSON line per capture: {"capture", "verdict", "models"} (models built so far).
"""

import json
import sys

from trust_lesson.presence.tasks import run_verdict
from trust_lesson.settings import Settings
from trust_lesson.vision.models import built_models
from trust_lesson.worker.registry import all_registrars
from trust_lesson.worker.worker import Worker


def main(settings_json: str, capture_ids: list[str]) -> None:
    worker = Worker(Settings.model_validate_json(settings_json), registrars=all_registrars())
    try:
        for capture_id in capture_ids:
            verdict = run_verdict(worker, int(capture_id))
            line = {"capture": int(capture_id), "verdict": verdict, "models": built_models()}
            print(json.dumps(line), flush=True)
    finally:
        worker.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
