"""Figures of the capacity bench: CPU accounting from /proc, the table and a Pillow line chart."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its live descendants."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def own_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (its threads), without its children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (every process on the machine)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS


def percentile(values: list[float] | tuple[float, ...], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class StepResult:
    setup: str
    students: int
    """equivalent students at the default policy rate"""
    simulated: int
    seconds: float
    uploads: int
    requests: int
    latencies_s: tuple[float, ...]
    upload_ms: list[float]
    lost: int
    doubled: int
    errors: dict[str, int]
    verdicts: dict[str, int]
    cpu: dict[str, float] = field(default_factory=dict)
    load: str = ""
    run: int = 0
    """Which run of the step in a row (0: a single run)."""
    bursts: int = 0
    """Of the uploads, liveness bursts (five frames each, eight for a two-step)."""
    burst_verdicts: dict[str, int] = field(default_factory=dict)
    """Of ``verdicts``, those of the bursts."""
    timeline: tuple[tuple[float, float, bool], ...] = ()
    """Per verdict: seconds from the first capture, latency, whether a burst."""
    cpu_samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    """(seconds into the step, CPU seconds so far per process), every few seconds."""
    troubles: dict[str, int] = field(default_factory=dict)
    """The services' warning and error lines during the step, counted by what they say."""

    @property
    def label(self) -> str:
        return f"{self.setup} #{self.run}" if self.run else self.setup

    @property
    def uploads_per_s(self) -> float:
        return self.uploads / self.seconds

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def p95(self) -> float:
        return percentile(self.latencies_s, 0.95)

    @property
    def sustained(self) -> bool:
        server_errors = sum(n for key, n in self.errors.items() if key.split()[-1][:1] != "4")
        return self.p95 <= 10 and self.lost == 0 and self.doubled == 0 and not server_errors

    def summary(self) -> str:
        lat = self.latencies_s
        return (
            f"{self.label:<26} {self.students:>6} {self.simulated:>5} {self.uploads_per_s:>6.2f}"
            f" {self.requests_per_s:>6.1f} {percentile(lat, 0.5):>6.2f} {self.p95:>6.2f}"
            f" {percentile(lat, 0.99):>6.2f} {percentile(self.upload_ms, 0.95):>7.0f}"
            f" {self.lost:>4} {self.doubled:>4} {sum(self.errors.values()):>5}"
            f" {'yes' if self.sustained else 'NO':>4}"
        )


HEADER = (
    f"{'setup':<26} {'stud.':>6} {'sim':>5} {'upl/s':>6} {'req/s':>6} {'p50 s':>6} {'p95 s':>6}"
    f" {'p99 s':>6} {'upl p95':>7} {'lost':>4} {'dbl':>4} {'errs':>5} {'ok':>4}"
)


def print_table(results: list[StepResult]) -> None:
    print("\n" + HEADER)
    print("-" * len(HEADER))
    for result in results:
        print(result.summary())
    print("\nper step: CPU seconds (server / worker / bench client / whole machine), load, errors")
    for r in results:
        cpu = " / ".join(f"{k} {v:.0f}" for k, v in r.cpu.items())
        per = r.cpu.get("worker", 0.0) / max(1, sum(r.verdicts.values()))
        print(f"  {r.label:<26} {r.students:>6}: {cpu}; {per * 1000:.0f} ms worker CPU/verdict;")
        print(
            f"  {'':<26} {'':>6}  {r.bursts} of {r.uploads} uploads were bursts; load {r.load};"
            f" verdicts {r.verdicts}, of the bursts {r.burst_verdicts}; errors {r.errors}"
        )
        print_troubles(r)
        print_timeline(r)


def print_troubles(result: StepResult) -> None:
    if not result.troubles:
        print(f"  {'':<26} {'':>6}  no warning or error in the services' logs")
    for line, count in result.troubles.items():
        print(f"  {'':<26} {'':>6}  logged {count:>5}x: {line}")


TIMELINE_BUCKET_S = 15.0


