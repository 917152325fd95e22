"""Reading a built PDF back the way a reader would: text per page, printed folios, contents."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

FOLIO = re.compile(r"—\s*(\d+)\s*—\s*$")
SPACE = re.compile(r"[\s\u3000]+")


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def folios(texts: list[str]) -> list[int | None]:
    """The "— N —" printed at the foot of each page, or None where none is printed."""
    out = []
    for text in texts:
        match = FOLIO.search(text.strip())
        out.append(int(match.group(1)) if match else None)
    return out


def squash(text: str) -> str:
    return SPACE.sub("", text)


def contents_numbers(texts: list[str], titles: list[str]) -> dict[str, int]:
    """The page number printed after each title's dot leader on the contents page (page 1)."""
    toc = squash(texts[0])
    numbers = {}
    for title in titles:
        match = re.search(re.escape(squash(title)) + r"\.{3,}(\d+)", toc)
        if match:
            numbers[title] = int(match.group(1))
    return numbers


def title_pages(texts: list[str], titles: list[str]) -> dict[str, int]:
    """The printed folio of the first page after the contents that carries each title."""
    printed = folios(texts)
    pages = {}
    for title in titles:
        for index, text in enumerate(texts[1:], start=1):
            if squash(title) in squash(text):
                pages[title] = printed[index]
                break
    return pages
