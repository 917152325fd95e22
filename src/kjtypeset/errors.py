"""Errors the user can fix: each names a file, a line and what was expected."""

from __future__ import annotations

import contextlib
import logging
import os
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path).resolve()
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def one_line(text: str) -> str:
    """``text`` with line breaks and other invisible control characters shown as escapes
    (a value quoted from the input may hold them; the message must stay one line)."""
    return "".join(ascii(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
                   for char in text)


class KjError(Exception):
    """A problem in the user's input, reported as one line: ``path:line: message``."""

    def __init__(self, path: Path | str | None, line: int | None, message: str):
        message = one_line(message)
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = display_path(self.path)
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class KjWarning:
    """Something the editor should look at that does not stop the build: ``path:line: message``.

    Stages report warnings with :func:`warn`; whoever runs them (the build, the preview) collects
    them with :func:`collecting_warnings` and the CLI prints each as one line ``警告：…``.
    """

    def __init__(self, path: Path | str | None, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = one_line(message)

    def __str__(self) -> str:
        return str(KjError(self.path, self.line, self.message))

    def __eq__(self, other) -> bool:
        return isinstance(other, KjWarning) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"KjWarning({str(self)!r})"


class _Collector:
    def __init__(self, strict: bool):
        self.strict = strict
        self.warnings: list[KjWarning] = []
        self.seen: set[str] = set()  # each warning's line, to keep one of each (issue 15: not a list scan)


_collector: ContextVar[_Collector | None] = ContextVar("kjtypeset_warnings", default=None)


def warn(path: Path | str | None, line: int | None, message: str) -> None:
    """Report a warning to the innermost :func:`collecting_warnings` (strict: raise it as an error).

    Outside any collector a warning is dropped: library callers that want them collect them.
    The same warning reported twice is kept once.
    """
    collector = _collector.get()
    if collector is None:
        return
    if collector.strict:
        raise KjError(path, line, message)
    warning = KjWarning(path, line, message)
    key = str(warning)
    if key not in collector.seen:
        collector.seen.add(key)
        collector.warnings.append(warning)


@contextlib.contextmanager
def collecting_warnings(strict: bool = False) -> Iterator[list[KjWarning]]:
    """Collect the warnings reported inside the block into the list it yields.

    ``strict``: every warning becomes a KjError instead (``--strict``, for CI)."""
    collector = _Collector(strict)
    token = _collector.set(collector)
    try:
        yield collector.warnings
    finally:
        _collector.reset(token)


@contextlib.contextmanager
def captured_log(name: str, level: int = logging.WARNING) -> Iterator[list[logging.LogRecord]]:
    """What the ``name`` logger (WeasyPrint, pypdf) reports inside the block, collected into the
    list it yields instead of printed: the stage turns what matters into a KjError or a warning,
    and the CLI prints one line per problem, not a library's log."""
    logger = logging.getLogger(name)
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(level)
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


class WarningsRelay:
    """Carries the warnings of work done in another process (a forked worker) to the collector
    that was active where the work was started, with the same strictness."""

    def __init__(self, collector: _Collector | None):
        self._collector = collector

    def collecting(self):
        """In the worker: collect as the starting collector would (strict: raise)."""
        return collecting_warnings(self._collector.strict if self._collector else False)

    def warn(self, path: Path | str | None, line: int | None, message: str) -> None:
        """Back where the work was started: report one warning the worker collected."""
        token = _collector.set(self._collector)
        try:
            warn(path, line, message)
        finally:
            _collector.reset(token)


def warnings_relay() -> WarningsRelay:
    return WarningsRelay(_collector.get())
