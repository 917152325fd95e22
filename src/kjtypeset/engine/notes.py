"""Footnotes numbered per page (每页单独编号), as Chinese books and journals number them.

The layouts number an article's notes [1], [2]… from its start (a counter reset per article),
and WeasyPrint fixes every counter when it builds the boxes, before it knows the pages. Two
articles' notes on one page then both read [1] (P-review D10: "[1] 方案全文见…" over "[1]
数据截至…" at one page foot), and an article's notes that run onto a second page go on from
[3]. Once the pages are known, each note's number on its page is set with ``counter-set`` and
the issue laid out again — only when some number changes, which the usual issue (each
article's few notes on one page of their own) never needs.
"""

from __future__ import annotations

import itertools
import re

from weasyprint.formatting_structure import boxes

# kjtypeset's Markdown writes every footnote as this span (inputs/markdown.py, _footnote_ref).
_NOTE = re.compile(r'<span class="footnote">')
# An article of the layouts (layouts/*/issue.html): their counter resets there.
_ARTICLE_OR_NOTE = re.compile(r'<article\b|<span class="footnote"')
ATTRIBUTE = "data-kj-note"
MAX_LAYOUTS = 3  # a renumbered call may change its line's width: at most this many more layouts


def mark(html: str) -> str:
    """``html`` with each footnote span carrying its index in the issue (0, 1, …)."""
    count = itertools.count()
    return _NOTE.sub(lambda _match: f'<span class="footnote" {ATTRIBUTE}="{next(count)}">', html)


def as_written(html: str) -> dict[str, int]:
    """{note index: the number the layout gives it}: counted from each article's start."""
    numbers, index, number = {}, 0, 0
    for match in _ARTICLE_OR_NOTE.finditer(html):
        if match.group().startswith("<article"):
            number = 0
        else:
            number += 1
            numbers[str(index)] = number
            index += 1
    return numbers


def per_page(document) -> dict[str, int]:
    """{note index: its place among the notes at its page's foot, from 1}."""
    numbers = {}
    for page in document.pages:
        place = 0
        for area in page._page_box.children:
            if not isinstance(area, boxes.FootnoteAreaBox):
                continue
            for note in area.children:
                index = note.element.get(ATTRIBUTE) if note.element is not None else None
                if index is not None and index not in numbers:
                    place += 1
                    numbers[index] = place
    return numbers


def css(numbers: dict[str, int]) -> str:
    """Each note's number set where the note starts (its counter is then incremented once)."""
    return "".join(f'[{ATTRIBUTE}="{index}"]{{counter-set:footnote {number - 1}}}\n'
                   for index, number in sorted(numbers.items(), key=lambda item: int(item[0])))
