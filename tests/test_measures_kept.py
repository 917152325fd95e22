"""Measures kept between builds (issue 15, the warm preview): a justified paragraph already
measured with the same boxes, texts, styles and measure is not measured again
(engine/justify.py measures_kept). The proof must be the very one a fresh layout gives, after an
edit and after a change of layout; only the edited paragraph is measured again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kjtypeset.build import laid_out_proof, lay_out_issue
from kjtypeset.engine import justify
from pdfread import page_texts, squash
from test_laid_once import issue as laid_issue
from test_layouts import with_layout


def issue(folder: Path, seed: int) -> Path:
    return laid_issue(folder, seed, "排版结果留用的测试文章")


@pytest.fixture
def measures(monkeypatch):
    """The text of each paragraph measured (from where it is measured on) since the last
    reset."""
    measured = []
    measure = justify._measured_segments

    def recorded(context, lay, box, skip_stack, *args):
        measured.append("".join(leaf.text for leaf in box.descendants() if hasattr(leaf, "text")))
        return measure(context, lay, box, skip_stack, *args)

    monkeypatch.setattr(justify, "_measured_segments", recorded)
    return measured


def edit(manifest: Path) -> str:
    """Four characters of a paragraph of the second article changed, as an editor would (the
    same number of characters: the paragraphs after it keep their lines and pages)."""
    path = manifest.parent / "articles" / "02.md"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if len(line) > 60 and line[0] not in "-#|!*")
    start = next(k for k in range(20, len(line)) if all("\u4e00" <= c <= "\u9fff" for c in line[k:k + 4]))
    path.write_text(text.replace(line, line[:start] + "编辑改过" + line[start + 4:], 1), encoding="utf-8")
    return line[start - 3:start] + "编辑改过"


def test_an_edit_measures_only_the_edited_paragraph_and_gives_the_fresh_pdf(tmp_path, measures,
                                                                           monkeypatch):
    manifest = issue(tmp_path / "issue", 4)
    store: dict = {}
    with justify.measures_kept(store):
        lay_out_issue(manifest)
    paragraphs = len(measures)
    assert paragraphs > 10

    added = edit(manifest)
    measures.clear()
    split = justify._split_first_line_now
    splits = []
    monkeypatch.setattr(justify, "_split_first_line_now", lambda *args: splits.append(1) or split(*args))
    compose = justify.linefit.compose
    composed = []
    monkeypatch.setattr(justify.linefit, "compose", lambda *args: composed.append(1) or compose(*args))
    fresh = laid_out_proof(lay_out_issue(manifest))
    fresh_splits, fresh_composed = len(splits), len(composed)
    assert len(measures) >= paragraphs  # without kept measures, every paragraph again
    measures.clear()
    splits.clear()
    composed.clear()
    with justify.measures_kept(store):
        warm = lay_out_issue(manifest)
    # The edited paragraph only (from its start, and from the page break when it crosses one).
    assert measures and all(added in squash(text) for text in measures)
    # Lines split before from the same text, style and width are not split again (Pango),
    # nor set again (the same units in the same room: _compose_line's widths kept).
    assert len(splits) < fresh_splits / 4
    assert len(composed) < fresh_composed / 4
    proof = laid_out_proof(warm)
    assert proof == fresh
    (tmp_path / "warm.pdf").write_bytes(proof)
    assert added in squash("".join(page_texts(tmp_path / "warm.pdf")))


def test_kept_measures_are_not_taken_for_another_layout(tmp_path, measures):
    """The same articles in gongwen (another face, size and measure): nothing measured for
    jianbao is taken, and the proof is the one a fresh gongwen layout gives."""
    manifest = issue(tmp_path / "issue", 6)
    store: dict = {}
    with justify.measures_kept(store):
        lay_out_issue(manifest)
    other = tmp_path / "gongwen"
    shutil.copytree(manifest.parent, other)
    with_layout(other, "gongwen")
    fresh = laid_out_proof(lay_out_issue(other / "issue.yaml"))
    measures.clear()
    alone: dict = {}
    with justify.measures_kept(alone):
        lay_out_issue(other / "issue.yaml")
    paragraphs = len(measures)
    measures.clear()
    with justify.measures_kept(store):
        warm = laid_out_proof(lay_out_issue(other / "issue.yaml"))
    assert len(measures) == paragraphs > 10
    assert len(store) == len(alone)  # what the jianbao layout left is gone
    assert warm == fresh


def test_the_guard_names_a_property_the_key_reads_that_weasyprint_lost(monkeypatch):
    from weasyprint.css import properties

    assert justify.check_internals() == []
    monkeypatch.delitem(properties.INITIAL_VALUES, "hyphenate_limit_chars")
    assert any("hyphenate_limit_chars" in problem for problem in justify.check_internals())


def test_a_build_measures_a_repeated_paragraph_in_each_layout_it_first_appears_in(tmp_path, measures):
    """A build keeps its layouts' measures for its later layouts only (typeset.py:
    measures_kept with ``earlier``): an article listed twice is measured twice in the first
    layout, as a long issue of different articles would be (the 4x and 200-page bench issues
    repeat the sample's articles). The preview's store serves the repeat at once."""
    manifest = issue(tmp_path / "issue", 7)
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + "  - articles/01.md\n", encoding="utf-8")
    lay_out_issue(manifest)
    built = list(measures)
    measures.clear()
    with justify.measures_kept({}):
        lay_out_issue(manifest)
    repeated = [text for text in set(built) if built.count(text) == 2]
    assert len(repeated) > 5
    # (a paragraph broken over a page is measured again from where it resumes)
    assert sum(measures.count(text) == 1 for text in repeated) >= 0.8 * len(repeated)


@pytest.mark.slow
def test_a_makeup_try_measures_only_what_it_changed(tmp_path, measures, monkeypatch):
    """Page makeup lays an issue out again to move a figure back (tests/makeup_sweep.py issue
    0): the later layouts take the first one's measures of the paragraphs they did not
    change, and the PDF is the very one a build measuring every paragraph in every layout
    gives."""
    import weasyprint

    import makeup_issues as mi
    import makeup_sweep
    from kjtypeset.build import build_issue
    counts = []
    render = weasyprint.HTML.render

    def counted(self, *args, **kwargs):
        before = len(measures)
        document = render(self, *args, **kwargs)
        counts.append((len(document.pages), len(measures) - before))
        return document

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    specs, distribution, images = makeup_sweep.plan(0)
    manifest = mi.write_issue(tmp_path / "issue", specs, number=1, seed=makeup_sweep.SEED,
                              distribution=distribution, images=images)
    kept = build_issue(manifest, tmp_path / "kept", editions=("proof",)).pdf.read_bytes()
    whole = [measured for pages, measured in counts if pages > 4]
    assert len(whole) >= 2 and whole[0] > 50, counts
    # (A try that sets figures on several pages at their smallest breaks a few more paragraphs
    # across pages afresh, each a new measure: 7 of the first layout's 52.)
    assert all(measured < whole[0] / 5 for measured in whole[1:]), counts
    monkeypatch.setattr(justify, "keeping", lambda: True)  # as if a caller kept them: typeset keeps none
    counts.clear()
    assert build_issue(manifest, tmp_path / "fresh", editions=("proof",)).pdf.read_bytes() == kept
    assert [measured for pages, measured in counts if pages > 4][1] > whole[0] / 2


@pytest.mark.slow
def test_a_warm_rebuild_does_not_measure_the_contents_again_unless_they_changed(tmp_path, monkeypatch,
                                                                             layouts_counted):
    import makeup_issues as mi
    from kjtypeset.engine import contents

    monkeypatch.setattr(contents, "MIN_TEXT_CHARS", 0)  # measured alone, as a long issue's
    manifest = mi.contents_issue(tmp_path / "c", 19)  # contents set tighter to fit page 1
    store: dict = {}
    with justify.measures_kept(store):
        lay_out_issue(manifest)
    pages = layouts_counted[-1]
    assert len(layouts_counted) == 3 and max(layouts_counted[:2]) < pages  # measured alone, twice

    added = edit(manifest)  # an article's text, not its title
    layouts_counted.clear()
    with justify.measures_kept(store):
        warm = lay_out_issue(manifest)
    assert layouts_counted == [pages]  # the issue once; the contents' setting kept
    proof = laid_out_proof(warm)
    assert proof == laid_out_proof(lay_out_issue(manifest))
    (tmp_path / "warm.pdf").write_bytes(proof)
    assert added in squash("".join(page_texts(tmp_path / "warm.pdf")))

    # A title changed: the contents are measured again, and the proof is the fresh one's.
    path = manifest.parent / "articles" / "03.md"
    title = mi.TITLES[2]
    path.write_text(path.read_text(encoding="utf-8").replace(title, title + "及其新进展", 1), encoding="utf-8")
    layouts_counted.clear()
    with justify.measures_kept(store):
        warm = lay_out_issue(manifest)
    assert len(layouts_counted) == 3
    assert laid_out_proof(warm) == laid_out_proof(lay_out_issue(manifest))
