"""Build and publish from the desk (issue 18 item 4): each runs the CLI command itself in a
child process, so the desk checks, writes and reports exactly what `kjtypeset build` and
`kjtypeset publish` do, and its own process never holds a second engine. The lines the
command prints (progress, warnings, the one-line error) are streamed to the browser as
server-sent events while it runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

KEEP = 20  # finished jobs remembered, for a browser that reconnects


@dataclass
class Job:
    id: str
    kind: str  # build | publish
    issue_id: str
    command: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    returncode: int | None = None
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None
    process: asyncio.subprocess.Process | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def done(self) -> bool:
        return self.returncode is not None


class Jobs:
    def __init__(self, root: Path):
        self.root = root
        self.jobs: dict[str, Job] = {}

    def running(self, issue_id: str) -> Job | None:
        return next((j for j in self.jobs.values() if j.issue_id == issue_id and not j.done), None)

    async def start(self, kind: str, issue_id: str, arguments: list[str]) -> Job:
        job = Job(secrets.token_hex(8), kind, issue_id, ("kjtypeset", *arguments))
        self.jobs[job.id] = job
        for old in [j for j in self.jobs.values() if j.done][:-KEEP]:
            self.jobs.pop(old.id, None)
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", KJTYPESET_PROJECT=str(self.root))
        job.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kjtypeset", *arguments, cwd=self.root, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        asyncio.get_running_loop().create_task(self._follow(job))
        return job

    async def _follow(self, job: Job) -> None:
        assert job.process is not None and job.process.stdout is not None
        async for raw in job.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                job.lines.append(line)
                job.changed.set()
        job.returncode = await job.process.wait()
        job.seconds = time.monotonic() - job.started
        job.changed.set()

    def stop_all(self) -> None:
        for job in self.jobs.values():
            if not job.done and job.process is not None and job.process.returncode is None:
                job.process.terminate()  # writes are atomic: the old files stay as they were


async def job_events(job: Job, finished: callable, closing: callable):
    """The job's lines as server-sent events, then one ``done`` event (``finished(job)``
    gives its data: download links, the archive's page)."""
    sent = 0
    yield "retry: 2000\n\n"
    while not closing():
        while sent < len(job.lines):
            yield _event("line", {"text": job.lines[sent]})
            sent += 1
        if job.done:
            yield _event("done", {"ok": job.returncode == 0, "code": job.returncode,
                                  "seconds": round(job.seconds or 0, 1), **finished(job)})
            return
        job.changed.clear()
        try:
            await asyncio.wait_for(job.changed.wait(), 1.0)
        except TimeoutError:
            yield ": keep-alive\n\n"


def _event(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
