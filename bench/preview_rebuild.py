"""Preview rebuild time after a one-line edit: median of 5, on a copy of the sample issue.

Starts `kjtypeset preview` on a temporary copy of issue_sources/2024-02, waits for the first
rendering, then five times changes one line of an article and measures the time from the
save to the moment the server offers the new rendering (watch + build + page images).

    .venv/bin/python bench/preview_rebuild.py
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def state(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/state", timeout=5) as response:
        return json.load(response)


def wait_for(port: int, version: int, limit: float = 60) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            current = state(port)
            if current["version"] > version:
                return current
        except OSError:
            pass
        time.sleep(0.02)
    raise TimeoutError("no new rendering")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="kj-bench-"))
    issue = work / "2024-02"
    shutil.copytree(ROOT / "issue_sources" / "2024-02", issue)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kjtypeset", "preview", str(issue), "--port",
                               str(port), "--output", str(work / "out"), "-q"])
    try:
        first = wait_for(port, 0)
        article = issue / "articles" / "05-hefei.md"
        times = []
        version = first["version"]
        for n in range(5):
            time.sleep(1.0)
            text = article.read_text(encoding="utf-8")
            started = time.monotonic()
            article.write_text(text.replace("双向赋能。", f"双向赋能。第{n + 1}次修改。", 1)
                               if n == 0 else text.replace(f"第{n}次修改", f"第{n + 1}次修改"),
                               encoding="utf-8")
            current = wait_for(port, version)
            times.append(time.monotonic() - started)
            version = current["version"]
            assert current["error"] is None and any(f"第{n + 1}次修改" in p["text"] for p in current["pages"])
            print(f"edit {n + 1}: {times[-1]:.2f} s (server-side build + render {current['seconds']} s)")
        print(f"median of 5: {statistics.median(times):.2f} s; pages: {len(current['pages'])}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
