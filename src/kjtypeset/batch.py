"""Batch builds: every issue under issue_sources/ at once, one worker process per core.

Issues are independent (each reads its own folder and writes its own output folder under its
own lock), so they are simply spread over a process pool; a failure in one issue is that
issue's result, reported with its message, and the others go on. The same independence lets
a job runner shard the work by issue across machines: one `kjtypeset build <issue>` per job.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import project
from .errors import KjError, display_path
from .malloc import one_arena
from .pdf.editions import PrintOptions


@dataclass(frozen=True)
class Built:
    manifest: Path
    issue_id: str
    ok: bool
    message: str  # the one-line error when not ok
    pages: int
    seconds: float
    warnings: tuple[str, ...] = ()  # one line each, path:line: message
    peak_rss_mb: int = 0  # the worker process's peak resident memory so far


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_all(manifests: list[Path], output_root: Path | None, jobs: int, editions: tuple[str, ...],
              options: PrintOptions, on_done: Callable[[Built], None] = lambda built: None,
              strict: bool = False) -> tuple[Built, ...]:
    """Build every issue; returns the results in the order of ``manifests``."""
    results: dict[Path, Built] = {}
    # spawn: workers start clean, not as copies of a parent that may hold threads and locks.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(manifests))), mp_context=context,
                             initializer=project.use, initargs=(project.chosen(),)) as pool:
        futures = {pool.submit(build_one, manifest, output_root and output_root / manifest.parent.name,
                               editions, options, strict): manifest for manifest in manifests}
        for future in as_completed(futures):
            manifest = futures[future]
            try:
                built = future.result()
            except Exception as exc:  # the worker process itself died (killed, out of memory)
                built = Built(manifest, manifest.parent.name, False,
                              f"{display_path(manifest)}: 排版进程意外退出（{type(exc).__name__}: {exc}）", 0, 0.0)
            results[manifest] = built
            on_done(built)
    return tuple(results[m] for m in manifests)


def build_one(manifest: Path, output: Path | None, editions: tuple[str, ...], options: PrintOptions,
              strict: bool = False) -> Built:
    """One issue, in a worker process: its outcome as plain values, never an exception."""
    from .build import build_issue
    from .pdf import editions as cuts

    cuts.PARALLEL_CUTS = False  # the pool already gives every core an issue of its own
    one_arena()  # the worker's peak memory (see malloc.py)
    started = time.perf_counter()
    try:
        result = build_issue(manifest, output, editions=editions, options=options, strict=strict)
    except KjError as exc:
        return Built(manifest, manifest.parent.name, False, str(exc), 0, time.perf_counter() - started,
                     peak_rss_mb=_peak_rss_mb())
    except Exception as exc:  # a bug, not the editor's mistake: still only this issue fails
        return Built(manifest, manifest.parent.name, False,
                     f"{display_path(manifest)}: 内部错误（{type(exc).__name__}: {exc}），请报告", 0,
                     time.perf_counter() - started, peak_rss_mb=_peak_rss_mb())
    return Built(manifest, manifest.parent.name, True, "", result.pages, result.seconds,
                 tuple(str(w) for w in result.warnings), _peak_rss_mb())


def _peak_rss_mb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: kilobytes
