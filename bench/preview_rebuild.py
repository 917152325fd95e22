"""Preview rebuild time after a one-line edit: median of 5, on the sample and a 200-page issue.

Starts `kjtypeset preview` on a temporary copy of an issue, waits for the first rendering,
then five times changes one line of an article and measures the time from the save to the
moment the server offers the new rendering (watch + layout + changed page images), as the
browser hears it: on the preview's event stream (``--via state`` polls /state every 10 ms
instead, which makes the server encode the whole snapshot 100 times a second). The
200-page issue is the sample's articles repeated 19 times (bench/build_speed.py's), so the
edited article appears 19 times and every copy's pages change.

    .venv/bin/python bench/preview_rebuild.py [--skip-200] [--runs 5] [--via events|state]

Issue 15's targets: ≤ 0.6 s (sample), ≤ 3 s (200 pages). The script exits 1 when a median is
more than 20 % above its target, so that `make bench` fails on a regression.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from build_speed import grown_issue  # noqa: E402


def state(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/state", timeout=5) as response:
        return json.load(response)


def wait_for(port: int, version: int, limit: float = 120) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            current = state(port)
            if current["version"] > version:
                return current
        except OSError:
            pass
        time.sleep(0.01)
    raise TimeoutError("no new rendering")


class Events:
    """The preview's event stream, read as the browser's EventSource reads it: the newest
    state it sent, and a condition to wait on for the next one."""

    def __init__(self, port: int):
        self.latest: dict | None = None
        self.changed = threading.Condition()
        self.response = None
        threading.Thread(target=self._read, args=(port,), daemon=True).start()

    def _read(self, port: int) -> None:
        deadline = time.monotonic() + 300
        while self.response is None:
            try:
                self.response = urllib.request.urlopen(f"http://127.0.0.1:{port}/events", timeout=600)
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.1)
        kind = None
        for raw in self.response:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "preview":
                data = json.loads(line[6:])
                with self.changed:
                    # Only the pages that changed come with an event: keep every page's text.
                    pages = list(self.latest["pages"]) if self.latest else []
                    pages[data["count"]:] = []
                    pages += [None] * (data["count"] - len(pages))
                    for page in data["changed"]:
                        pages[page["index"]] = page
                    self.latest = {**data, "pages": pages}
                    self.changed.notify_all()

    def wait_for(self, version: int, limit: float = 120) -> dict:
        deadline = time.monotonic() + limit
        with self.changed:
            while self.latest is None or self.latest["version"] <= version:
                if not self.changed.wait(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError("no new rendering")
            return self.latest


TARGETS = {"sample": 0.6, "200-page": 3.0}
SLACK = 1.2


def measure(name: str, issue: Path, work: Path, runs: int, via: str = "events") -> float:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The server's warnings (the 200-page issue lists each article 19 times) go to a file.
    log = open(work / f"preview-{name}.log", "wb")  # noqa: SIM115 — closed with the server
    server = subprocess.Popen([sys.executable, "-m", "kjtypeset", "preview", str(issue), "--port",
                               str(port), "--output", str(work / f"out-{issue.name}"), "-q"],
                              stderr=log)
    try:
        events = Events(port) if via == "events" else None
        wait = events.wait_for if events else functools.partial(wait_for, port)
        first = wait(0, limit=300)
        article = issue / "articles" / "05-hefei.md"
        times = []
        version = first["version"]
        for n in range(runs):
            time.sleep(1.0)
            text = article.read_text(encoding="utf-8")
            started = time.monotonic()
            article.write_text(text.replace("双向赋能。", f"双向赋能。第{n + 1}次修改。", 1)
                               if n == 0 else text.replace(f"第{n}次修改", f"第{n + 1}次修改"),
                               encoding="utf-8")
            current = wait(version)
            times.append(time.monotonic() - started)
            version = current["version"]
            assert current["error"] is None and any(f"第{n + 1}次修改" in p["text"] for p in current["pages"])
            print(f"  {name} edit {n + 1}: {times[-1]:.2f} s (server: layout, paint, images "
                  f"{current['seconds']} s; {current['repainted']} of {len(current['pages'])} pages repainted)")
    finally:
        server.terminate()
        try:  # a server in the middle of a 200-page layout on a busy machine takes its time
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    median = statistics.median(times)
    target = TARGETS[name]
    verdict = "ok" if median <= target else ("over target" if median <= target * SLACK else "REGRESSION (> 20 % over)")
    print(f"preview {name}: median {median:.2f} s of {runs} edits; {len(current['pages'])} pages "
          f"(target ≤ {target} s): {verdict}")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-200", action="store_true", help="skip the 200-page issue")
    parser.add_argument("--via", choices=("events", "state"), default="events",
                        help="hear of a new rendering on the event stream (as the browser) or by polling /state")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kj-bench-"))
    medians = {}
    try:
        issue = work / "2024-02"
        shutil.copytree(ROOT / "issue_sources" / "2024-02", issue)
        medians["sample"] = measure("sample", issue, work, args.runs, args.via)
        if not args.skip_200:
            medians["200-page"] = measure("200-page", grown_issue(work, 19).parent, work, args.runs, args.via)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any(median > TARGETS[name] * SLACK for name, median in medians.items()) else 0


if __name__ == "__main__":
    sys.exit(main())
