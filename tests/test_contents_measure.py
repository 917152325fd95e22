"""Long issues laid out once (issue 15): the contents measured alone, before the layout
(engine/contents.py), must give the very PDF that measuring them on a full layout gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import makeup_issues as mi
from kjtypeset.build import build_issue
from kjtypeset.engine import contents
from pdfread import contents_numbers, folios, page_texts, squash


def built(tmp_path, manifest, name: str, measure: bool, monkeypatch, layouts: list[int]) -> tuple[Path, list[int], int]:
    """The proof, the page count of every layout of the issue (WeasyPrint renders), and the
    proof's page count; ``measure``: the contents measured alone first, whatever the length."""
    monkeypatch.setattr(contents, "MIN_TEXT_CHARS", 0 if measure else 10**12)
    layouts.clear()  # the layouts_counted fixture's list: this build's layouts only
    result = build_issue(manifest, tmp_path / name, editions=("proof",))
    return result.pdf, list(layouts), result.pages


@pytest.mark.parametrize("articles", [19, 30])  # contents set tighter; contents continued on page 2
def test_contents_that_run_over_are_measured_alone_and_the_issue_laid_out_once(tmp_path, monkeypatch, layouts_counted, articles):
    manifest = mi.contents_issue(tmp_path / "c", articles)
    slow, slow_layouts, pages = built(tmp_path, manifest, "slow", False, monkeypatch, layouts_counted)
    fast, fast_layouts, _ = built(tmp_path, manifest, "fast", True, monkeypatch, layouts_counted)
    assert fast.read_bytes() == slow.read_bytes()
    # Measured alone: the masthead and contents twice (a few pages), then every layout of the
    # issue that measuring on the full layout makes but the first.
    assert len(slow_layouts) >= 2 and fast_layouts[2:] == slow_layouts[1:]
    assert max(fast_layouts[:2]) <= 4 < pages
    texts = page_texts(fast)
    titles = [mi.TITLES[i % len(mi.TITLES)] + ("（续）" if i >= len(mi.TITLES) else "") for i in range(articles)]
    if articles == 19:  # all on page 1, each number the page its article starts on
        printed = contents_numbers(texts, titles)
        starts = {t: folio for t in titles for text, folio in zip(texts, folios(texts), strict=True)
                  if squash(t) + "（来源" in squash(text)}  # a title over its byline
        assert len(printed) == 19 and printed == starts
    else:  # continued: the first article starts on page 2, under the rest of the contents
        assert squash(texts[1]).count("★") >= 1 and squash(titles[0]) in squash(texts[1])


def test_contents_that_fit_are_not_changed_by_measuring(tmp_path, monkeypatch, layouts_counted):
    manifest = mi.contents_issue(tmp_path / "c", 6)
    slow, slow_layouts, pages = built(tmp_path, manifest, "slow", False, monkeypatch, layouts_counted)
    fast, fast_layouts, _ = built(tmp_path, manifest, "fast", True, monkeypatch, layouts_counted)
    assert fast.read_bytes() == slow.read_bytes()
    assert fast_layouts[1:] == slow_layouts and fast_layouts[0] <= 3  # measured once: they fit


@pytest.mark.parametrize("articles", [6, 30])  # contents on page 1; continued on page 2 over article 1
def test_contents_pages_are_laid_out_twice_not_three_times(tmp_path, monkeypatch, articles):
    """WeasyPrint 70 learns a contents entry's page number (target-counter of an attr()) only
    because it takes the entry to miss the local counter ``page``, and lays every contents page
    out three times, the second time still without the numbers (makeup._collect_missing_counters).
    With the numbers passed on as WeasyPrint means to, each contents page is laid out twice
    (without, then with them) and the PDF is the same, byte for byte."""
    from weasyprint.css import targets
    from weasyprint.layout import page

    from kjtypeset.engine import makeup

    manifest = mi.contents_issue(tmp_path / "c", articles)
    monkeypatch.setattr(contents, "MIN_TEXT_CHARS", 10**12)  # the full layouts only (see below)
    made: list[int] = []

    def build(name: str) -> bytes:
        made.clear()
        return build_issue(manifest, tmp_path / name, editions=("proof",)).pdf.read_bytes()

    build("warm")  # the patches installed
    own = page.make_page

    def counted(context, root_box, page_type, resume_at, page_number, page_state):
        made.append(page_number)
        return own(context, root_box, page_type, resume_at, page_number, page_state)

    counted.__wrapped__ = own  # check_internals reads the function it wraps
    monkeypatch.setattr(page, "make_page", counted)
    fast, fast_made = build("fast"), list(made)
    monkeypatch.setattr(targets.TargetCollector, "collect_missing_counters", makeup._state["collect_missing"])
    monkeypatch.setattr(targets.TargetCollector, "cache_target_page_counters", makeup._state["cache_target"])
    slow, slow_made = build("slow"), list(made)
    assert fast == slow
    contents_pages = 2 if articles == 30 else 1  # in each layout (the measures and the issue)
    layouts = slow_made.count(1) // 3
    assert layouts >= 1
    for number in range(1, contents_pages + 1):
        assert slow_made.count(number) == 3 * layouts and fast_made.count(number) == 2 * layouts
    assert [n for n in fast_made if n > contents_pages] == [n for n in slow_made if n > contents_pages]


def test_contents_measured_alone_are_laid_out_once(tmp_path, monkeypatch, layouts_counted):
    """The measure puts every anchor on its last page, numbered as it chooses: the entries
    show that number from the first (makeup.pages_known), so each page of a measure is laid
    out once; the PDF is the one measuring on the full layout gives (the test above)."""
    from weasyprint.layout import page

    manifest = mi.contents_issue(tmp_path / "c", 30)
    monkeypatch.setattr(contents, "MIN_TEXT_CHARS", 0)
    build_issue(manifest, tmp_path / "warm", editions=("proof",))
    made: list[int] = []
    own = page.make_page

    def counted(context, root_box, page_type, resume_at, page_number, page_state):
        made.append(page_number)
        return own(context, root_box, page_type, resume_at, page_number, page_state)

    counted.__wrapped__ = own
    monkeypatch.setattr(page, "make_page", counted)
    layouts_counted.clear()
    build_issue(manifest, tmp_path / "fast", editions=("proof",))
    measures = layouts_counted[:2]
    assert made[:sum(measures)] == [*range(1, measures[0] + 1), *range(1, measures[1] + 1)]
