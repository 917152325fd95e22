"""Streams that are the same in every build are deflated once, not on every write (issue 15).

pydyf, WeasyPrint's PDF writer, compresses every stream at zlib level 9. The print and
archive editions embed the 1 MB FOGRA39 profile, and compressing it took 0.25 s of every
three-edition build (the whole sample's content and fonts: 0.1 s), always to the same bytes.
Data registered with ``remember()`` is compressed once per machine and kept in the user
cache (beside the fonts' cmap cache); while ``known_streams()`` is active, pydyf gets those
bytes back instead of compressing again. Every other stream is compressed as before, and
zlib at one version and level is deterministic, so the PDF is byte-identical (the cache key
names both; a cached file is used only if it inflates back to the data).

pydyf is WeasyPrint's dependency, pinned with it: ``supported()`` checks that it still
compresses through its module's ``zlib.compressobj``; if not, nothing is patched (slower,
never different), and tests/test_build.py fails so that the change is seen.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pydyf

LEVEL = 9  # pydyf's
_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kjtypeset"
_known: dict[int, dict[bytes, bytes]] = {}  # length → digest → compressed
_lock = threading.Lock()
_active = 0


def supported() -> bool:
    """Whether pydyf still deflates its streams with ``zlib.compressobj(level=9)``."""
    data = getattr(pydyf.Stream, "data", None)
    code = getattr(getattr(data, "fget", None), "__code__", None)
    return (getattr(pydyf, "zlib", None) in (zlib, _SHIM) and code is not None
            and "compressobj" in code.co_names and LEVEL in code.co_consts)


def remember(data: bytes) -> None:
    """Have ``data`` deflated once (per machine, cached on disk) for the writes to come."""
    digest = hashlib.sha256(data).digest()
    if digest in _known.get(len(data), {}):
        return
    key = hashlib.sha256(digest + f"{zlib.ZLIB_RUNTIME_VERSION}|{LEVEL}".encode()).hexdigest()[:24]
    cached = _CACHE / f"deflate-{key}.bin"
    compressed = None
    with contextlib.suppress(OSError, zlib.error):
        candidate = cached.read_bytes()
        if zlib.decompress(candidate) == data:
            compressed = candidate
    if compressed is None:
        compressed = _deflate(data)
        with contextlib.suppress(OSError):  # a read-only home only costs the next build time
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(compressed)
            partial.replace(cached)
    with _lock:
        _known.setdefault(len(data), {})[digest] = compressed


def _deflate(data: bytes) -> bytes:
    """Exactly what pydyf's Stream.data does."""
    compressor = zlib.compressobj(level=LEVEL)
    return compressor.compress(data) + compressor.flush()


class _Compressor:
    """zlib.compressobj for pydyf: the remembered result for known data, else real zlib."""

    def __init__(self, *args, **kwargs):
        self._plain = (args, kwargs) == ((), {"level": LEVEL})
        self._real = zlib.compressobj(*args, **kwargs)
        self._known: bytes | None = None
        self._held = b""  # the known data, in case more follows
        self._fed = False

    def compress(self, data) -> bytes:
        first, self._fed = not self._fed, True
        if first and self._plain and len(data) in _known:
            found = _known[len(data)].get(hashlib.sha256(data).digest())
            if found is not None:
                self._known, self._held = found, data
                return b""
        if self._known is not None:  # more data after a known block: compress it all for real
            self._known, held, self._held = None, self._held, b""
            return self._real.compress(held) + self._real.compress(data)
        return self._real.compress(data)

    def flush(self, *args) -> bytes:
        if self._known is not None:
            return self._known
        return self._real.flush(*args)


class _Zlib:
    """The zlib module as pydyf sees it while ``known_streams()`` is active."""

    compressobj = _Compressor

    def __getattr__(self, name):
        return getattr(zlib, name)


_SHIM = _Zlib()


@contextlib.contextmanager
def known_streams() -> Iterator[None]:
    """While WeasyPrint writes, remembered data is not compressed again (nestable)."""
    global _active
    if not supported():
        yield
        return
    with _lock:
        _active += 1
        pydyf.zlib = _SHIM
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if not _active:
                pydyf.zlib = zlib
