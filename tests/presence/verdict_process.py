"""Run one verdict in a process of its own (a worker a test can SIGKILL in the middle).

Usage: python -m tests.presence.verdict_process '<settings json>' <capture id>
"""

import sys

from trust_lesson.presence.tasks import run_verdict
from trust_lesson.settings import Settings
from trust_lesson.worker.registry import all_registrars
from trust_lesson.worker.worker import Worker


def main(settings_json: str, capture_id: str) -> None:
    settings = Settings.model_validate_json(settings_json)
    worker = Worker(settings, registrars=all_registrars())
    try:
        print(run_verdict(worker, int(capture_id)), flush=True)
    finally:
        worker.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
