"""Measure the contents alone, before the issue is laid out (issue 15: long issues laid out once).

``makeup.fit_contents`` measures the contents on a layout of the whole issue; when they run
past page 1 the issue is laid out again with them set tighter, so a long issue (many articles,
many pages) cost two layouts. The contents' page numbers (``target-counter``) are the only
thing in them that depends on the articles, so here they are measured on a document of the
masthead and contents only: everything after the contents is left out, and each page number
points to an empty anchor on a last page whose number is set, twice:

- once to the widest number such an issue can print (three of the widest digit of every
  face the layout uses: the issue has fewer than 1000 pages), and
- once to the narrowest (one narrowest digit).

The rows an entry takes only grow with its number's width, so when both measures give the
same setting, the full layout's first pass would have given it too: the issue is laid out
once, with that setting, and the result is the same, byte for byte, as measuring on the full
layout. When the two differ (an entry whose line breaks depend on its number), or the widest
digit is not the same in every face, nothing is decided here and the contents are measured on
the full layout as before. Only worth it for issues long enough that a layout of the contents
alone costs little beside a layout of the whole issue (``worth_measuring``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from xml.etree import ElementTree

from . import justify, makeup

MAX_PAGES = 999  # the widest page number measured has three digits
MEASURE = "data-kj-measure"
# Measuring costs a layout of the masthead and contents pages (0.2-0.5 s CPU here, once when
# they fit, twice when they run over); it saves a layout of the whole issue when they run over.
# An issue's HTML takes about 1,000 characters a page: from about 20 pages, a measure that
# finds the contents fit costs a tenth of the layout or less.
MIN_TEXT_CHARS = 20_000


def worth_measuring(html: str) -> bool:
    """Long issues only (see MIN_TEXT_CHARS)."""
    return len(html) >= MIN_TEXT_CHARS


def measured_fit(weasy_html, settings: makeup.Settings, faces,
                 render: Callable[[object, str], object], styles: tuple = ()) -> makeup.ContentsFit | None:
    """The contents' setting when, measured alone, they run past page 1 with any page numbers;
    None when they fit, or when the measure cannot tell (then measure on the full layout).

    ``weasy_html`` is a parsed ``weasyprint.HTML`` of the issue that nobody has rendered (its
    tree is cut here); ``render(weasy_html, extra_css)`` lays it out with the makeup CSS of the
    contents' first setting plus ``extra_css``; ``faces`` are the layout's font faces.
    ``styles``: what else ``render`` depends on (its stylesheets). The warm preview
    (justify.measures_kept) keeps the setting by the cut document: an edit to an article's
    text does not measure the contents again (two layouts of 3-8 pages, a third of a warm
    rebuild of the 200-page bench issue)."""
    digits = _digits(tuple(str(face.path) for face in faces))
    if digits is None or (anchors := _contents_alone(weasy_html.etree_element)) is None:
        return None
    key = ("contents", ElementTree.tostring(weasy_html.etree_element), settings,
           tuple(str(face.path) for face in faces), styles)
    return justify.kept(key, lambda: _measured(weasy_html, settings, digits, render, anchors))


def _measured(weasy_html, settings, digits, render, anchors=()) -> makeup.ContentsFit | None:
    # Selectors match on a wrapper of the tree, made when it was parsed: wrap the cut tree.
    weasy_html.wrapper_element = type(weasy_html.wrapper_element).from_html_root(weasy_html.etree_element)
    narrow, wide = digits
    fits = []
    for number in (int(wide * 3), int(narrow)):
        css = (f"[{MEASURE}] {{ page: kj-measure; }}\n"
               f"@page kj-measure {{ counter-set: page {number}; }}\n")
        # The anchors added are all on that last page: the entries show its number from the
        # first, and the contents pages are laid out once (not once without numbers, then
        # again with them).
        with makeup.pages_known(dict.fromkeys(anchors, number)):
            fit = makeup.fit_contents(render(weasy_html, css), settings, None)
        if fit is None:  # they fit page 1 (with the widest numbers first): nothing to decide
            return None
        fits.append(fit)
    return fits[0] if fits[0] == fits[1] else None


def _contents_alone(root) -> list[str] | None:
    """Cut the document after its contents (``data-contents``) and add an empty anchor for
    each link of what is left; the anchors added, or None when there are no contents."""
    parents = {child: parent for parent in root.iter() for child in parent}
    contents = next((e for e in root.iter() if e.get(makeup.CONTENTS) is not None), None)
    body = root.find("body")
    if contents is None or body is None:
        return None
    node = contents
    while node in parents:
        parent = parents[node]
        siblings = list(parent)
        for later in siblings[siblings.index(node) + 1:]:
            parent.remove(later)
        node = parent
    ids = {e.get("id") for e in root.iter()}
    targets = dict.fromkeys(href[1:] for e in root.iter()
                            if (href := e.get("href") or "").startswith("#") and len(href) > 1)
    anchors = ElementTree.SubElement(body, "div", {MEASURE: ""})
    added = [target for target in targets if target not in ids]
    for target in added:
        ElementTree.SubElement(anchors, "div", {"id": target})
    return added


@lru_cache(maxsize=8)
def _digits(paths: tuple[str, ...]) -> tuple[str, str] | None:
    """The narrowest and the widest digit, the same in every face that has digits (their
    advances as HarfBuzz, which shapes the text, reads them), or None."""
    import uharfbuzz
    advances = []
    for path in paths:
        font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path), 0))
        glyphs = [font.get_nominal_glyph(ord(d)) for d in "0123456789"]
        if None not in glyphs:
            advances.append([font.get_glyph_h_advance(g) for g in glyphs])
    if not advances:
        return None
    narrow = [d for d in "0123456789" if all(a[int(d)] == min(a) for a in advances)]
    wide = [d for d in "123456789" if all(a[int(d)] == max(a) for a in advances)]
    return (narrow[0], wide[-1]) if narrow and wide else None
