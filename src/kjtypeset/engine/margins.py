"""Page margin boxes: only those a page can print are resolved (issue 15).

WeasyPrint 70 makes all sixteen margin boxes of every page (``layout.page.make_margin_boxes``):
each gets a MarginBox and its percentages resolved (some twenty properties read through the
style), and a side whose three boxes generate nothing, or a corner that generates nothing, is
then dropped. Our layouts print on one side only (jianbao, gongwen: the folio at the foot), so
thirteen boxes a page were resolved to be thrown away: a quarter of the margin boxes' CPU in a
cold build of the 200-page bench issue (0.6 -> 0.46 s), 6 % of the preview's warm layout of it.

Here the boxes WeasyPrint is going to drop are known before they are made, from the same test
it applies (the box's style, or the page's anonymous style, with ``content`` other than
normal, inhibit and none), and their percentages are not resolved: everything else happens
as before, so the margin boxes a page keeps are the same, with the same values. Patched in by
engine/typeset.py, behind justify.check_internals (which asks problems() below about make_box).
"""

from __future__ import annotations

import threading

_SIDES = (("@top-left", "@top-center", "@top-right"),
          ("@bottom-left", "@bottom-center", "@bottom-right"),
          ("@left-top", "@left-middle", "@left-bottom"),
          ("@right-top", "@right-middle", "@right-bottom"))
_CORNERS = ("@top-left-corner", "@top-right-corner", "@bottom-left-corner", "@bottom-right-corner")
_NOT_GENERATED = ("normal", "inhibit", "none")  # make_box's test of box.is_generated

_state: dict = {}
_dropped = threading.local()  # .keywords: the page's margin boxes make_margin_boxes drops


def dropped(context, page) -> frozenset[str]:
    """The at-keywords of the margin boxes WeasyPrint makes for ``page`` and then drops."""
    anonymous = page.style.anonymous_style

    def generated(keyword: str) -> bool:
        style = context.style_for(page.page_type, keyword)
        return (anonymous if style is None else style)["content"] not in _NOT_GENERATED

    out = [keyword for side in _SIDES if not any(map(generated, side)) for keyword in side]
    return frozenset(out + [keyword for keyword in _CORNERS if not generated(keyword)])


def make_margin_boxes(context, page, state):
    previous = getattr(_dropped, "keywords", frozenset())
    _dropped.keywords = dropped(context, page)
    try:
        yield from _state["make_margin_boxes"](context, page, state)
    finally:
        _dropped.keywords = previous


def resolve_percentages(box, containing_block):
    if getattr(box, "at_keyword", None) in getattr(_dropped, "keywords", ()) \
            and type(box) is _state["MarginBox"]:
        return  # a box make_margin_boxes drops (its width, height and spacing are set to 0)
    _state["resolve_percentages"](box, containing_block)


def problems() -> list[str]:
    """What this module relies on in WeasyPrint's make_margin_boxes and its make_box."""
    from weasyprint.layout import page
    code = page.make_margin_boxes.__code__
    inner = [c for c in code.co_consts if getattr(c, "co_name", None) == "make_box"]
    if not inner:
        return ["weasyprint.layout.page.make_margin_boxes no longer has make_box"]
    names = set(inner[0].co_names)
    wanted = {"style_for", "page_type", "anonymous_style", "is_generated", "resolve_percentages",
              "MarginBox"}
    if not wanted <= names or _NOT_GENERATED not in inner[0].co_consts:
        return [f"make_box in make_margin_boxes changed (expected {sorted(wanted)}, {_NOT_GENERATED})"]
    return []


def install() -> None:
    """Patch WeasyPrint's margin boxes (idempotent); RuntimeError when its code changed."""
    import weasyprint.layout
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import page
    if _state:
        return
    if found := problems():
        raise RuntimeError("kjtypeset.engine.margins cannot patch this WeasyPrint: " + "; ".join(found))
    _state.update(make_margin_boxes=weasyprint.layout.make_margin_boxes,
                  resolve_percentages=page.resolve_percentages, MarginBox=boxes.MarginBox)
    weasyprint.layout.make_margin_boxes = make_margin_boxes
    page.resolve_percentages = resolve_percentages


def uninstall() -> None:
    import weasyprint.layout
    from weasyprint.layout import page
    if _state:
        weasyprint.layout.make_margin_boxes = _state["make_margin_boxes"]
        page.resolve_percentages = _state["resolve_percentages"]
        _state.clear()
