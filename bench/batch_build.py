"""Batch rebuild time with 1 and 2 worker processes (`kjtypeset build --all --jobs N`).

The sources are copies of the sample issue (12 pages, three editions each), renumbered
2024-01 … 2024-NN in a temporary folder, so the work per issue is that of a real issue.
Each run is one whole command, as `make all-issues` runs it; the two settings alternate
(1, 2, 1, 2 …) and the best of each is reported, since a shared machine is noisy. Each
worker reports its peak resident memory (`build --all -v`), and the largest is printed.
First, a check of what the machine's cores deliver: one busy Python loop alone, then two at
once (on a machine with two idle cores, both take as long as one alone). A benchmark, not a test.

    .venv/bin/python bench/batch_build.py [--issues 24] [--repeat 2]

Prints ``batch speed-up: …×`` and ``batch peak RSS per worker: … MB``, which `make bench` reads.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issue_sources" / "2024-02"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    alone = _burn(1)
    together = _burn(2)
    print(f"CPU check: a busy loop takes {alone:.2f} s alone, {together:.2f} s with a second one beside it "
          f"(cores available: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(prefix="kjtypeset-batch-") as temp:
        sources = Path(temp) / "issue_sources"
        for number in range(1, args.issues + 1):
            folder = sources / f"2024-{number:02d}"
            shutil.copytree(SAMPLE, folder)
            manifest = folder / "issue.yaml"
            manifest.write_text(re.sub(r"(?m)^number: \d+", f"number: {number}",
                                       manifest.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"{args.issues} issues (copies of the sample: 12 pages, proof + print + archive each)")
        times: dict[int, list[float]] = {1: [], 2: []}
        peaks: dict[int, int] = {1: 0, 2: 0}
        for run in range(args.repeat):
            for jobs in (1, 2):
                out = Path(temp) / f"out-{jobs}-{run}"
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "kjtypeset", "build", "--all", "--sources",
                                       str(sources), "--output", str(out), "--jobs", str(jobs), "-v"],
                                      capture_output=True, text=True)
                times[jobs].append(time.perf_counter() - started)
                if done.returncode:
                    raise SystemExit(done.stderr)
                assert len(list(out.rglob("*.pdf"))) == 3 * args.issues
                rss = [int(m) for m in re.findall(r"排版进程内存峰值 (\d+) MB", done.stderr)]
                assert len(rss) == args.issues, done.stderr
                peaks[jobs] = max(peaks[jobs], *rss)
                shutil.rmtree(out)
        for jobs, runs in times.items():
            print(f"--jobs {jobs}: best {min(runs):5.1f} s wall ({min(runs) / args.issues:.2f} s per issue); "
                  f"runs: {', '.join(f'{t:.1f}' for t in runs)} s; peak RSS per worker {peaks[jobs]} MB")
        print(f"batch speed-up: {min(times[1]) / min(times[2]):.2f}× with 2 workers (target ≥ 1.8×)")
        print(f"batch peak RSS per worker: {max(peaks.values())} MB (target ≤ 350 MB)")


def _burn(processes: int) -> float:
    """Seconds per busy loop when ``processes`` run at once."""
    code = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(20_000_000): x += i\nprint(time.perf_counter() - t)"
    children = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
                for _ in range(processes)]
    return max(float(child.communicate()[0]) for child in children)


if __name__ == "__main__":
    main()