def print_timeline(result: StepResult) -> None:
    """Verdict latency p95 by when the capture arrived (bursts and ordinary checks apart):
    shows whether the lag builds while students join or stays."""
    if not result.timeline:
        return
    last = max(at for at, _, _ in result.timeline)
    cells = []
    for start in range(0, int(last // TIMELINE_BUCKET_S) + 1):
        low, high = start * TIMELINE_BUCKET_S, (start + 1) * TIMELINE_BUCKET_S
        inside = [(lat, burst) for at, lat, burst in result.timeline if low <= at < high]
        bursts = [lat for lat, burst in inside if burst]
        ordinary = [lat for lat, burst in inside if not burst]
        cells.append(
            f"{low:>4.0f}s {len(bursts):>3}b p95 {_p95(bursts):>5} {len(ordinary):>3}o p95"
            f" {_p95(ordinary):>5}"
        )
    cores = _cores_by_bucket(result.cpu_samples, len(cells))
    print(
        f"  {'':<26} verdict p95 by arrival (b: bursts, o: ordinary checks);"
        " cores used then (serve / worker / whole machine):"
    )
    for cell, used in zip(cells, cores, strict=True):
        print(f"  {'':<26}   {cell}   {used}")


def _cores_by_bucket(samples: list[tuple[float, dict[str, float]]], buckets: int) -> list[str]:
    """Cores used by serve, the worker and the machine in each bucket of the step (the
    samples' clock starts with the students, the arrivals' with the first capture: within a
    second of each other)."""
    cells = []
    for number in range(buckets):
        low, high = number * TIMELINE_BUCKET_S, (number + 1) * TIMELINE_BUCKET_S
        inside = [(at, cpu) for at, cpu in samples if low <= at <= high]
        if len(inside) < 2:
            cells.append("")
            continue
        (start, first), (end, last) = inside[0], inside[-1]
        span = max(end - start, 1e-9)
        cells.append(
            " / ".join(f"{(last[k] - first[k]) / span:.2f}" for k in ("serve", "worker", "machine"))
        )
    return cells


def _p95(values: list[float]) -> str:
    return f"{percentile(values, 0.95):.1f}" if values else "-"


COLOURS = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (23, 190, 207),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
]


def chart(results: list[StepResult], path: Path) -> Path:
    """Verdict latency against students (p95 thick, p50 thin), one colour per setup and run;
    when every result is the same step (runs in a row), the p95 of each run by when the
    captures arrived (``TIMELINE_BUCKET_S`` buckets), which shows where the lag builds."""
    if len({r.students for r in results}) == 1 and all(r.timeline for r in results):
        return _timeline_chart(results, path)
    top_x = max((r.students for r in results), default=1)
    top_y = max([10.0] + [r.p95 for r in results if r.p95 == r.p95]) * 1.1
    canvas = _Canvas(top_x, top_y, "Trust Lesson capacity: verdict latency (upload -> verdict)")
    for number, setup in enumerate(dict.fromkeys(r.label for r in results)):
        rows = sorted((r for r in results if r.label == setup), key=lambda r: r.students)
        p95 = [(float(r.students), r.p95) for r in rows]
        p50 = [(float(r.students), percentile(r.latencies_s, 0.5)) for r in rows]
        canvas.series(number, f"{setup} (p95 thick, p50 thin)", p95, p50)
    for r in results:
        canvas.x_label(r.students, str(r.students))
    canvas.x_title("concurrent students at the default policy rate")
    return canvas.save(path)


def _timeline_chart(results: list[StepResult], path: Path) -> Path:
    buckets = {r.label: _p95_by_arrival(r) for r in results}
    top_x = max(at for series in buckets.values() for at, _ in series) + TIMELINE_BUCKET_S
    top_y = max([10.0] + [p95 for series in buckets.values() for _, p95 in series]) * 1.1
    title = f"Trust Lesson capacity: verdict latency p95 at {results[0].students:,} students"
    canvas = _Canvas(top_x, top_y, title)
    for number, result in enumerate(results):
        legend = f"{result.label}: p95 {result.p95:.1f} s over the step"
        canvas.series(number, legend, buckets[result.label], [])
    for second in range(0, int(top_x) + 1, 30):
        canvas.x_label(second, f"{second} s")
    canvas.x_title(
        f"when the capture arrived (p95 of each {TIMELINE_BUCKET_S:g} s, from the first capture)"
    )
    return canvas.save(path)


def _p95_by_arrival(result: StepResult) -> list[tuple[float, float]]:
    """(middle of the bucket, verdict p95 of the captures that arrived in it)."""
    found: dict[int, list[float]] = {}
    for at, latency, _ in result.timeline:
        found.setdefault(int(at // TIMELINE_BUCKET_S), []).append(latency)
    return [
        ((bucket + 0.5) * TIMELINE_BUCKET_S, percentile(found[bucket], 0.95))
        for bucket in sorted(found)
    ]


class _Canvas:
    """A white chart with its frame, ticks in seconds and the goal line (p95 10 s)."""

    width, height, margin = 900, 520, 70

    def __init__(self, top_x: float, top_y: float, title: str) -> None:
        self.top_x, self.top_y = top_x, top_y
        self.image = Image.new("RGB", (self.width, self.height), "white")
        self.draw = ImageDraw.Draw(self.image)
        right, bottom = self.width - self.margin, self.height - self.margin
        self.draw.rectangle([self.margin, self.margin, right, bottom], outline="black")
        for tick in range(0, int(top_y) + 1, max(1, int(top_y) // 8)):
            self.draw.text((8, self.point(0, tick)[1] - 6), f"{tick:>3} s", fill="black")
        goal = self.point(0, 10)[1]
        self.draw.line([self.margin, goal, right, goal], fill=(150, 150, 150), width=1)
        self.draw.text((right - 120, goal - 14), "goal: p95 10 s", fill=(120, 120, 120))
        self.draw.text((self.margin, 20), title, fill="black")

    def point(self, x: float, seconds: float) -> tuple[float, float]:
        inner_w, inner_h = self.width - 2 * self.margin, self.height - 2 * self.margin
        y = min(seconds, self.top_y) / self.top_y
        return self.margin + inner_w * x / self.top_x, self.height - self.margin - inner_h * y

    def series(
        self,
        number: int,
        legend: str,
        thick: list[tuple[float, float]],
        thin: list[tuple[float, float]],
    ) -> None:
        colour = COLOURS[number % len(COLOURS)]
        points = [self.point(x, y) for x, y in thick]
        if len(points) > 1:
            self.draw.line(points, fill=colour, width=3)
        if len(thin) > 1:
            self.draw.line([self.point(x, y) for x, y in thin], fill=colour, width=1)
        for x, y in points:
            self.draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
        self.draw.text((self.margin + 10, self.margin + 10 + 16 * number), legend, fill=colour)

    def x_label(self, x: float, text: str) -> None:
        left, _ = self.point(x, 0)
        self.draw.text((left - 14, self.height - self.margin + 8), text, fill="black")

    def x_title(self, text: str) -> None:
        self.draw.text((self.width // 2 - 150, self.height - 30), text, fill="black")

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.image.save(path)
        return path
