"""Errors the user can fix: each names a file, a line and what was expected."""

from __future__ import annotations

import os
import unicodedata
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
