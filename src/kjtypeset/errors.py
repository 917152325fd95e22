"""Errors the user can fix: each names a file, a line and what was expected."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path).resolve()
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


class KjError(Exception):
    """A problem in the user's input, reported as one line: ``path:line: message``."""

    def __init__(self, path: Path | str | None, line: int | None, message: str):
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
