"""Which laid-out pages look different from the last layout: the preview repaints only those.

An edit to one paragraph changes a page or two; painting, subsetting and rasterising the
others again is most of a warm rebuild (issue 15). A page's fingerprint is a digest of what
its painting reads from the box tree: every box's kind, position and size, its text, the
style properties that change how text, borders and backgrounds are drawn, and the marks the
justification seam leaves on text boxes (_PAINTING_MARKS). Pages with the same
fingerprint paint the same pixels. What the box tree does not show — an image file replaced
under the same name, a font file, a changed layout folder — is the caller's to notice: the
preview repaints every page when anything but the manifest or an article changed.
"""

from __future__ import annotations

import hashlib

from weasyprint.formatting_structure import boxes

# Computed style values that painting reads and layout does not turn into positions and
# sizes, among those an article can change (a CSS change repaints every page anyway): bold
# run-ins in 黑体 keep the widths of 宋体, a link its place, a struck-out word its length.
_PAINTED = (
    "color", "font_family", "font_size", "font_style", "font_weight", "text_decoration_line",
    "background_color", "opacity", "visibility",
    "border_top_width", "border_right_width", "border_bottom_width", "border_left_width",
    "border_top_color", "border_right_color", "border_bottom_color", "border_left_color",
    "border_top_style", "border_right_style", "border_bottom_style", "border_left_style",
)
_GEOMETRY = ("position_x", "position_y", "width", "height", "margin_left", "margin_right",
             "padding_left", "padding_right", "baseline")


def page_fingerprints(document) -> list[bytes]:
    """One digest per page of a laid-out WeasyPrint Document, in page order."""
    painted: dict[int, str] = {}  # a style's painted values, once per style (boxes share them)
    return [_fingerprint(page, painted) for page in document.pages]


def _fingerprint(page, painted: dict[int, str]) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((page.width, page.height, sorted(page.bleed.items()))).encode())
    for box in page._page_box.descendants():
        if not isinstance(box, boxes.Box):
            continue
        style = box.style
        values = painted.get(id(style))
        if values is None:  # the document keeps every style alive: ids stay unique meanwhile
            values = painted[id(style)] = repr(tuple(style[name] for name in _PAINTED))
        parts = [type(box).__name__, tuple(getattr(box, name, None) for name in _GEOMETRY), values]
        if isinstance(box, boxes.TextBox):
            parts.append(box.text)
            parts.append(_marks(box.__dict__))
            layout = getattr(box, "pango_layout", None)
            if layout is not None:
                parts.append(_marks(layout.__dict__))
        elif isinstance(box, boxes.ReplacedBox):
            parts.append((type(box.image).__name__, getattr(box.image, "url", None)))
        digest.update(repr(parts).encode())
    return digest.digest()


# The line composer's marks that change what is painted (engine/justify.py): glyph edits, a
# box's ActualText, a hyphen added by hyphenation. Its other attributes hold Pango objects for
# the composer's own use (their reprs are addresses, new on every layout).
_PAINTING_MARKS = ("_kj_plan", "_kj_actual_text", "_kj_hyphenated")


def _marks(attributes: dict) -> tuple:
    return tuple((k, repr(attributes[k])) for k in _PAINTING_MARKS if k in attributes)
