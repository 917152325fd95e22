"""Stage 7, finish: page labels, the contents checked against the pages, atomic writing.

The contents page is checked by reading the PDF back: each entry's printed number must be
the page on which WeasyPrint placed that article's title. A mismatch is a bug in a layout,
never something to ship.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter

from ..errors import KjError

if TYPE_CHECKING:  # the archive commands lock and write without loading WeasyPrint
    from ..inputs.articles import Article  # `check` reads PDFs without the Markdown stack
    import weasyprint


@dataclass(frozen=True)
class ContentsEntry:
    title: str
    page: int  # the printed page number, 1-based


def article_pages(document: weasyprint.Document, articles: tuple[Article, ...]) -> tuple[ContentsEntry, ...]:
    """Where each article starts: the first page whose anchors include its id."""
    first: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            first.setdefault(anchor, number)
    return tuple(ContentsEntry(a.title, first[a.anchor]) for a in articles)


def add_page_labels(pdf: bytes) -> bytes:
    """Page labels equal to the printed folios, so a viewer's "go to page 7" finds "— 7 —"."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    set_page_labels(writer)
    return to_bytes(writer)


def set_page_labels(writer: PdfWriter, labels: list[str] | None = None) -> None:
    """Decimal labels 1…n: every page counts, blank or masthead, as the folios count them.
    ``labels`` gives each page a label of its own instead (the booklet's "12-1" sheets)."""
    if labels is None:
        writer.set_page_label(0, len(writer.pages) - 1, style="/D", start=1)
        return
    for index, label in enumerate(labels):
        writer.set_page_label(index, index, prefix=label)


def to_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_SPACE = re.compile(r"[\s\u3000]+")
# A contents entry's number follows its dot leader: a section heading followed by a title that
# begins with a number ("【数据观察】2023年……") is not an entry. Shared with `kjtypeset check`.
NUMBER_AFTER_LEADER = re.compile(r"\s*[.·…]{2,}\s*(\d+)")


def page_text(page) -> str:
    """The text a laid-out page prints, from WeasyPrint's boxes (what the PDF is drawn from)."""
    from weasyprint.formatting_structure import boxes

    text = "".join(box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox))
    return text.replace("\u200b", "").replace("\u2060", "")  # empty glyphs: not in the PDF


def read_contents(text: str, titles: list[str]) -> list[int | None]:
    """The page number printed after each title (in order) in the contents ``text``."""
    text = _SPACE.sub("", text)
    numbers: list[int | None] = []
    position = 0
    for title in titles:
        key = _SPACE.sub("", title)
        found = text.find(key, position)
        if found < 0:
            numbers.append(None)
            continue
        position = found + len(key)
        match = NUMBER_AFTER_LEADER.match(text, position)
        numbers.append(int(match.group(1)) if match else None)
    return numbers


def check_contents(document, entries: tuple[ContentsEntry, ...], origin: Path) -> None:
    """Each entry's printed number against the page its article starts on.

    The contents stand before the first article: only those pages are read, from the boxes
    the PDF is drawn from (extracting CJK text from the PDF takes a quarter second a page).
    The tests read the PDF itself back.
    """
    pages = document.pages[:max(1, min(e.page for e in entries) - 1)]
    printed = read_contents("".join(page_text(page) for page in pages), [e.title for e in entries])
    for entry, number in zip(entries, printed):
        if number != entry.page:
            raise KjError(origin, None, f"目录核对失败：《{entry.title}》目录中印的是 {number}，"
                                        f"正文实际从第 {entry.page} 页开始（版式有误，请报告）")


@contextlib.contextmanager
def output_lock(folder: Path, name: str, on_wait: Callable[[str], None],
                busy: str = "另一个构建（进程 {holder}）正在生成本期，等待它完成……") -> Iterator[None]:
    """Hold ``folder/.name.lock`` for one build; a second build of the issue waits its turn
    (``busy`` is what the waiting one is told).

    The lock also makes it safe to delete temporary files a killed build left behind: while
    we hold it, no other build of this issue is writing one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{name}.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            on_wait(busy.format(holder=holder))
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        for stale in folder.glob(f".{name}*.tmp"):
            stale.unlink(missing_ok=True)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_atomically(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder: the old file survives any failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
