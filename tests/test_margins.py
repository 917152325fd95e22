"""Issue 15: the page margin boxes a page cannot print are not resolved (engine/margins.py),
and the PDF is the same as WeasyPrint's own margin boxes make it. Nothing here is timed."""

from __future__ import annotations

from pypdf import PdfReader
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.layout import percent

from kjtypeset.build import build_issue


def _resolved_margin_boxes(monkeypatch) -> list[str]:
    """The at-keywords of the margin boxes whose percentages get resolved, as they are."""
    seen: list[str] = []
    resolve_one = percent.resolve_one_percentage

    def counted(box, name, *args):
        if name == "margin_left" and isinstance(box, MarginBox):
            seen.append(box.at_keyword)
        return resolve_one(box, name, *args)

    monkeypatch.setattr(percent, "resolve_one_percentage", counted)
    return seen


def _as_weasyprint_makes_them(monkeypatch):
    from kjtypeset.engine import margins

    margins.uninstall()
    monkeypatch.setattr(margins, "install", lambda: None)


def test_only_the_margin_boxes_a_page_prints_are_resolved_and_the_pdf_is_the_same(make_issue, tmp_path, monkeypatch):
    """jianbao prints the folio at the foot: of the sixteen margin boxes of a page, the three
    at its foot are laid out (the folio's side), none of the thirteen dropped ones."""
    manifest = make_issue()
    seen = _resolved_margin_boxes(monkeypatch)
    fast = build_issue(manifest, tmp_path / "fast", editions=("proof",))
    pages = fast.pages
    assert pages >= 2 and seen
    assert set(seen) == {"@bottom-left", "@bottom-center", "@bottom-right"}
    fast_pdf = fast.outputs[0].path.read_bytes()

    _as_weasyprint_makes_them(monkeypatch)
    seen.clear()
    plain = build_issue(manifest, tmp_path / "plain", editions=("proof",))
    assert len(set(seen)) == 16  # WeasyPrint resolves all sixteen and drops thirteen
    assert plain.outputs[0].path.read_bytes() == fast_pdf


def test_a_layout_printing_a_running_head_and_a_corner_gets_them_as_before(make_issue, own_layout, tmp_path, monkeypatch):
    """A layout of one's own that prints on more sides: a running head at the top of every
    page and a mark in one corner. They are printed, and the PDF is byte for byte WeasyPrint's."""
    with open(own_layout / "style.css", "a", encoding="utf-8") as css:
        css.write('\n@page { @top-center { content: "内部资料 注意保存"; font-family: var(--font-folio); }\n'
                  '        @top-right-corner { content: "★"; font-family: var(--font-folio); } }\n')
    manifest = make_issue()
    seen = _resolved_margin_boxes(monkeypatch)
    fast = build_issue(manifest, tmp_path / "fast", editions=("proof",))
    assert {"@top-left", "@top-center", "@top-right", "@top-right-corner"} <= set(seen)
    assert not {"@left-top", "@right-middle", "@top-left-corner", "@bottom-right-corner"} & set(seen)
    fast_pdf = fast.outputs[0].path.read_bytes()
    reader = PdfReader(fast.outputs[0].path)
    assert all("内部资料" in page.extract_text() for page in reader.pages)

    _as_weasyprint_makes_them(monkeypatch)
    plain = build_issue(manifest, tmp_path / "plain", editions=("proof",))
    assert plain.outputs[0].path.read_bytes() == fast_pdf
