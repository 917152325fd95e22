"""Run the kjtypeset command line, killing the process (SIGKILL, as kill -9 or the OOM killer
would) at a named point of the build instead of after a guessed delay:

    python tests/kill_at.py POINT kjtypeset-arguments…

typeset  on entering the layout stage: nothing has been written yet
rename   every output written to its temporary file and flushed, before the first rename
"""

from __future__ import annotations

import os
import signal
import sys

import kjtypeset.build
import kjtypeset.files
from kjtypeset.cli import main


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


point, arguments = sys.argv[1], sys.argv[2:]
if point == "typeset":
    kjtypeset.build.typeset = die
elif point == "rename":
    write_all = kjtypeset.build.write_all_atomically

    def write_all_then_die(*args, **kwargs):
        kjtypeset.files.os.replace = die  # armed only now: a font cache written earlier renames too
        write_all(*args, **kwargs)

    kjtypeset.build.write_all_atomically = write_all_then_die
else:
    sys.exit(f"unknown point {point!r}")
sys.exit(main(arguments))
