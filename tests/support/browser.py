"""Debian's Chromium driven by Playwright, and fake webcams fed by real face pictures."""

import subprocess
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


def camera_args(video: Path) -> list[str]:
    """Flags for a browser whose webcam plays `video` (a y4m file), permission granted."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


def face_video(picture: Path, target: Path, *, seconds: int = 3) -> Path:
    """A 640x480 y4m clip that shows `picture` (what the fake webcam plays, on a loop)."""
    if not target.exists():
        subprocess.run(
            [
                "ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(picture),
                "-t", str(seconds), "-r", "10",
                "-vf", "scale=640:480:force_original_aspect_ratio=decrease,"
                "pad=640:480:(ow-iw)/2:(oh-ih)/2",
                "-pix_fmt", "yuv420p", str(target),
            ],
            check=True,
            timeout=60,
        )  # fmt: skip
    return target
