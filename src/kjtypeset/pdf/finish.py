"""Stage 7, finish: page labels, the contents checked against the pages.

The contents page is checked by reading the PDF back: each entry's printed number must be
the page on which WeasyPrint placed that article's title. A mismatch is a bug in a layout,
never something to ship.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfWriter

from ..errors import KjError
from ..typography.chars import WITHOUT_LAYOUT_MARKS

if TYPE_CHECKING:  # `kjtypeset check` reads contents without loading WeasyPrint
    import weasyprint

    from ..inputs.articles import Article  # `check` reads PDFs without the Markdown stack


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


# Spaces within a line; a line's end ("\n") stays: a page number ends there, so the next line's
# text ("2024年……", or the next page's) is never read as more of its digits.
_SPACE = re.compile(r"[^\S\n]+|\u3000")
# A contents entry's number ends its line, after the dot leader; a title that fills its line
# leaves the leader no room for a dot ("…创新中心2"). A section heading followed by a title that
# begins with a number ("【数据观察】2023年……") is not an entry: its digits do not end the line.
_NUMBER_AFTER_LEADER = re.compile(r"\n*[.·…]*\n*(\d+)(?=\n|$)")


def page_text(page) -> str:
    """The text a laid-out page prints, line by line, from WeasyPrint's boxes (what the PDF is
    drawn from)."""
    from weasyprint.formatting_structure import boxes

    lines, taken = [], set()
    for line in page._page_box.descendants():
        if isinstance(line, boxes.LineBox):  # an inline block's lines are read with their line
            texts = [box for box in line.descendants() if isinstance(box, boxes.TextBox) and id(box) not in taken]
            taken.update(map(id, texts))
            if texts:
                lines.append("".join(box.text for box in texts))
    return "\n".join(lines).translate(WITHOUT_LAYOUT_MARKS)  # empty glyphs: not in the PDF


def read_contents(text: str, titles: list[str]) -> list[int | None]:
    """The page number printed after each title (in order) in the contents ``text``: at the
    first place after the previous entry where the title is followed by a leader and a number
    (None where there is none: a section heading, a title the contents leave out). The one
    reader of a contents page: the build checks its own with it, `kjtypeset check` any PDF's."""
    text = _SPACE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    numbers: list[int | None] = []
    position = 0
    for title in titles:
        key = _SPACE.sub("", title).replace("\n", "")
        number = None
        # The title as printed may wrap: a line's end may stand between any two characters.
        pattern = re.compile("\n*".join(map(re.escape, key))) if key else None
        found = pattern.search(text, position) if pattern else None
        while found:
            if match := _NUMBER_AFTER_LEADER.match(text, found.end()):
                number, position = int(match.group(1)), match.end()
                break
            found = pattern.search(text, found.start() + 1)
        numbers.append(number)
    return numbers


def check_contents(document, entries: tuple[ContentsEntry, ...], origin: Path) -> None:
    """Each entry's printed number against the page its article starts on.

    The contents stand before the first article: only the pages up to it are read, from the boxes
    the PDF is drawn from (extracting CJK text from the PDF takes a quarter second a page).
    The tests read the PDF itself back.
    """
    # The first article may start on the contents' last page (contents too long for page 1).
    pages = document.pages[:max(1, min(e.page for e in entries))]
    printed = read_contents("\n".join(page_text(page) for page in pages), [e.title for e in entries])
    for entry, number in zip(entries, printed):
        if number != entry.page:
            raise KjError(origin, None, f"目录核对失败：《{entry.title}》目录中印的是 {number}，"
                                        f"正文实际从第 {entry.page} 页开始（版式有误，请报告）")
