"""Which laid-out pages look different from the last layout: the preview repaints only those.

An edit to one paragraph changes a page or two; painting, subsetting and rasterising the
others again is most of a warm rebuild (issue 15). A page's fingerprint is a digest of what
its painting reads from the box tree: every box's kind, position and size, its text, the
style properties that change how text, borders and backgrounds are drawn, and the marks the
justification seam leaves on text boxes (attributes named ``_kj_…``). Pages with the same
fingerprint paint the same pixels. What the box tree does not show — an image file replaced
under the same name, a font file, a changed layout folder — is the caller's to notice: the
preview repaints every page when anything but the manifest or an article changed.
"""

from __future__ import annotations

import hashlib

from weasyprint.formatting_structure import boxes

# Computed style values that painting reads (WeasyPrint's draw module) and layout does not
# already turn into positions and sizes.
_PAINTED = (
    "color", "font_family", "font_size", "font_style", "font_weight", "font_stretch",
    "font_variant_caps", "font_feature_settings", "font_kerning", "letter_spacing", "word_spacing",
    "text_decoration_line", "text_decoration_color", "text_decoration_style", "text_transform",
    "background_color", "background_image", "opacity", "visibility",
    "border_top_width", "border_right_width", "border_bottom_width", "border_left_width",
    "border_top_color", "border_right_color", "border_bottom_color", "border_left_color",
    "border_top_style", "border_right_style", "border_bottom_style", "border_left_style",
    "outline_width", "outline_color", "outline_style", "list_style_type", "transform",
)
_GEOMETRY = ("position_x", "position_y", "width", "height", "margin_left", "margin_right",
             "padding_left", "padding_right", "baseline")


def page_fingerprints(document) -> list[bytes]:
    """One digest per page of a laid-out WeasyPrint Document, in page order."""
    return [_fingerprint(page) for page in document.pages]


def _fingerprint(page) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((page.width, page.height, sorted(page.bleed.items()))).encode())
    for box in page._page_box.descendants():
        if not isinstance(box, boxes.Box):
            continue
        style = box.style
        parts = [type(box).__name__, tuple(getattr(box, name, None) for name in _GEOMETRY),
                 tuple(style[name] for name in _PAINTED)]
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


def _marks(attributes: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in attributes.items() if k.startswith("_kj")))
