"""Debian's Chromium driven by Playwright, and fake webcams fed by real face pictures."""

import subprocess
from pathlib import Path

from PIL import Image

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


def turn_video(frontal: Path, turned: Path, target: Path, *, mirror: bool = False) -> Path:
    """A 640x480 y4m clip of a head turn: `frontal` for 1.5 s, then `turned` for 4.5 s (mirrored
    both when `mirror`: a turn to the other side), with fresh sensor noise in every frame (a
    real camera never sends two identical frames). Whenever a burst of frames 0.5 s apart
    starts in the first 1.5 s, its first frame is frontal and its last two are turned."""
    flip = "hflip," if mirror else ""
    return _clip([(frontal, 1.5, flip), (turned, 4.5, flip)], target)


def two_step_video(frontal: Path, turned: Path, target: Path, *, mirror: bool = False) -> Path:
    """A y4m clip of an ordered two-step: `frontal` for 1.5 s, `turned` for 1.5 s, then its
    mirror image (the turn to the other side) for 3 s; the whole clip mirrored when `mirror`.
    Whenever a burst of eight frames 0.5 s apart starts in the first 1.5 s, its first frame is
    frontal, two frames among the 2nd-5th are turned, and its last two are turned the other
    way."""
    flip, other = ("hflip,", "") if mirror else ("", "hflip,")
    return _clip([(frontal, 1.5, flip), (turned, 1.5, flip), (turned, 3.0, other)], target)


def warming_up_video(picture: Path, target: Path, *, dark_seconds: float = 1.5) -> Path:
    """A y4m clip of a camera just switched on: black for `dark_seconds` (no noise: black as
    a camera whose exposure has not settled yet), then `picture` for 10 s."""
    black = target.with_name(f"{target.stem}-black.png")
    Image.new("RGB", (640, 480)).save(black)
    return _clip([(black, dark_seconds, ""), (picture, 10.0, "")], target, noise=False)


def _clip(parts: list[tuple[Path, float, str]], target: Path, *, noise: bool = True) -> Path:
    """The pictures one after the other (each for its seconds, through its filter), fitted
    on 640x480 at 10 frames per second, with fresh noise in every frame unless not `noise`."""
    if target.exists():
        return target
    fit = "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2"
    inputs: list[str] = []
    chains = []
    for number, (picture, seconds, flip) in enumerate(parts):
        inputs += ["-loop", "1", "-t", str(seconds), "-i", str(picture)]
        chains.append(f"[{number}:v]{flip}{fit},setsar=1,fps=10[p{number}]")
    joined = "".join(f"[p{number}]" for number in range(len(parts)))
    grain = ",noise=alls=10:allf=t+u" if noise else ""
    graph = ";".join(chains) + f";{joined}concat=n={len(parts)}:v=1{grain}[c]"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph,
         "-map", "[c]", "-r", "10", "-pix_fmt", "yuv420p", str(target)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return target


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
