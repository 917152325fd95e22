"""One malloc arena for the threads of a build process (issue 15: peak memory per worker).

glibc gives each thread that allocates an arena of its own (up to eight per core), and what
is freed in one arena is not reused by the others. A build's threads (the faces subset side
by side, engine/fontload.py) each left tens of MB in arenas beside the main one, which the
pypdf passes after them could not reuse: the 200-page bench issue's proof peaked at
366-370 MB, with one arena at 345 MB, in the same time. Set before any thread starts (an
arena outlives its thread and is handed to the next one). Nothing elsewhere than glibc.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys

_M_ARENA_MAX = -8  # glibc's malloc.h


def one_arena() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 1)
