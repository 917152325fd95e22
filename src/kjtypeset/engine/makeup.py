"""Typeset seam: page makeup inside WeasyPrint 70's pagination (issue 13).

WeasyPrint paginates a single flow and has no page floats, no line grid and no "the last page
must be even". Rather than lay the issue out again and again from the outside, three small
hooks act while it paginates, where the facts are known:

1. **Baseline grid.** A block whose own CSS declares ``--kj-line-grid: snap`` (or ``center``)
   is made to end on the body's line grid: its height grows to a whole number of body lines,
   counted from the top of the type area (``center`` shares the extra room above and below
   its content). Every block between two such blocks is body text at the body line pitch,
   so body lines sit on the same grid on every page and facing pages register. Margins of a
   snapped block are folded into it: the next block starts exactly on the grid.
2. **Figures float.** A figure (``data-kj-figure``) that does not fit where it is written is
   first shrunk, down to the layout's minimum scale, if that keeps it in place; otherwise it
   is deferred: the text after it fills the page (the paragraph at the foot breaks across
   the pages as any paragraph does) and the figure opens the next page, above the text that
   continues there, as a LaTeX float does. Figures keep their order: once one is deferred,
   every later figure on that page follows it. Every figure is also held to the layout's
   maximum height (a share of the type area; an article may ask for more), and the figures
   of a page to its share (shrinking, down to the minimum scale, to keep it). A figure row
   (images side by side, one data-kj-figure block) is one figure: it shrinks by scaling all
   its images by one factor (``_ImageRef``) and moves whole.
   A figure stays within its article: when the article ends on the page the figure would
   leave, the figures above it are set at their smallest to keep it where it is written, or
   it moves back, before an earlier paragraph of the article on that page (never its first,
   the lead) or to the page's top (``_move_back``), and the text under it flows on. When
   neither holds, it opens the next page at the end of its article, and the next article
   starts after it (``_leaves_article``, LaTeX's ``\\FloatBarrier``). The page is laid out
   again to see that the move holds (a bounded number of tries, ``MAX_PAGE_TRIES``; the
   counters, footnotes and re-make state a page changes are restored in between,
   ``_Snapshot``). Moving a figure onto the page before, which is made already, takes a
   later layout of the issue: ``figure_moves`` reads the defects of one layout and names
   the moves (``Settings.moves``), which the next layout makes as it reaches the blocks.
3. **The end block on an even page.** The block marked ``data-page-bottom`` (the 版记) is
   never laid out on an odd page, nor before a deferred figure: a page break is forced
   before it, so it lands on the next even page (GB/T 9704-2012 §7.5, §10). When it does
   not fit under the text of the last, even page, that page is laid out again with its
   figures at their smallest, then with the block's rows at the layout's
   ``end_block_min_leading`` and the margin above it closed up; a later layout may set
   the figures of the pages that flow on to that page at their smallest (an opener that
   broke to the next page then fits at the foot, ``_end_block_figures``), close up the
   blank lines between articles on that page and the one before (``_close_up_css``) and
   set paragraphs whose last line holds a few characters a line shorter (缩行,
   ``_pull_css``); only then does it go to the next even page, after a blank one (GB/T
   9704 §7.5 provides for that blank page).

4. **Second thoughts.** After a layout, ``defects`` reads the pages as a print shop would
   (holes, pages of a few lines, blank pages) and ``alternatives`` names other ways to set
   the issue, which engine/typeset.py tries: an opener (section heading, title, byline and
   first lines) that breaks to the next page and leaves a hole may start at the foot by
   taking the blank line above it (``_opener_css``); figures move back onto the page
   before (``figure_moves``); lines move onto a last page that holds too few; a short
   table split across pages goes over whole (``_split_tables``, ``_whole_table_css``).
   Before any of them, a table wider than the measure is set smaller, down to 六号
   (``table_fit_css``, again from each result until it fits), and one that still does not
   fit stops the build with its file and line (``wide_tables``).
5. **Notes stay with their calls.** WeasyPrint moves the notes already on a page to the next
   one to fit a paragraph's second line under its first at the page foot; a note whose
   footnote-policy is ``line`` (kjtypeset's) may not go without its call, so the paragraph
   starts on the next page instead (``_linebox_layout``).

The pagination state is kept per page, so WeasyPrint's re-making of pages (for contents
page numbers) makes the same decisions again. ``install()`` refuses a WeasyPrint whose
internals differ from the tested ones (the tables in :func:`kjtypeset.engine.justify.
check_internals` list every function used here).
"""

from __future__ import annotations

import copy
import math
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..typography import linefit
from ..typography.cjk import HEADING_LINE
from . import columns

GRID = "__kj_line_grid"  # the CSS custom property --kj-line-grid, as WeasyPrint keys it
FIGURE = "data-kj-figure"
MAX_HEIGHT = "data-max-height"
END_BLOCK = "data-page-bottom"
EPSILON = 0.01  # CSS px: rounding of positions summed over a page

_state: dict = {}


@dataclass
class _Pagination:
    """What the hooks decided, per page (re-made pages decide again)."""

    pitch: float | None = None
    deferred: dict[int, list] = field(default_factory=dict)  # page N → figures for N + 1's top
    deferred_at: dict[int, tuple] = field(default_factory=dict)  # page N → (its first deferred figure, where)
    order: dict = field(default_factory=dict)  # element → document order, for the deferral check
    figures_on: dict[int, float] = field(default_factory=dict)  # page N → height its figures take
    # Figures moved back within their article (see _move_back): page N → {id(block): figures
    # laid just before that block}, and page N → figures at its top (after those deferred).
    before: dict[int, dict[int, list]] = field(default_factory=dict)
    top: dict[int, list] = field(default_factory=dict)
    placed: dict[int, set] = field(default_factory=dict)  # page N → elements of its figures
    squeeze: dict[int, bool] = field(default_factory=dict)  # page N → its figures at their smallest
    smallest: dict[int, frozenset] = field(default_factory=dict)  # page N → figures at their smallest
    earlier: set = field(default_factory=set)  # elements of figures on the pages before this one
    laid: set = field(default_factory=set)  # elements of figures laid on the page being made
    heights: dict = field(default_factory=dict)  # figure element → its height on the grid
    flow_top: dict[int, float] = field(default_factory=dict)  # page N → where its text starts
    parents: dict[int, object] = field(default_factory=dict)  # id(box) → parent, box tree
    flow_before: dict[int, list] = field(default_factory=dict)  # Settings.moves, by box
    always_smallest: frozenset = frozenset()  # Settings.smallest, by element
    end_block: object = False  # the end block's box (None: there is none; False: not looked for)
    extent: dict = field(default_factory=dict)  # id(container element) → (its ancestors, last in order)

    def defer(self, page: int, figure, where: float) -> None:
        """Send ``figure`` (laid out at ``where``) to the top of the page after ``page``,
        after those already waiting; the first to wait is where _move_back looks."""
        if not self.deferred.get(page):
            self.deferred_at[page] = (figure.element, where)
        self.deferred.setdefault(page, []).append(figure)


@dataclass(frozen=True)
class Settings:
    """The layout's makeup settings (layout.yaml ``makeup:``; see engine/layout.py)."""

    first_page_folio: bool = True
    end_block_even_page: bool = True
    figure_float: bool = True
    figure_min_scale: float = 0.75
    figure_max_height: float = 0.5  # share of the type area height
    figure_page_share: float = 0.8  # figures on one page take at most this share (LaTeX's 1 - textfraction)
    contents_size: float = 12.0  # pt
    contents_leading: float = 2.0  # times the size
    contents_min_size: float = 10.5
    contents_min_leading: float = 1.5
    end_block_min_leading: float = 0.0  # the 版记's rows may close up to this (0: never)
    # An issue of one article prints no contents (a contents of one entry tells the reader
    # nothing; its title follows the masthead): True keeps them (engine/layout.prints_contents).
    one_article_contents: bool = False
    # Figures moved back by a later layout (see figure_moves): (figure, block) by the
    # elements' document order; the figure is laid out just before the block.
    moves: tuple[tuple[int, int], ...] = ()
    smallest: tuple[int, ...] = ()  # figures set at their smallest, by document order
    # Pages set short by a later layout (see _short_page): (page number, CSS px taken off the
    # foot of its flow), as LaTeX's \enlargethispage with a negative length.
    short_pages: tuple[tuple[int, float], ...] = ()


def install(settings: Settings) -> None:
    """Patch WeasyPrint's block and page layout (idempotent; settings replaced)."""
    from . import justify
    problems = justify.check_internals()
    if problems:
        raise RuntimeError("kjtypeset.engine.makeup cannot patch this WeasyPrint: " + "; ".join(problems))
    from weasyprint.layout import block, page
    columns.install()
    if not _state:
        _state["in_flow"] = _in_flow_layout.__wrapped__ = block._in_flow_layout
        _state["page_block_level_layout"] = page.block_level_layout
        _page_block_level_layout.__wrapped__ = page.block_level_layout
        _state["make_page"] = _make_page.__wrapped__ = page.make_page
        _state["linebox"] = _linebox_layout.__wrapped__ = block._linebox_layout
        block._in_flow_layout = _in_flow_layout
        block._linebox_layout = _linebox_layout
        page.block_level_layout = _page_block_level_layout
        page.make_page = _make_page
        from weasyprint.css import targets
        _state["collect_missing"] = targets.TargetCollector.collect_missing_counters
        _collect_missing_counters.__wrapped__ = _state["collect_missing"]
        targets.TargetCollector.collect_missing_counters = _collect_missing_counters
        _state["cache_target"] = targets.TargetCollector.cache_target_page_counters
        _cache_target_page_counters.__wrapped__ = _state["cache_target"]
        targets.TargetCollector.cache_target_page_counters = _cache_target_page_counters
        _state["store_target"] = targets.TargetCollector.store_target
        _store_target.__wrapped__ = _state["store_target"]
        targets.TargetCollector.store_target = _store_target
    _state["settings"] = settings


def uninstall() -> None:
    columns.uninstall()
    if not _state:
        return
    from weasyprint.layout import block, page
    block._in_flow_layout = _state["in_flow"]
    block._linebox_layout = _state["linebox"]
    page.block_level_layout = _state["page_block_level_layout"]
    page.make_page = _state["make_page"]
    from weasyprint.css import targets
    targets.TargetCollector.collect_missing_counters = _state["collect_missing"]
    targets.TargetCollector.cache_target_page_counters = _state["cache_target"]
    targets.TargetCollector.store_target = _state["store_target"]
    _state.clear()


def _collect_missing_counters(self, parent_box, css_token, parse_again, missing_counters,
                              missing_target_counters):
    """WeasyPrint's TargetCollector.collect_missing_counters, with a contents entry's
    ``target-counter(attr(data-target), page)`` recorded as WeasyPrint 70 means to.

    Its caller (build.compute_content_list) keys the target's missing counters by
    ``anchor_name_from_token`` of the ``attr()`` token itself, which is None, and rebinds its
    list of missing *local* counters to that list. So a target laid out later never told the
    entry its page (cache_target_page_counters looks the entry up by the anchor's name), and
    the entry was redone only because it seemed to miss the local counter ``page``: make_page
    parsed it again whenever the page's counters differed from those cached, first while the
    targets were not laid out (the pages after it), then after the first pass (the counters
    gain ``pages``). Every contents page was laid out three times, the second time still
    with the numbers unknown (issue 15: 14 page layouts for the sample's 12 pages; 22 for
    each 8-page contents measure of the 200-page issue).

    Here the target's counters are keyed by the anchor the ``attr()`` names (resolved as
    TargetCollector.lookup_target resolves it) and the mistaken local counters dropped, so
    the targets' pages reach the entry as they are laid out and the contents pages are laid
    out twice: without and with their numbers. Only for a ``content`` with one
    ``target-counter()`` and no ``counter()``/``counters()`` (nothing local is missed)."""
    if (css_token == "content" and None in missing_target_counters
            and missing_counters is missing_target_counters[None]):
        anchor = _target_anchor(parent_box)
        if anchor is not None and anchor not in missing_target_counters:
            missing_target_counters = {**missing_target_counters}
            missing_target_counters[anchor] = missing_target_counters.pop(None)
            missing_counters = []
    return _state["collect_missing"](self, parent_box, css_token, parse_again, missing_counters,
                                     missing_target_counters)


def _cache_target_page_counters(self, anchor_name, page_counter_values, page_maker_index,
                                page_maker):
    """WeasyPrint's TargetCollector.cache_target_page_counters, which tells every box that
    shows a counter of the anchor's page (a contents entry's page number) to be parsed and
    laid out again when the anchor's page counters change, even when the counters the box
    shows did not: after the first pass every page's counters gain ``pages`` (the page
    count), so an article starting on a contents page had the contents laid out a third
    time, to the same result. Here the anchor's counters are stored and no box is told when
    every box that shows them has been laid out and shows none that changed."""
    item = self.target_lookup_items.get(anchor_name)
    if (self.collecting or item is None or item.state != "up-to-date"
            or not item.cached_page_counter_values
            or item.cached_page_counter_values == page_counter_values):
        return _state["cache_target"](self, anchor_name, page_counter_values, page_maker_index,
                                      page_maker)
    old = item.cached_page_counter_values
    for (_box, css_token), lookup in self.counter_lookup_items.items():
        names = lookup.missing_target_counters.get(anchor_name) if css_token == "content" else None
        if names is None:
            continue
        if (lookup.page_maker_index is None or lookup.page_maker_index >= len(page_maker)
                or any(old.get(name) != page_counter_values.get(name) for name in names)):
            return _state["cache_target"](self, anchor_name, page_counter_values,
                                          page_maker_index, page_maker)
    item.page_maker_index = page_maker_index
    item.cached_page_counter_values = copy.deepcopy(page_counter_values)


_known_pages: dict = {}  # anchor -> the page it will be laid out on (see pages_known)


@contextmanager
def pages_known(pages: dict):
    """Within: the anchors ``pages`` names ({anchor: page number}) are taken to be on those
    pages from the start, so the boxes that show their page numbers (contents entries) show
    them when first laid out, and their pages are laid out once, not twice (issue 15; for
    engine/contents.py, whose measure puts every anchor on a last page numbered as it
    chooses). A wrong number is only slower: when the anchor is laid out on another page,
    WeasyPrint lays the boxes out again with the right one."""
    global _known_pages
    outer, _known_pages = _known_pages, pages
    try:
        yield
    finally:
        _known_pages = outer


def anchor_pages(document) -> dict:
    """{anchor: the number of the page it is laid out on} of a laid-out document, for
    pages_known (typeset.py: a makeup try starts with the pages of the layout it improves on;
    a page counter that is not the page's number only costs the second pass again)."""
    pages = {}
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            anchor = box.style["anchor"]
            if anchor and anchor not in pages:
                pages[anchor] = number
    return pages


def _store_target(self, anchor_name, target_counter_values, target_box):
    """WeasyPrint's TargetCollector.store_target; an anchor in pages_known gets its page."""
    _state["store_target"](self, anchor_name, target_counter_values, target_box)
    item = self.target_lookup_items.get(anchor_name)
    if (anchor_name in _known_pages and item is not None and item.state == "up-to-date"
            and not item.cached_page_counter_values):
        item.cached_page_counter_values = {"page": [_known_pages[anchor_name]]}


def _target_anchor(box) -> str | None:
    """The anchor a box's ``content`` points to with its one ``target-counter()`` of an
    ``attr()``, when it names no local counter; None otherwise."""
    from weasyprint.css.targets import anchor_name_from_token
    from weasyprint.urls import get_url_tuple
    content = box.style["content"]
    if not isinstance(content, (list, tuple)) or box.element is None:
        return None
    kinds = [item[0] if isinstance(item, tuple) else None for item in content]
    if kinds.count("target-counter()") != 1 or any(
            kind not in ("string", "leader()", "target-counter()") for kind in kinds):
        return None
    token = content[kinds.index("target-counter()")][1][0]  # (anchor, counter name, style)
    if token[0] != "attr()":
        return None
    attr_name, kind, fallback = token[1]
    value = box.element.get(attr_name, fallback)
    if kind == "string":
        token = ("string", value)
    elif kind == "url":
        token = ("url", get_url_tuple(value, box.style.base_url))
    else:
        return None
    return anchor_name_from_token(token)


# ---- helpers -----------------------------------------------------------------------------

def _document_order(root) -> dict:
    """Each element of the document under ``root``, by its place in document order."""
    return {element: n for n, element in enumerate(root.iter())}


def _pagination(context) -> _Pagination:
    found = getattr(context, "_kj_pagination", None)
    if found is None:
        found = context._kj_pagination = _Pagination()
    return found


def _own_style(box):
    """The style of the element the box was made for (None for anonymous boxes)."""
    if box.is_table_wrapper:
        # A wrapper's fragment may hold its caption alone (the table on the next page).
        box = box.get_wrapped_table() or box
    style = box.style
    return style if getattr(style, "cascaded", None) is not None else None


GRID_MODES = ("snap", "center", "nearest", "bottom")


def grid_mode(box) -> str | None:
    """``snap``, ``center``, ``nearest`` or ``bottom`` when the box's own CSS declares
    --kj-line-grid (``bottom``: as ``snap``, its content at the foot of its lines; the makeup
    sets an opener so when it takes the blank line above it, see _opener_css)."""
    style = _own_style(box)
    if style is None or GRID not in style.cascaded:
        return None
    idents = [token.value for token in style[GRID] if token.type == "ident"]
    return idents[0] if idents and idents[0] in GRID_MODES else None


def _element_attr(box, name: str) -> str | None:
    element = box.element
    if element is None or _own_style(box) is None:
        return None
    return element.get(name)


def _kept_with_next(style) -> bool:
    """A block that may not end a page (break-after: avoid): a heading, a title, a byline."""
    return style["break_after"] in ("avoid", "avoid-page")


def _is_figure(box) -> bool:
    return _element_attr(box, FIGURE) is not None


def _has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _is_section_rule(box) -> bool:
    """Whether ``box`` is the block of a section's closing rule (.section-end), not a box
    inside it."""
    return (box.element is not None and box.element_tag == box.element.tag and _own_style(box) is not None
            and _has_class(box.element, "section-end"))


def _is_end_block(box) -> bool:
    return _element_attr(box, END_BLOCK) is not None


def _page_box(context):
    return context.current_footnote_area.page


def _pitch_of(root_box) -> float | None:
    value = root_box.style["line_height"]
    if getattr(value, "unit", None) == "px":
        return value.value
    if isinstance(value, (int, float)):
        return value * root_box.style["font_size"]
    return None  # line-height: normal has no grid


def snap_target(context, bottom: float, limit: float, mode: str) -> float:
    """Where a snapped block's margin box ends: the next grid line at or below ``bottom``
    (a quarter line lower first for ``center``, so its content never touches the text
    around it; the nearest line for ``nearest``, which body text uses to shed the hundredths
    of a pixel a line in another font adds), but never past ``limit``, the lowest a block
    may end on this page."""
    pitch = _pagination(context).pitch
    if not pitch:
        return bottom
    origin = _page_box(context).content_box_y()
    if mode == "nearest":
        lines = round((bottom - origin) / pitch)
        target = origin + lines * pitch
        return target if abs(target - bottom) < pitch / 4 and target <= limit + EPSILON else bottom
    lowest = bottom + (pitch / 4 if mode == "center" else 0)
    lines = math.ceil((lowest - origin) / pitch - EPSILON / pitch)
    target = origin + lines * pitch
    if target > limit + EPSILON:
        target = max(bottom, limit)
    return target


def snap_box(context, new_box, position_y: float, adjoining: list, limit: float, mode: str) -> float:
    """Grow ``new_box`` so that its margin box ends on the grid; return its new bottom.

    ``position_y`` is its border-box bottom and ``adjoining`` the margins below it still
    to collapse: they are folded into the box, so the next block starts on the grid.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.block import collapse_margin
    if isinstance(new_box, boxes.ReplacedBox) or not isinstance(new_box.height, (int, float)):
        return position_y + collapse_margin(adjoining)
    bottom = position_y + collapse_margin(adjoining)
    target = snap_target(context, bottom, limit, mode)
    if mode in ("center", "bottom") and target > bottom:
        shift = (target - bottom) / (2 if mode == "center" else 1)
        for child in new_box.children:
            child.translate(dy=shift)
    new_box.height = max(0, new_box.height + target - position_y)
    new_box.margin_bottom = 0
    return target


# ---- the hooks ---------------------------------------------------------------------------

MAX_PAGE_TRIES = 6  # layouts of one page while figures are moved back (see _move_back)


def _make_page(context, root_box, page_type, resume_at, page_number, page_state):
    state = _pagination(context)
    if state.pitch is None:
        state.pitch = _pitch_of(root_box) or 0
    if not state.parents:
        state.parents = {id(child): box for box in root_box.descendants()
                         for child in getattr(box, "children", ())}
        if moves := _state["settings"].moves:
            state.flow_before = _flow_moves(root_box, moves)
        if smallest := _state["settings"].smallest:
            elements = list(root_box.element.iter())
            state.always_smallest = frozenset(elements[n] for n in smallest if n < len(elements))
    before = state.deferred.pop(page_number, [])
    placed_before = state.placed.pop(page_number, set())
    state.earlier = set().union(*(ids for number, ids in state.placed.items() if number < page_number))
    state.before.pop(page_number, None)
    state.top.pop(page_number, None)
    start = resume_at
    snapshot = _Snapshot(context, page_state, page_number)
    accepted = _Plan()
    trial: _Plan | None = None
    queue: list[_Plan] = []  # plans still to try
    exhausted = False
    for attempt in range(MAX_PAGE_TRIES):
        if attempt:
            snapshot.restore()
        plan = trial or accepted
        _set_moves(state, page_number, list(plan.moves))
        state.squeeze[page_number] = plan.squeeze
        _tighten_end_block(state, root_box, plan.tight_end)
        state.smallest[page_number] = plan.smallest | state.always_smallest
        state.deferred.pop(page_number, None)
        state.deferred_at.pop(page_number, None)
        state.figures_on[page_number] = 0.0
        state.laid = set()
        page, resume_at, next_page = _state["make_page"](
            context, root_box, page_type, start, page_number, page_state)
        deferred = state.deferred.get(page_number, [])
        if deferred:
            deferred = _still_deferred(state, root_box, resume_at, deferred)
            state.deferred[page_number] = deferred
        state.placed[page_number] = _figures_on(page)
        holds = trial is None or (
            all(f.element in state.placed[page_number] for f, _t in trial.moves)
            and trial.keeps <= state.placed[page_number]
            and (not trial.squeeze or accepted.squeeze or resume_at is None))
        if trial is not None and holds:  # kept
            accepted, queue, exhausted = trial, [], False
        trial = None
        if holds and not exhausted and not queue:
            queue = [_Plan(tuple(moves), accepted.squeeze, accepted.smallest | smallest, keeps=keeps)
                     for moves, smallest, keeps in _move_back(context, state, root_box, page, start,
                                                       resume_at, page_number, list(accepted.moves))]
            end_block = not queue and not accepted.squeeze and _end_block_next(root_box, resume_at, page_number)
            if end_block:
                # The 版记 does not fit under the text of this even page: with the figures here
                # at their smallest, and then with the 版记's rows closer (the layout's
                # end_block_min_leading), it may, and the page after is not left blank.
                if state.placed[page_number]:
                    queue.append(_Plan(accepted.moves, True, accepted.smallest))
                if _state["settings"].end_block_min_leading:
                    queue.append(_Plan(accepted.moves, True, accepted.smallest, tight_end=True))
            exhausted = not queue
        if queue and attempt < MAX_PAGE_TRIES - 2:
            trial = queue.pop(0)
            continue
        if holds:
            break
        queue, exhausted = [], True  # lay the page once more as accepted
    if deferred and resume_at is None:
        # The flow ended on this page: one more page, empty but for the deferred figures.
        resume_at = {len(root_box.children): None}
    changed = ([id(f) for f in before] != [id(f) for f in deferred]
               or placed_before != state.placed[page_number])
    if changed and page_number < len(context.page_maker):
        context.page_maker[page_number][-1]["content_changed"] = True  # re-make the next page
    return page, resume_at, next_page


def _flow_moves(root_box, moves) -> dict[int, list]:
    """Settings.moves as {id(block box): [figure boxes laid out before it]}."""
    elements = list(root_box.element.iter())
    boxes_of = {}
    for box in root_box.descendants():
        if box.element is not None and _own_style(box) is not None:
            boxes_of.setdefault(box.element, box)
    out: dict[int, list] = {}
    for figure, block in moves:
        if figure < len(elements) and block < len(elements):
            figure_box, block_box = boxes_of.get(elements[figure]), boxes_of.get(elements[block])
            if figure_box is not None and block_box is not None and _is_figure(figure_box):
                out.setdefault(id(block_box), []).append(figure_box)
    return out


def _figures_on(page) -> set:
    """The elements of the figures laid out on a page."""
    return {box.element for box in page.descendants() if _is_figure(box)}


def _resume_path(root_box, resume_at):
    """Where the next page resumes, outermost first: (parent, child index, child, the rest of
    the ``resume_at`` stack under the child), WeasyPrint's stack being {child index: deeper
    stack}. A table row broken across the page resumes in each of its cells (one entry each;
    unpacking one entry crashed the build): the path follows the first."""
    box, stack = root_box, resume_at
    while stack:
        index = min(stack)
        stack = stack[index]
        children = getattr(box, "children", None)
        if children is None or index >= len(children):
            return
        yield box, index, children[index], stack
        box = children[index]


def _resumes_in(root_box, resume_at, container) -> bool:
    """Whether the next page resumes inside ``container`` (a box of the box tree)."""
    return any(child is container for _parent, _index, child, _rest in _resume_path(root_box, resume_at))


def _starts_in(root_box, resume_at, container) -> tuple[bool, int | None]:
    """Whether a page that starts at ``resume_at`` starts inside ``container``, and the index
    of the child there that continues from the page before (None when it starts afresh)."""
    for parent, index, _child, rest in _resume_path(root_box, resume_at):
        if parent is container:
            return True, (index if rest else None)
    return False, None


def _lead_index(container) -> int | None:
    """The index of the first block of ``container`` that is not a figure (its lead text)."""
    return next((n for n, child in enumerate(getattr(container, "children", ())) if not _is_figure(child)), None)


def _starts_at(root_box, resume_at, container, index: int | None) -> bool:
    """Whether a page that starts at ``resume_at`` starts afresh at or before child ``index``
    of ``container``."""
    if index is None:
        return False
    for parent, at, _child, rest in _resume_path(root_box, resume_at):
        if parent is container:
            return at < index or (at == index and not rest)
    return False


MAX_CHAIN = 3  # figures moved back together at most


def _move_back(context, state: _Pagination, root_box, page, start, resume_at, page_number: int,
               accepted: list) -> list[tuple]:
    """Ways to keep a figure within its article, best first, each (a full list of moves, the
    figures to set at their smallest, the figures the way keeps on the page).

    A figure that does not fit where it is written is deferred to the next page's top, and
    the text after it fills this page. When its article ends on this page, though, the
    text that follows is another article's, or nothing: the figure would stand at the end of
    its article on the next page (the next article waits for it, see _leaves_article), with a
    hole at this page's foot, or leave a page of figures at the end of the issue. A
    professional makeup first sets the figures above it smaller (down to the layout's
    minimum scale) to keep it where it is written; then moves it back: to the start of an
    earlier paragraph of its article on this page (or this page's top, when the page begins
    inside the article but not inside a table: _top_between), the text under it flowing on
    to the next page, but never before the article's first paragraph (an article opens with
    its text, which introduces the figures). Figures keep their order, so the figures of the article already on this page after that
    point move back with it (at most MAX_CHAIN in all), spread over the paragraphs. Each way
    is a prediction from this layout; the page is laid out again to see whether it holds
    (see _make_page)."""
    settings: Settings = _state["settings"]
    deferred = state.deferred.get(page_number, [])
    if not settings.figure_float or not deferred or not state.pitch:
        return []
    figure = deferred[0]
    body = state.parents.get(id(figure))
    if body is None or _resumes_in(root_box, resume_at, body) or figure.element not in state.heights:
        return []  # its article goes on over the page: the next page's top is right
    laid = next((b for b in page.descendants() if b.element is body.element and not _is_figure(b)
                 and _own_style(b) is not None), None)
    if laid is None:
        return []
    inside, continued = _starts_in(root_box, start, body)
    anchors = {child.element: n for n, child in enumerate(body.children)}
    moved = {f.element for f, _t in accepted}
    # The article opens with its text: no figure goes before its first paragraph (the lead
    # that introduces the figures), nor to the top of a page that starts with it.
    lead = _lead_index(body)
    # Slots: where a figure may go, in flow order, with where they start in this layout.
    slots, figures_here, previous = [], [], None
    if inside and not _starts_at(root_box, start, body, lead) and _top_between(body, continued):
        slots.append(("top", state.flow_top.get(page_number, page.content_box_y()), -math.inf))
    for child in laid.children:
        if _is_figure(child):
            anchor = anchors.get(child.element, child.index)
            position = child.index - 0.5 if child.element in moved else anchor
            figures_here.append((child.element, child.position_y, child.margin_height(), anchor, position))
        elif child.index not in (continued, lead) and not (previous is not None and _kept_with_next(previous.style)):
            slots.append((body.children[child.index], child.position_y, child.index - 0.5))
        previous = child
    bottom = context.page_bottom
    share = settings.figure_page_share * page.height
    by_element = {child.element: child for child in body.children}
    out = []
    # First, where it is written: the figures above it on this page at their smallest (the
    # layout's figure_min_scale), with it, may leave it the room there.
    at = state.deferred_at.get(page_number)
    if at is not None and at[0] is figure.element:
        above = [(c.element, c.margin_height()) for c in page.descendants()
                 if _is_figure(c) and c.position_y < at[1]]
        gain = sum(h - state.heights.get(e, (h, h))[1] for e, h in above)
        need = state.heights[figure.element][1]
        if (at[1] - gain + need <= bottom + EPSILON
                and state.figures_on.get(page_number, 0.0) - gain + need <= share + EPSILON):
            out.append((list(accepted), frozenset([figure.element, *(e for e, _h in above)]),
                        frozenset([figure.element])))
    # At their own size first; then as small as they may be set (figure_min_scale).
    # The figures at the page's top (carried over from the page before) stay, but may give
    # way too: at their smallest they leave more of the page's share and room.
    on_top = [(c.element, c.margin_height()) for c in page.children[0].children if _is_figure(c)]
    for least in (0, 1):
        height = state.heights[figure.element][least]
        gain = sum(h - state.heights.get(e, (h, h))[1] for e, h in on_top) if least else 0.0
        for size in range(0, min(len(figures_here), MAX_CHAIN - 1) + 1):
            anchor = anchors[figure.element]
            chain = [(e, top - gain, state.heights.get(e, (h, h))[least] if least else h, a, p, h)
                     for e, top, h, a, p in figures_here[len(figures_here) - size:]]
            chain.append((figure.element, math.inf, height, anchor, anchor, 0.0))
            fixed = figures_here[:len(figures_here) - size]
            used = state.figures_on.get(page_number, 0.0) - gain + sum(c[2] - c[5] for c in chain)
            if used > share + EPSILON:
                continue  # the text's share of the page
            # Targets come after the figures that stay (a figure moved before a block stays
            # ahead of the ones moved there now).
            usable = [(target, top - gain, place) for target, top, place in slots
                      if not fixed or place >= fixed[-1][4]]
            found = []
            for targets in _assignments(len(chain), len(usable)):
                if not all(usable[t][2] < chain[i][3] for i, t in enumerate(targets)):
                    continue  # a figure only moves back
                if _fits(chain, [usable[t] for t in targets], bottom):
                    found.append((-len(set(targets)), -sum(targets), targets))
            found.sort()
            keep = [(f, t) for f, t in accepted if f.element not in {c[0] for c in chain}]
            smallest = frozenset([c[0] for c in chain] + [e for e, _h in on_top]) if least else frozenset()
            for _spread, _late, targets in found[:3 - len(out)]:
                out.append((keep + [(by_element[chain[i][0]], usable[t][0]) for i, t in enumerate(targets)],
                            smallest, frozenset()))
            if len(out) >= 3:
                return out
        if out:
            return out
    return out


def _top_between(body, continued: int | None) -> bool:
    """Whether the top of a page that starts inside ``body`` (the block ``continued`` going
    on from the page before, None when a block starts there) is a place for a figure of that
    body: not when the page opens inside a table, which the figure would cut in three, ahead
    of the text written between the table and the figure (an unseen issue, 2101-01 p6: 图3
    over rows 17–28 of 表2, rows 29–30 and the paragraph written before the figure on p7).
    Inside a paragraph it is: the paragraph has begun on the page before, and the figure
    follows its start as a float does (kept out too, the figure went back a page, ahead of
    that paragraph's start)."""
    if continued is None:
        return True
    block = body.children[continued]
    return not (block.is_table_wrapper or any(box.is_table_wrapper for box in block.descendants()))


def _assignments(count: int, slots: int):
    """Non-decreasing choices of ``count`` slots out of ``slots`` (figures keep their order)."""
    if count == 0:
        yield ()
        return
    def walk(prefix, low):
        if len(prefix) == count:
            yield tuple(prefix)
            return
        for slot in range(low, slots):
            yield from walk(prefix + [slot], slot)
    yield from walk([], 0)


def _fits(chain: list, slots: list, bottom: float) -> bool:
    """Whether each figure of ``chain`` (element, top now, height, anchor, place, height now) fits on the page
    when moved to its slot (target, top now, position): the text shifts down by the figures
    moved above it, and up by those moved away from above it."""
    for i, (_element, _top, height, _anchor, _position, _now) in enumerate(chain):
        slot_top = slots[i][1]
        above = sum(c[2] for c in chain[:i])  # moved to this slot or an earlier one
        gone = sum(c[5] for c in chain if c[1] < slot_top)  # moved away from above
        if slot_top + above - gone + height > bottom + EPSILON:
            return False
    return True


@dataclass(frozen=True)
class _Plan:
    """How a page is laid out: figures moved back (figure, "top" or a block), and whether its
    figures are set at their smallest (to make room for the 版记)."""

    moves: tuple = ()
    squeeze: bool = False
    smallest: frozenset = frozenset()  # elements of figures set at their smallest
    tight_end: bool = False  # the end block's rows at the layout's end_block_min_leading
    keeps: frozenset = frozenset()  # elements of figures the plan means to keep on the page


# The white a closed-up 版记 keeps above its top rule, in body lines: none of its own; the last
# line of text keeps the lower half of its leading under its glyphs (about a fifth of a line).
END_BLOCK_MIN_GAP = 0.0


def _tighten_end_block(state: _Pagination, root_box, tight: bool) -> None:
    """Set the end block's rows at the layout's end_block_min_leading (or back as they were):
    every box of it whose line height is the block's own (a number, as 1.75); and the margin
    above its top rule closed up (END_BLOCK_MIN_GAP; the layout's is half a line): the last
    line of text above still has the lower half of its leading as white."""
    from weasyprint.css.properties import Dimension
    if state.end_block is False:
        state.end_block = next((c for c in root_box.descendants() if _is_end_block(c)), None)
    block = state.end_block
    if block is None:
        return
    leading = _state["settings"].end_block_min_leading
    gap = END_BLOCK_MIN_GAP * (state.pitch or 0)
    for box in [block, *block.descendants()]:
        if tight and not hasattr(box, "_kj_loose_style"):
            value = box.style["line_height"]
            margin = box.style["margin_top"] if box is block else None
            closes = getattr(margin, "unit", None) == "px" and margin.value > gap + EPSILON
            if (isinstance(value, (int, float)) and value > leading) or closes:
                box._kj_loose_style = box.style
                box.style = box.style.copy()
                if isinstance(value, (int, float)) and value > leading:
                    box.style["line_height"] = leading
                if closes:
                    box.style["margin_top"] = Dimension(gap, "px")
        elif not tight and hasattr(box, "_kj_loose_style"):
            box.style = box._kj_loose_style
            del box._kj_loose_style


def _end_block_next(root_box, resume_at, page_number: int) -> bool:
    """Whether the flow resumes with the end block after this even page."""
    settings: Settings = _state["settings"]
    if not settings.end_block_even_page or page_number % 2 or not resume_at:
        return False
    # The outermost end-block box decides: the flow resumes at its start, not inside it.
    return next((rest is None for _parent, _index, child, rest in _resume_path(root_box, resume_at)
                 if _is_end_block(child)), False)


def _set_moves(state: _Pagination, page_number: int, moves: list) -> None:
    before: dict[int, list] = {}
    top = []
    for figure, target in moves:
        if target == "top":
            top.append(figure)
        else:
            before.setdefault(id(target), []).append(figure)
    state.before[page_number], state.top[page_number] = before, top


class _Snapshot:
    """What making a page changes outside the page, so that it can be made again: the counters
    (page_state), the footnotes waiting and reported, broken out-of-flow boxes and the page's
    re-make state (anchors and counter look-ups cached on it)."""

    def __init__(self, context, page_state, page_number):
        import copy
        self.context, self.page_state = context, page_state
        self.saved_state = copy.deepcopy(page_state)
        self.footnotes = list(context.footnotes)
        self.reported = list(context.reported_footnotes)
        self.broken = dict(context.broken_out_of_flow)
        self.remake = context.page_maker[page_number - 1][-1]
        self.saved_remake = {key: list(value) if isinstance(value, list) else value
                             for key, value in self.remake.items()}

    def restore(self):
        import copy
        saved = copy.deepcopy(self.saved_state)
        quote_depth, counter_values, counter_scopes, page_groups = self.page_state
        quote_depth[:] = saved[0]
        counter_values.clear()
        counter_values.update(saved[1])
        counter_scopes[:] = saved[2]
        page_groups[:] = saved[3]
        context = self.context
        context.footnotes = list(self.footnotes)
        context.reported_footnotes = list(self.reported)
        context.current_page_footnotes = []
        context.broken_out_of_flow = dict(self.broken)
        self.remake.clear()
        self.remake.update({key: list(value) if isinstance(value, list) else value
                            for key, value in self.saved_remake.items()})


def _still_deferred(state: _Pagination, root_box, resume_at, deferred: list) -> list:
    """A figure stays deferred only if the next page resumes after it. WeasyPrint may have
    moved the page break back before it (a heading kept with its text): the figure then
    simply starts the next page in the flow."""
    if not state.order:
        state.order = _document_order(root_box.element)
    order = state.order
    resume = math.inf
    for _parent, _index, child, _rest in _resume_path(root_box, resume_at):
        resume = order.get(child.element, resume)
    return [figure for figure in deferred if order.get(figure.element, math.inf) < resume]


def _page_block_level_layout(context, box, bottom_space, skip_stack, containing_block,
                             page_is_empty=True, absolute_boxes=None, fixed_boxes=None,
                             adjoining_margins=None, *args, **kwargs):
    """make_page's layout of the root box: deferred figures first, at the top of the page."""
    layout = _state["page_block_level_layout"]
    pending, moved = [], []
    if box.is_for_root_element:
        bottom_space += dict(_state["settings"].short_pages).get(context.current_page, 0.0)
        state = _pagination(context)
        pending = state.deferred.get(context.current_page - 1, [])
        moved = [f for f in state.top.get(context.current_page, []) if f.element not in state.earlier]
        state.flow_top[context.current_page] = box.position_y
    if not pending and not moved:
        return layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                      absolute_boxes, fixed_boxes, adjoining_margins, *args, **kwargs)
    placed = []
    top = start = box.position_y
    budget = _state["settings"].figure_page_share * containing_block.height
    for figure in pending + moved:
        was_moved = figure in moved
        if state.deferred.get(context.current_page) and not was_moved:
            state.deferred[context.current_page].append(figure)  # one carried over: the rest follow it
            continue
        figure.position_x, figure.position_y = containing_block.content_box_x(), top
        new = layout(context, figure, 0, None, containing_block, not placed, absolute_boxes,
                     fixed_boxes, [])[0]
        if new is not None:
            # Within the figures' share of the page (and on it), shrinking if need be, down
            # to the layout's minimum scale; the first figure of a page stays if it cannot.
            room = min(start + budget, context.page_bottom) - top
            smaller = _shrunk(state, figure, new, top, room, grid_mode(figure),
                              smallest=state.squeeze.get(context.current_page, False)
                              or figure.element in state.smallest.get(context.current_page, ()))
            if smaller is not None:
                new = layout(context, figure, 0, None, containing_block, not placed,
                             absolute_boxes, fixed_boxes, [])[0]
        if new is None or (placed and (
                context.overflows_page(0, new.position_y + new.margin_height())
                or new.position_y + new.margin_height() - start > budget + EPSILON)):
            # No room under the figures placed already (or the text's share of the page
            # would go): it opens the page after. (A figure moved back here stays where
            # it is written instead.)
            if not was_moved:
                state.defer(context.current_page, figure, top)
            continue
        state.laid.add(figure.element)
        bottom = new.border_box_y() + new.border_height()
        mode = grid_mode(figure)
        if mode:
            top = snap_box(context, new, bottom, [new.margin_bottom], context.page_bottom, mode)
        else:
            top = bottom + new.margin_bottom
        placed.append(new)
    state.figures_on[context.current_page] = top - start
    state.flow_top[context.current_page] = box.position_y = top
    result = layout(context, box, bottom_space, skip_stack, containing_block, not placed,
                    absolute_boxes, fixed_boxes, adjoining_margins, *args, **kwargs)
    if result[0] is None:
        # Nothing of the text fits under the figures (a heading kept with what follows, say):
        # the page holds the figures alone and the text resumes on the next page.
        figures_only = box.copy_with_children(placed)
        figures_only.height = context.page_bottom - top
        return (figures_only, skip_stack, {"break": "any", "page": None}, [], False, None)
    result[0].children = placed + list(result[0].children)
    return result


def _in_flow_layout(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                    fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
                    first_letter_style, first_line_style, discard, next_page, max_lines):
    settings: Settings = _state["settings"]
    state = _pagination(context)
    page = context.current_page
    if skip_stack is None and settings.end_block_even_page and _is_end_block(child):
        if page % 2 or state.deferred.get(page):
            # Break before the end block: it goes to the next even page, after any figure
            # still waiting for a page top (GB/T 9704 §7.5: the 版记 is on the last page).
            return (False, True, {index: None}, position_y, adjoining_margins,
                    {"break": "any", "page": None}, new_children, max_lines)
    if skip_stack is None and state.deferred.get(page) and _leaves_article(state, box, child, state.deferred[page][0]):
        # A figure waiting for the next page's top stays at the end of its article: the next
        # article (or whatever follows it) starts on the next page, after the figure, as
        # LaTeX's \FloatBarrier does. It does not open that page inside another article.
        return (False, True, {index: None}, position_y, adjoining_margins,
                {"break": "any", "page": None}, new_children, max_lines)
    skip = (False, False, None, position_y, adjoining_margins, next_page, new_children, max_lines)
    if skip_stack is None and _is_figure(child) and (
            child.element in state.laid or child.element in state.earlier):
        return skip  # moved back: it is on this page or an earlier one already
    if skip_stack is None and (moved := state.before.get(page, {}).get(id(child), [])
                               + state.flow_before.get(id(child), [])):
        # Figures moved back within their article (see _move_back) go just before this block;
        # one that does not fit here after all stays where it is written.
        for figure in moved:
            if figure.element in state.laid or figure.element in state.earlier:
                continue
            figure.position_x, figure.position_y = child.position_x, position_y
            result = _lay(context, box, index, figure, new_children, page_is_empty, absolute_boxes,
                          fixed_boxes, adjoining_margins, bottom_space, position_y, None,
                          first_letter_style, first_line_style, discard, next_page, max_lines,
                          settings, state, moved=True)
            # One that does not fit stops the rest: figures keep their order (a smaller one
            # after it would be laid here, ahead of it).
            if result is None:
                break
            abort, stop, resume_at, new_position_y, margins, _next, children, _lines = result
            if abort or stop or resume_at is not None or not children or children[-1].element is not figure.element:
                break
            position_y, adjoining_margins, new_children = new_position_y, margins, children
            child.position_y = position_y  # WeasyPrint placed the block before the figure came
            page_is_empty = False
            state.laid.add(figure.element)
    if skip_stack is None and TABLE_NOTE in (_element_attr(child, "class") or "").split():
        _under_table(box, child, new_children)
    result = _lay(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                  fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
                  first_letter_style, first_line_style, discard, next_page, max_lines,
                  settings, state)
    if result is None:  # deferred
        return (False, False, None, position_y, adjoining_margins, next_page, new_children, max_lines)
    return result


TABLE_NOTE = "table-note"  # a table's note (注：…, inputs/markdown.py), in the table's block


def _under_table(block, note, laid: list) -> None:
    """Set a table's note as wide as the table above it, under its rules (GB/T 7713.1 表注): a
    narrow table stands centred, and its note ran from the text's left edge past the table's
    right rule (an unseen statistics issue). The table is laid out by now, so its width is known."""
    from weasyprint.css.properties import Dimension

    wrapper = next((b for b in reversed(laid) if b.is_table_wrapper), None)
    if wrapper is None:
        return
    table = wrapper.get_wrapped_table()
    left = table.border_box_x() - block.content_box_x()
    right = block.content_box_x() + block.width - (table.border_box_x() + table.border_width())
    if min(left, right) < 0 or left + right < note.style["font_size"]:
        return  # (a table as wide as the text, or wider: the note keeps the text's width)
    note.style["margin_left"], note.style["margin_right"] = Dimension(left, "px"), Dimension(right, "px")


def _leaves_article(state: _Pagination, box, child, figure) -> bool:
    """Whether laying out ``child`` (of ``box``) takes the flow past the end of the container
    (the article's body) of ``figure``: ``box`` holds that container and ``child`` comes after it."""
    container = state.parents.get(id(figure))
    if container is None or container.element is None or box.element is None or child.element is None:
        return False
    key = id(container.element)
    if key not in state.extent:
        ancestors, outer = set(), container
        while outer is not None:
            ancestors.add(outer.element)
            top, outer = outer, state.parents.get(id(outer))
        if not state.order:
            state.order = _document_order(top.element)
        last = max(state.order.get(e, -1) for e in container.element.iter())
        state.extent[key] = (ancestors, last)
    ancestors, last = state.extent[key]
    return box.element in ancestors and state.order.get(child.element, -1) > last


def _linebox_layout(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                    fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
                    first_letter_style, first_line_style, draw_bottom_decoration, max_lines):
    """WeasyPrint's layout of a block's lines, where a note never leaves the page of its call.

    When a line overflows and breaking before it would leave fewer lines than ``orphans`` (a
    paragraph's first line at the page foot), WeasyPrint 70 makes room for it by moving the
    page's notes to the next page, whatever their footnote-policy: the notes of calls set
    higher on the page (an earlier paragraph) went, and the call stayed (gongwen, a new
    unseen issue: 全年用电量¹ on p6, its note on p7). A note with ``footnote-policy: line`` or
    ``block`` may not be moved so: the block is laid out as if the page had no notes to
    move, that is, it does not start on this page (WeasyPrint's own break for orphans), and
    the notes stay. A note moved with its call's line (the policy) is WeasyPrint's due."""
    footnotes = list(context.footnotes)
    placed = list(context.current_page_footnotes)
    reported = list(context.reported_footnotes)
    count = len(new_children)
    result = _state["linebox"](
        context, box, index, child, new_children, page_is_empty, absolute_boxes, fixed_boxes,
        adjoining_margins, bottom_space, position_y, skip_stack, first_letter_style,
        first_line_style, draw_bottom_decoration, max_lines)
    moved = [note for note in context.reported_footnotes
             if note not in reported and note.style["footnote_policy"] != "auto"]
    if page_is_empty or not moved:
        return result
    called = {part.footnote for line in new_children[count:] for part in line.descendants()
              if part.footnote is not None}
    if not any(note in placed or note in called for note in moved):
        return result  # each went with its call's line
    # The notes as they were, and the block starts on the next page: WeasyPrint's break for
    # orphans, which its own abort makes when the notes moved do not make room either (and
    # then left them moved). The caller removes what the block's lines placed.
    _abort, _stop, resume_at, _y, _notes, max_lines = result
    context.footnotes[:] = footnotes
    context.current_page_footnotes[:] = placed
    context.reported_footnotes[:] = reported
    context._update_footnote_area()
    del new_children[count:]
    return True, False, resume_at, position_y, [], max_lines


def _lay(context, box, index, child, new_children, page_is_empty, absolute_boxes, fixed_boxes,
         adjoining_margins, bottom_space, position_y, skip_stack, first_letter_style,
         first_line_style, discard, next_page, max_lines, settings, state, moved=False):
    """WeasyPrint's layout of one child, with a figure placed, shrunk or deferred first and a
    grid block snapped after; None when the figure is deferred (or, ``moved`` back, does not
    fit where it was moved to)."""
    page = context.current_page
    if skip_stack is None and _is_figure(child):
        decided = _place_figure(context, box, index, child, new_children, page_is_empty,
                                adjoining_margins, bottom_space, position_y, settings, state)
        if decided == "defer":
            if not moved:
                state.defer(page, child, position_y)
            return None
    result = _state["in_flow"](
        context, box, index, child, new_children, page_is_empty, absolute_boxes, fixed_boxes,
        adjoining_margins, bottom_space, position_y, skip_stack, first_letter_style,
        first_line_style, discard, next_page, max_lines)
    if skip_stack is None and child.is_table_wrapper and _caption_alone(result, index) and (
            not page_is_empty or len(result[6]) > 1):  # never from an empty page (it would stay empty)
        # A table's caption alone at the page foot, the table on the next page (a figure
        # deferred there came between them): the caption goes over with its table, as if
        # nothing of it fitted here (WeasyPrint's page break before a block).
        del new_children[len(result[6]) - 1:]  # the caption's fragment, appended in place
        result = _state["in_flow"](
            context, box, index, child, new_children, page_is_empty, absolute_boxes, fixed_boxes,
            adjoining_margins, math.inf, position_y, skip_stack, first_letter_style,
            first_line_style, discard, next_page, max_lines)
    abort, stop, resume_at, new_position_y, margins, next_page, children, max_lines = result
    placed = not abort and resume_at is None and children and children[-1].index == index
    if placed and (mode := grid_mode(child)):
        limit = context.page_bottom - bottom_space
        new_position_y = snap_box(context, children[-1], new_position_y, margins, limit, mode)
        margins = []
    if placed and _is_figure(child):
        state.figures_on[page] = state.figures_on.get(page, 0.0) + new_position_y - position_y
    return abort, stop, resume_at, new_position_y, margins, next_page, children, max_lines


def _caption_alone(result, index: int) -> bool:
    """Whether WeasyPrint laid out a table wrapper (child ``index``) as its caption alone,
    the table going on at the next page."""
    from weasyprint.formatting_structure import boxes
    abort, _stop, resume_at, _y, _margins, _next, children, _lines = result
    if abort or resume_at is None or not children or children[-1].index != index:
        return False
    return not any(isinstance(c, boxes.TableBox) for c in children[-1].children)


def _place_figure(context, box, index, child, new_children, page_is_empty, adjoining_margins,
                  bottom_space, position_y, settings: Settings, state: _Pagination) -> str:
    """``place`` (as written, perhaps smaller) or ``defer`` (to the next page's top)."""
    from weasyprint.layout.absolute import AbsolutePlaceholder
    first_on_page = page_is_empty and not any(
        c for c in new_children if not isinstance(c, AbsolutePlaceholder))
    page_box = _page_box(context)
    limit = float(_element_attr(child, MAX_HEIGHT) or settings.figure_max_height) * page_box.height
    pitch, mode = state.pitch, grid_mode(child)
    if pitch and mode:  # the limit holds once the figure is snapped to whole lines
        limit = math.floor(limit / pitch + EPSILON) * pitch - (pitch / 4 if mode == "center" else 0) - EPSILON
    _reset_image(child)  # a figure shrunk where it was tried before starts from its own size
    height, image = _probe(context, box, child, position_y, adjoining_margins, first_on_page)
    if image is not None and height > limit + EPSILON:
        # Taller than the layout allows: the image gives way (the caption stays as it is).
        _set_image_height(image, image.height - (height - limit))
        height, image = _probe(context, box, child, position_y, adjoining_margins, first_on_page)
    full = _on_grid(height, pitch, mode)
    least = full if image is None else _on_grid(height - (1 - settings.figure_min_scale) * image.height, pitch, mode)
    state.heights[child.element] = (full, least)
    allowed = math.inf
    if settings.figure_float and not first_on_page:
        if state.deferred.get(context.current_page):
            return "defer"  # figures keep their order: this one follows those already waiting
        used = state.figures_on.get(context.current_page, 0.0)
        if used:  # the rest of the page is the text's (LaTeX's \textfraction)
            allowed = settings.figure_page_share * page_box.height - used
    if not first_on_page:
        allowed = min(allowed, context.page_bottom - bottom_space - position_y)
    # The size the figure has before it shrinks to stay in place (its own size, or the
    # layout's maximum height).
    natural = image and getattr(child, "_kj_natural_image_height", image.height)
    if image is not None:
        child._kj_natural_image_height = natural
        if state.squeeze.get(context.current_page) or child.element in state.smallest.get(context.current_page, ()):
            # as small as it may be (see _Plan)
            allowed = min(allowed, height - image.height + settings.figure_min_scale * natural + EPSILON)
    if height <= allowed + EPSILON:
        return "place"
    if image is None:
        return "defer" if settings.figure_float else "place"
    smaller = image.height - (height - allowed)
    if smaller >= settings.figure_min_scale * natural:
        _set_image_height(image, smaller)
        return "place"
    return "defer" if settings.figure_float else "place"


def _shrunk(state: _Pagination, figure, laid, top: float, room: float, mode: str | None,
            smallest: bool = False):
    """Shrink ``figure`` (laid out as ``laid`` at ``top``) so that it takes no more than
    ``room`` once on the grid (or as little as it may: ``smallest``), if the layout's minimum
    scale allows; its new image height, or None when it fits as it is or cannot shrink enough."""
    image = _images_of(figure, laid)
    if image is None:
        return None
    natural = getattr(figure, "_kj_natural_image_height", image.height)
    height = laid.border_box_y() + laid.border_height() + laid.margin_bottom - top
    if smallest:
        room = min(room, height - image.height + _state["settings"].figure_min_scale * natural + EPSILON)
    pitch = state.pitch
    if pitch and mode and not smallest:
        room = math.floor(room / pitch + EPSILON) * pitch - (pitch / 4 if mode == "center" else 0)
    if height <= room + EPSILON:
        return None
    smaller = image.height - (height - room)
    if smaller < _state["settings"].figure_min_scale * natural:
        return None
    _set_image_height(image, smaller)
    return smaller


def _on_grid(height: float, pitch: float | None, mode: str | None) -> float:
    """The height a block starting on the grid takes once snapped (see snap_target)."""
    if not pitch or not mode or mode == "nearest":
        return height
    lowest = height + (pitch / 4 if mode == "center" else 0)
    return math.ceil(lowest / pitch - EPSILON / pitch) * pitch


def _reset_image(child) -> None:
    for image in _image_boxes(child):
        if hasattr(image, "_kj_style"):
            image.style = image._kj_style
        else:
            image._kj_style = image.style


def _probe(context, box, child, position_y, adjoining_margins, page_is_empty):
    """The figure's margin height as laid out here, unbroken, and its images."""
    from weasyprint.layout.block import block_level_layout, collapse_margin
    from weasyprint.layout.percent import resolve_percentages
    saved = child.position_x, child.position_y
    resolve_percentages(child, box)
    child.position_y = position_y
    new = block_level_layout(context, child, -math.inf, None, box, page_is_empty, [], [],
                             list(adjoining_margins))[0]
    child.position_x, child.position_y = saved
    if new is None:
        return 0, None
    top = position_y
    bottom = new.border_box_y() + new.border_height() + collapse_margin([new.margin_bottom])
    return bottom - top, _images_of(child, new)


def _image_boxes(box) -> list:
    """A figure's images: one, or those of a figure row (inputs/markdown.py _figure_row)."""
    from weasyprint.formatting_structure import boxes
    return [b for b in box.descendants() if isinstance(b, boxes.ReplacedBox)]


@dataclass
class _ImageRef:
    """A figure's images in the box tree (to restyle) and their laid-out heights. A figure
    row's height follows its tallest image (the images stand on one line, bottoms aligned):
    ``height`` is that image's, and the row shrinks by scaling every image by one factor,
    so that the makeup sizes a row as one figure of one image (issue 13)."""
    boxes: list
    heights: list

    @property
    def height(self) -> float:
        return max(self.heights)


def _images_of(figure, laid) -> _ImageRef | None:
    """The images of ``figure`` (in the box tree) with their heights as laid out in ``laid``
    (a copy of it), or None when it holds none."""
    originals, copies = _image_boxes(figure), _image_boxes(laid)
    if not originals or len(originals) != len(copies):
        return None
    return _ImageRef(originals, [b.height for b in copies])


def _set_image_height(image: _ImageRef, height: float) -> None:
    """Give the figure's tallest image a used height, the others theirs at the same scale
    (the widths follow the aspect ratios)."""
    from weasyprint.css.properties import Dimension
    scale = height / image.height
    for n, (box, old) in enumerate(zip(image.boxes, image.heights)):
        style = box.style.copy()
        style["height"] = Dimension(max(1.0, math.floor(old * scale * 100) / 100), "px")
        style["width"] = "auto"
        style["min_height"] = Dimension(0, "px")
        box.style = style
        image.heights[n] = style["height"].value


# ---- after pagination --------------------------------------------------------------------

CONTENTS = "data-contents"


def contents_css(settings: Settings, size: float | None = None, leading: float | None = None,
                 continued: bool = False) -> str:
    """The custom properties the layout's CSS sets the contents with (see style.css)."""
    size = settings.contents_size if size is None else size
    leading = settings.contents_leading if leading is None else leading
    css = f":root {{ --kj-contents-size: {size:g}pt; --kj-contents-leading: {leading:g}; }}\n"
    if continued:  # the first article starts right under the contents, on their last page
        css += ":root { --kj-after-contents: auto; }\n"
    return css


@dataclass(frozen=True)
class ContentsFit:
    size: float
    leading: float
    continued: bool = False

    def css(self, settings: Settings) -> str:
        return contents_css(settings, self.size, self.leading, self.continued)


def fit_contents(document, settings: Settings, tried: ContentsFit | None) -> ContentsFit | None:
    """The contents' next setting when they run past page 1, None when they fit (or when
    they are already continued on the next page: an issue with too many articles).

    Measured on the layout: the room left on page 1 under the contents' top, and what the
    rows need. Tighter leading first, down to the layout's minimum, then a smaller size;
    the line count is taken as it is, so the estimate is safe (titles only wrap less)."""
    fragments = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if _element_attr(box, CONTENTS) is not None:
                fragments.append((page._page_box, box))
                break
    if len(fragments) < 2 or (tried is not None and tried.continued):
        return None
    size = tried.size if tried else settings.contents_size
    leading = tried.leading if tried else settings.contents_leading
    if tried is not None:  # the estimate was not enough: continue on the next page
        return ContentsFit(settings.contents_size, settings.contents_leading, continued=True)
    first_page, first = fragments[0]
    room = first_page.content_box_y() + first_page.height - first.content_box_y()
    fixed = rows = 0.0
    for _page, fragment in fragments:
        for child in fragment.children:
            if child.element_tag in ("ul", "ol"):  # its rows (a broken list is stretched)
                rows += sum(row.margin_height() for row in child.children)
            else:
                fixed += child.margin_height()
    if rows <= 0:
        return ContentsFit(size, leading, continued=True)
    ratio = (room - fixed - 1) / rows
    if leading * ratio >= settings.contents_min_leading:
        return ContentsFit(size, math.floor(leading * ratio * 100) / 100)
    smaller = size * ratio * leading / settings.contents_min_leading
    if smaller >= settings.contents_min_size:
        return ContentsFit(math.floor(smaller * 10) / 10, settings.contents_min_leading)
    # Smaller still than the minimum, by lines that may not be there at the minimum: a title
    # that wrapped may take one line in smaller type (14 entries of an unseen gongwen issue
    # ran onto page 2 in 四号, estimated 11.6 pt where 小四 fitted). Tried once at the
    # minimum when they would fit there with no title wrapped; run on when even so they do not.
    blocks, lines = 0, 0
    for _page, fragment in fragments:
        for child in fragment.children:
            if child.element_tag in ("ul", "ol"):
                more_blocks, more_lines = _lines_of_blocks(child)
                blocks, lines = blocks + more_blocks, lines + more_lines
    least = settings.contents_min_size * settings.contents_min_leading / (size * leading)
    if lines and least * blocks / lines <= ratio:
        return ContentsFit(settings.contents_min_size, settings.contents_min_leading)
    return ContentsFit(settings.contents_size, settings.contents_leading, continued=True)


def _lines_of_blocks(box) -> tuple[int, int]:
    """(the blocks of text under a box, their lines), not looking inside the lines (an
    entry's inline-block ★ has a line of its own)."""
    from weasyprint.formatting_structure import boxes

    blocks = lines = 0
    held = sum(1 for child in box.children if isinstance(child, boxes.LineBox))
    if held:
        blocks, lines = 1, held
    for child in box.children:
        if not isinstance(child, boxes.LineBox) and isinstance(child, boxes.ParentBox):
            more_blocks, more_lines = _lines_of_blocks(child)
            blocks, lines = blocks + more_blocks, lines + more_lines
    return blocks, lines


def _is_folio(box) -> bool:
    """A page-margin box that prints the page number (its content uses counter(page))."""
    from weasyprint.formatting_structure import boxes
    if not isinstance(box, boxes.MarginBox):
        return False
    content = box.style["content"]
    return isinstance(content, (list, tuple)) and any(
        kind in ("counter()", "counters()") and value and value[0] == "page"
        for kind, value in content)


def _prints(box) -> bool:
    """Whether a box outside the end block prints anything (text, an image, a rule)."""
    from weasyprint.formatting_structure import boxes
    if _element_attr(box, END_BLOCK) is not None:
        return False
    if isinstance(box, boxes.TextBox):
        return bool(box.text.strip("\u200b\u2060 \n\t\u3000"))
    if isinstance(box, boxes.ReplacedBox):
        return True
    return any(_prints(child) for child in getattr(box, "children", ()))


def strip_folios(document, settings: Settings) -> list[int]:
    """No folio on a page that holds only the 版记 or nothing (GB/T 9704 §7.5), nor on
    page 1 when the layout says so, unless the articles start there (an issue of one article,
    no contents: page 1 is a page of text, not a cover, and is numbered; P16 F4). Returns the
    page numbers left without one."""
    from weasyprint.formatting_structure import boxes
    bare = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        content = [c for c in page_box.children if not isinstance(c, boxes.MarginBox)]
        cover = number == 1 and not settings.first_page_folio and not any(
            getattr(box, "element", None) is not None and box.element.tag == "main"
            and _has_class(box.element, "articles") for box in page_box.descendants())
        if cover or not any(map(_prints, content)):
            page_box.children = tuple(c for c in page_box.children if not _is_folio(c))
            bare.append(number)
    return bare


# ---- second thoughts ----------------------------------------------------------------------

MIN_PAGE_LINES = 5  # a page of text holds more than four lines
MAX_HOLE = 0.25  # the share of the type area a page may leave empty at its foot …
MAX_HOLE_BEFORE_FIGURE = 0.10  # … and before a page that opens with a figure
# … and, in body lines, at the foot of a page whose last paragraph goes on at the top of the
# next: more than the line or two its widows, orphans and the grid may leave reads as a break
# in the text (P16 R6: the tail push left 4 lines there, under pagecheck's quarter, gongwen
# 2085-17 p4; sweep layouts with two such lines passed before and still do).
MAX_BROKEN_HOLE = 2.5
GENTLE_HOLE = 1.5  # … what _short_page leaves on each page when it sends lines on a line a page


def _flow_lines(page_box) -> list:
    """The text lines of a page's flow, in order: (element of their block, bottom)."""
    return [(block, line.position_y + line.height) for block, line in _flow_line_boxes(page_box)]


def _flow_line_boxes(page_box) -> list:
    """The text lines of a page's flow, in order: (element of their block, line box)."""
    from weasyprint.formatting_structure import boxes

    out = []

    def walk(box, block):
        if _element_attr(box, END_BLOCK) is not None or isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        if isinstance(box, boxes.LineBox):
            if any(isinstance(b, boxes.TextBox) and b.text.strip("\u200b\u2060 \n\t\u3000")
                   for b in box.descendants()):
                out.append((block, box))
            return
        own = block if _own_style(box) is None or box.element is None else box.element
        for child in getattr(box, "children", ()):
            walk(child, own)

    walk(page_box, None)
    return out


_facts = weakref.WeakKeyDictionary()  # document -> _page_facts(document), defects(document)


def _page_facts(document) -> list[dict]:
    """Per page: whether it prints, its flow lines, where its content ends, whether it holds
    the contents or opens with a figure. Read (only) some ten times a layout while page
    makeup looks for defects and other ways (issue 15): worked out once per document, which
    is not changed until pages are final (typeset.pin_to_page_bottom, strip_folios)."""
    known = _facts.setdefault(document, {})
    if "pages" not in known:
        known["pages"] = _worked_out_page_facts(document)
    return known["pages"]


def forget_facts(document) -> None:
    """Drop what _page_facts and defects worked out for ``document``: its pages are about to
    change (typeset.py, once the layout is chosen)."""
    _facts.pop(document, None)


def _worked_out_page_facts(document) -> list[dict]:
    from weasyprint.formatting_structure import boxes
    pages = []
    for page in document.pages:
        page_box = page._page_box
        content = [c for c in page_box.children if not isinstance(c, boxes.MarginBox)]
        lines = _flow_lines(page_box)
        blocks = [b for b in page_box.descendants()
                  if _element_attr(b, FIGURE) is not None or b.is_table_wrapper
                  or _element_attr(b, CONTENTS) is not None]
        notes = [c.position_y + c.margin_height() for c in page_box.children
                 if isinstance(c, boxes.FootnoteAreaBox) and c.children]
        # A section's closing rule prints, as pagecheck reads it: the white under the text ends
        # at the rule (an unseen gongwen issue, u1-g p8: 7 lines free by the text, 6 by the rule).
        rules = [b.position_y + b.margin_top + b.border_top_width for b in page_box.descendants()
                 if _is_section_rule(b)]
        flow = max([y for _e, y in lines] + [b.position_y + b.margin_height() - b.margin_bottom
                                             for b in blocks] + rules, default=None)
        bottom = max(([] if flow is None else [flow]) + notes, default=None)
        first_line = min((y for _e, y in lines), default=math.inf)
        figures = [b.position_y for b in blocks if _element_attr(b, FIGURE) is not None]
        captions = sum(len(_flow_line_boxes(b)) for b in blocks if _element_attr(b, FIGURE) is not None)
        pages.append({"prints": any(_prints(c) for c in content), "lines": len(lines),
                      "first": lines[0][0] if lines else None, "last": lines[-1][0] if lines else None,
                      "text_lines": len(lines) - captions, "figures": len(figures),
                      "bottom": bottom, "box": page_box,
                      # the white under the flow ends at the notes, not under them (P19 D3)
                      "room": None if flow is None else _floor(page_box) - flow, "notes": bool(notes),
                      "contents": any(_element_attr(b, CONTENTS) is not None for b in blocks),
                      "opens_with_figure": bool(figures) and min(figures) < first_line})
    return pages


def flow_of(document) -> tuple:
    """Where each page's text ends, as a key: two layouts with the same flow differ in nothing
    a later try could build on (see typeset.py)."""
    return tuple((page["prints"], page["lines"], None if page["bottom"] is None else round(page["bottom"], 1))
                 for page in _page_facts(document))


def defects(document) -> list[tuple[int, str]]:
    """What a print shop would send back, page by page: a page left more than a quarter empty
    at its foot (a tenth when the next page opens with a figure) when more text follows, or
    more than MAX_BROKEN_HOLE lines when its last paragraph goes on at the top of the next, a
    page of four lines or fewer, a blank page, a short table split across pages. The contents
    pages, the last page and the one before a page holding only the 版记 are not judged for
    room; page 1 is when it holds text (an issue of one article)."""
    known = _facts.setdefault(document, {})
    if "defects" not in known:
        known["defects"] = _found_defects(document)
    return list(known["defects"])


def _found_defects(document) -> list[tuple[int, str]]:
    pages = _page_facts(document)
    last = len(pages)
    end_block_only = not pages[-1]["prints"]
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    found = []
    for number, page in enumerate(pages, start=1):
        # Page 1 is judged when it holds text (an issue of one article starts under the
        # masthead: a hole there is one like any other), not when it holds the contents.
        if page["contents"] or number == last:
            continue
        if not page["prints"]:
            found.append((number, "blank"))
            continue
        if page["lines"] < MIN_PAGE_LINES:
            found.append((number, "few lines"))
        if number == last - 1 and end_block_only:
            continue
        if page["bottom"] is None:
            # It prints, but neither a text line nor a figure or table: an image left in a
            # paragraph of its own, say (P13 D1, a TypeError), already "few lines".
            continue
        box = page["box"]
        empty = page["room"] / box.height if page["room"] is not None else 0.0
        limit = MAX_HOLE_BEFORE_FIGURE if pages[number]["opens_with_figure"] else MAX_HOLE
        if empty > limit + 0.01 or (
                pitch and page["last"] is not None and page["last"] is pages[number]["first"]
                and empty * box.height > MAX_BROKEN_HOLE * pitch) or _opener_fits(pages, number, pitch):
            found.append((number, "hole"))
    found += [(number, "wide table") for number, _wrapper, _room in _wide_table_boxes(document)]
    found += [(number, "split table") for number, _element in _split_tables(document)]
    found += [(number, "short leader") for number, _element in _short_leaders(document)]
    return found


MIN_OPENER_ROOM = 4  # body lines: less than a title, its byline and two lines of text take


def _opener_fits(pages: list[dict], number: int, pitch: float) -> bool:
    """Whether the opener at the top of page ``number`` + 1 (a title, its byline and the two
    lines of text kept with them) would fit the white at the foot of page ``number`` once
    the blank line above it closes up (_opener_css): a compositor starts it there (a title
    may open a page's last lines when its block and two lines of text fit), though the page
    is less than a quarter empty: 02-intl of P19 left 5.7 lines white above its footnote, the
    next article's title, source line and two lines taking 5 (D3). Judged above footnotes
    only, the white the quarter rule did not see there: judged on every page, the try that
    filled one page left the next opener's white on the page after it (a test issue: a page
    6.7 lines white became two of 5 and 6), the same count of defects."""
    page = pages[number - 1]
    if (not pitch or not page["notes"] or page["room"] is None or page["room"] < MIN_OPENER_ROOM * pitch
            or number >= len(pages) or pages[number]["opens_with_figure"]):
        return False
    beyond = pages[number + 1]["box"] if number + 1 < len(pages) else None
    opener = _opener(page["box"], pages[number]["box"], beyond)
    return opener is not None and opener[2] <= page["room"] + EPSILON


def figure_pages(document) -> int:
    """Pages of figures inside the issue: pages (not the first, a contents page or the last)
    that hold figures and fewer than MIN_PAGE_LINES lines of text under them, their captions
    not counted (``defects`` counts them, as pagecheck does: two figures and three lines
    pass). Between layouts with as many defects and pages, one with fewer such pages is the
    better (typeset.py): sweep issue 0 took, on its way to a layout without defects, one
    that set two figures over three lines of text on page 7."""
    pages = _page_facts(document)
    return sum(1 for number, page in enumerate(pages, start=1)
               if 1 < number < len(pages) and not page["contents"] and page["figures"]
               and page["text_lines"] < MIN_PAGE_LINES <= page["lines"])


def alternatives(document, settings: Settings) -> list[tuple[str, Settings]]:
    """Other ways to set the issue when ``defects`` found something, each (CSS, settings):
    let an opener that leaves a hole before it start at the foot of that page, taking the
    blank line above it (see _opener_css); move figures back onto the page before (see
    figure_moves); move a few lines onto a last page of text that holds too few, or onto the
    page that would stand blank before the 版记 page; and let figures take a whole page when
    the text has run out (the rule that keeps a fifth of a page for text leaves holes there)."""
    from dataclasses import replace
    out = []
    if fit := table_fit_css(document):
        out.append((fit, settings))
    if leaders := _leader_css(document):
        out.append((leaders, settings))
    if whole := _whole_table_css(document):
        out.append((whole, settings))
    shortfall = _end_block_shortfall(document, settings)
    smaller = _end_block_figures(document, settings, shortfall)
    smaller_settings = replace(settings, smallest=tuple(sorted(set(settings.smallest) | set(smaller))))
    close = _close_up_css(document, shortfall)
    every = _close_up_css(document, shortfall, with_pulls=True)  # (as many as there are)
    pull = _pull_css(document, shortfall)  # 缩行, with the blank lines closed up too
    pulled = pull and pull + every
    ways = [way for way, wanted in ((("", smaller_settings), smaller), ((close, settings), close),
                                    ((pulled, settings), pulled)) if wanted]
    if len(ways) > 1 or (smaller and every):
        # All at once: the figures at their smallest, the blank lines closed up and 缩行.
        # Each alone gives a line or two; a 版记 several lines short took them all, and one
        # at a time they spent the tries (a whole layout each) before the ones that helped
        # (sweep issues 0, 12 and 15: blank pages before the 版记). First when the shortfall
        # is more than a line; after the single ones otherwise (a line is given by any).
        # With 缩行 held to ¾-em stops (P16 R4) a pull gives a line less often: the figures
        # and every blank line closed up are tried together even when no paragraph is asked
        # (sweep issue 15 fitted its 版记 so, with a paragraph pulled by ½-em stops before).
        together = (pulled or close or every, smaller_settings)
        ways.insert(0 if shortfall[1] > 1 else len(ways), together)
    out += ways
    opener, shrink = _opener_css(document, settings)
    if opener:
        out.append((opener, replace(settings, smallest=tuple(sorted(set(settings.smallest) | set(shrink))))))
    if kept := _kept_start_css(document):
        out.append((kept, settings))
    if white := _open_up_hole_css(document):
        out.append((white, settings))
    moves, smallest = figure_moves(document, settings)
    if moves:
        out.append(("", replace(settings, moves=tuple(sorted(set(settings.moves) | set(moves))),
                                smallest=tuple(sorted(set(settings.smallest) | set(smallest))))))
    if (push := _tail_push(document) or _open_up_css(document)) is not None:
        out.append((push, settings))
    if short := _short_page(document):
        out.append(("", _short_pages(settings, short)))
    # Pages set short to fill a hole where an article ends, unless its figures set smaller
    # keep the figure opening the next page where it is written (_hole_figures, tried last):
    # a figure kept in place comes first; tried before it, this spent the try that kept
    # unseen issue A's chart under its row (tests/test_figure_rows.py).
    if not _hole_figures(document, settings) and (hole := _hole_short(document)):
        out.append(("", _short_pages(settings, hole)))
    if around := _open_up_figures_css(document):
        out.append((around, settings))
    if sparse := _open_up_sparse_css(document):
        out.append((sparse, settings))
    if settings.figure_page_share < 1 and any(
            _element_attr(b, FIGURE) is not None for p in document.pages[-3:] for b in p._page_box.descendants()):
        out.append(("", replace(settings, figure_page_share=1.0)))
    # Last: tried before the 版记's ways had run out, it spent the try that kept sweep issue 15
    # from a blank page before its 版记.
    if shrink := _hole_figures(document, settings):
        out.append(("", replace(settings, smallest=tuple(sorted(set(settings.smallest) | set(shrink))))))
    return out


def _opener_css(document, settings: Settings) -> tuple[str, list[int]]:
    """CSS that lets an opener (a section heading, an article title, with the byline and the
    first lines of text kept with them) start at the foot of a page it would leave with a
    hole, when it falls short of the room there by the blank line above it, and the figures
    of that page to set at their smallest (Settings.smallest) when it falls short by more,
    but no more than they give up (an unseen issue: a figure at the top of a page, the next
    title, its byline and first lines a line short of the 6 lines under the text).

    Breaking before an opener chain that does not fit is right (a heading never stands alone
    at a page foot), but a chain of section heading, two-line title, byline and two lines
    of text takes nine lines with the blank line before it, and a page with eight left was
    a third empty. A compositor then takes the heading's room in (书刊排版: 压缩标题所占行数,
    rather than 背题): the blank line between articles closes up and the opener's first
    grid block, set at the foot of its lines (``--kj-line-grid: bottom``), keeps most of that
    white above its text. Only where the chain, as measured at the next page's top, then
    fits the room; the layout is tried again and kept only when it has fewer defects."""
    pages = _page_facts(document)
    found = [number for number, kind in defects(document) if kind == "hole"]
    root = document.pages[0]._page_box.children[0].element
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    order = _document_order(root)
    css, shrink = [], []
    for number in found:
        if number >= len(pages):
            continue
        here, after = pages[number - 1], pages[number]
        if after["opens_with_figure"] or here["room"] is None:
            continue  # a figure opening the next page is figure_moves' case
        box = here["box"]
        room = here["room"]  # above the page's footnotes
        beyond = pages[number + 1]["box"] if number + 1 < len(pages) else None
        opener = _opener(here["box"], after["box"], beyond)
        if opener is None:
            continue
        gaps, heading, need = opener
        # A section's closing rule under the text takes its line of the room (.section-end): a
        # notice's opener a line short of it was tried there for nothing (an unseen gongwen
        # issue, P11 D8: a whole layout spent).
        room -= max([b.position_y + b.margin_height() - here["bottom"] for b in box.descendants()
                     if _is_section_rule(b)] + [0])
        figures = []
        if need > room + EPSILON and settings.figure_float:
            figures = [f for f in _page_figures(box, settings)["figures"]
                       if order.get(f.element) not in settings.smallest]
            room += sum(f.margin_height() - _smallest_height(f, settings) for f in figures)
        if need <= room + EPSILON:
            css += [f"{_selector(root, element)} {{ margin-top: 0 !important; }}\n" for element in gaps]
            css.append(f"{_selector(root, heading)} {{ {_closed_heading(after['box'], heading, pitch)} }}\n")
            shrink += [order[f.element] for f in figures]
    return "".join(css), shrink


LIST_REACH = 8  # body lines from the top of a page within which a kept start is looked for


def _kept_start_css(document) -> str:
    """CSS that lets a page break fall inside the kept start of a list or table near the top
    of the page after a hole, so that the text before it fills the page.

    A list: WeasyPrint keeps every list with the block before it (its UA stylesheet: ``ol, ul
    { break-before: avoid }``), so where a list's first item cannot split (three lines, two
    each side) the sub-head and paragraph before it went over with it: a page 28 % empty in
    an unseen report (#### 2. …, a paragraph ending 具体表现在以下几个方面：, an item of three
    lines). The list may then start the next page, the text before it filling this one.

    A table: it keeps two rows or more at a page foot (style.css), and an attachment's heading
    and title are kept with it, so an attachment table of three-line rows went over whole and
    left the notice's last page a third empty (an unseen gongwen issue, P8 e-g). Its first
    row may then stand alone under the header at the foot: a row at the foot reads better
    than a third of a page left white. Either way the try is kept only with fewer defects."""
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    if not pitch:
        return ""
    root = document.pages[0]._page_box.children[0].element
    css = []
    for number, kind in defects(document):
        if kind != "hole" or number >= len(document.pages):
            continue
        after = document.pages[number]._page_box
        top = after.content_box_y()
        found = next((box for box in after.descendants()
                      if box.element is not None and box.element.tag in ("ol", "ul", "table")
                      and box.element_tag == box.element.tag), None)
        if found is None or found.position_y - top >= LIST_REACH * pitch:
            continue
        if found.element.tag != "table":
            css.append(f"{_selector(root, found.element)} {{ break-before: auto !important; }}\n")
            continue
        rows = [row for body in found.element.iter("tbody") for row in body if row.tag == "tr"]
        before = document.pages[number - 1]._page_box
        if len(rows) >= 3 and not any(box.element is found.element for box in before.descendants()):
            css.append(f"{_selector(root, rows[1])} {{ break-before: auto !important; }}\n")
    return "".join(css)


MAX_CLOSE_UPS = 3  # blank lines between articles taken out to keep the 版记 off a page of its own


def _end_block_shortfall(document, settings: Settings) -> tuple[int, int, int] | None:
    """(the last page of text, 1-based; the fewest and the most body lines it must give up
    for the 版记 to fit under its text) when the 版记 went to the next even page and left a
    blank page before it; None otherwise. The fewest: the 版记's rows and the white above it
    at their tightest (see _tighten_end_block), estimated (the flex rows do not shrink quite
    in proportion); the most: as they are now."""
    from weasyprint.formatting_structure import boxes
    problem = _tail_problem(document)
    pages = document.pages
    if problem is None or problem[0] + 2 != len(pages) or not settings.end_block_even_page:
        return None
    last = problem[0]  # the last page of text (1-based) when the one after it stands blank …
    blank = pages[last]._page_box
    if any(_prints(c) for c in blank.children if not isinstance(c, boxes.MarginBox)):
        return None  # … not a last page of text holding too few lines (_tail_problem's other case)
    pitch = _pitch_of(pages[0]._page_box.children[0])
    end = next((b for b in pages[-1]._page_box.descendants() if _is_end_block(b)), None)
    if not pitch or end is None or last < 2:
        return None
    need = _end_block_need(end, pitch, settings)
    room = _room_at_foot(pages[last - 1]._page_box)
    if room is None:
        return None
    least = max(1, math.ceil((need - room) / pitch - EPSILON))
    most = max(least, math.ceil((end.margin_height() - end.margin_top - room) / pitch - EPSILON))
    return last, least, most


def _end_block_need(end, pitch: float, settings: Settings) -> float:
    """The height the end block ``end`` (a laid-out box) takes at its tightest: its rows at
    the layout's end_block_min_leading and the white above its rule closed up (see
    _tighten_end_block), estimated (the flex rows do not shrink quite in proportion)."""
    lead = end.style["line_height"]
    tight = end.height
    if isinstance(lead, (int, float)) and settings.end_block_min_leading and lead > settings.end_block_min_leading:
        tight *= settings.end_block_min_leading / lead
    return (tight + end.border_top_width + end.border_bottom_width + end.padding_top + end.padding_bottom
            + min(end.margin_top, END_BLOCK_MIN_GAP * pitch))


def _end_block_figures(document, settings: Settings, shortfall: tuple[int, int, int] | None) -> list[int]:
    """The figures to set at their smallest (by document order; Settings.smallest) so that
    the 版记 fits under the text of the last page instead of going to the next even page
    after a blank one: those on the last page of text, the pages before it that flow on to it
    (of PULL_PAGES in all) and the one before those, when at their smallest they give up a
    line or more. The lines they give up move the text after them up (an opener that broke to
    the next page may fit at the foot now), as the squeeze on the last page does for its own
    figures (see _make_page). Empty when there is no shortfall or they would not give a line."""
    if shortfall is None or not settings.figure_float:
        return []
    last, _least, _most = shortfall
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    if not pitch:
        return []
    # The pages that flow on to the last one, and the page before them, which ends short (an
    # opener did not fit at its foot: with its figures smaller, it may).
    top = _first_text_page(document)
    first = max(top, _flowing_from(document, last, max(top, last - PULL_PAGES + 1)) - 1)
    root = document.pages[0]._page_box.children[0].element
    order = _document_order(root)
    figures = [box for number in range(first, last + 1)
               for box in document.pages[number - 1]._page_box.descendants() if _is_figure(box)]
    figures = [box for box in figures if order.get(box.element) not in settings.smallest]
    # At least a line given up (an opener that moves up to a page foot they leave brings more).
    gain = sum(box.margin_height() - _smallest_height(box, settings) for box in figures)
    if not figures or gain < pitch - EPSILON:
        return []
    return [order[box.element] for box in figures]


def _close_up_css(document, shortfall: tuple[int, int, int] | None, with_pulls: bool = False) -> str:
    """CSS that lets the 版记 fit under the text of the last, even page when it falls short
    by a line or a few: the blank lines between articles on that page and the pages before
    it whose text flows on to it (_flowing_from) close up (those under a section's closing
    rule first, then the latest first, as many as the shortfall needs; the lines move up
    over the page breaks; those the layout then did not need are opened again, reopen_css),
    each opener's first grid block set at the foot of its lines (``--kj-line-grid: bottom``,
    as _opener_css does), so the text under them moves up and the 版记, its rows and the
    white above it at their tightest (see _tighten_end_block), fits. Otherwise the 版记 goes to the next even page
    with a blank page before it (GB/T 9704 §7.5 allows it, but it wastes a leaf).
    ``with_pulls``: the blank lines close up along with 缩行 (_pull_css), which gives some of
    the lines: as many as there are, up to MAX_CLOSE_UPS, however many the shortfall is.
    ``shortfall``: _end_block_shortfall's answer."""
    if shortfall is None:
        return ""
    last, least, most = shortfall
    if with_pulls:
        least = 1
    if least > MAX_CLOSE_UPS:
        return ""
    # The openers with a blank line above them on the last page and those before it that
    # flow on to it (not at a page top, where the margin is dropped anyway), latest first.
    root_box = document.pages[0]._page_box.children[0]
    root = root_box.element
    pitch = _pitch_of(root_box)
    gaps = [(number, opener) for number in range(last, _flowing_from(document, last, max(1, last - PULL_PAGES)) - 1, -1)
            for opener in reversed(_openers(document, number, pitch))]
    if len(gaps) < least:
        return ""
    # The least visible first: an opener under a section's closing rule keeps that rule and
    # the white around it above its title (a section heading, its name over a rule, does
    # not: the rule is under it). Then the latest first, the nearest to the 版记.
    parents = _parents(root)
    gaps.sort(key=lambda gap: not _under_rule(parents, gap[1][0].element))
    # A line taken out two pages back or more may be kept there (a paragraph that can only
    # leave two lines at a page foot, orphans): one gap more, where there is one.
    wanted = most + any(number < last - 1 for number, _opener in gaps[:most])
    # Only as many as the line count needs: a title set right under the text is a visible
    # cost (an unseen issue had three on one page when every opener of a page that closed up
    # one was closed), and those the layout did not need are opened again (reopen_css).
    chosen = gaps[:min(wanted, MAX_CLOSE_UPS)]
    return "".join(_closed_up(root, box, heading, pitch) for _number, (box, heading) in chosen)


CLOSED_UP = "/* kj: closed up */"  # ends the line of each opener _close_up_css closes up
# A closed-up heading set a grid line to each of its lines (gongwen's 2号 title, 22 pt on lines of
# 29 pt) has no white of its own: closed up, it stood right under the text before it (an unseen
# issue, P10 D9). Its lines are then set this much of the pitch apart (压缩标题): the block keeps
# its grid lines, set at their foot, and the white it gives up goes above it.
CLOSED_LEADING = 0.88


def _closed_up(root, box, heading, pitch: float) -> str:
    """The CSS line that closes up the blank line above the opener ``box`` whose first grid
    block is the element ``heading`` (see _close_up_css)."""
    return (f"{_selector(root, box.element)} {{ margin-top: 0 !important; }} "
            f"{_selector(root, heading)} {{ {_closed_heading(box, heading, pitch)} }} {CLOSED_UP}\n")


def _closed_heading(box, heading, pitch: float) -> str:
    """The rules of an opener's first grid block, the element ``heading`` in ``box``, once the
    blank line above it is taken: set at the foot of its lines, so the text under it moves
    up; and a heading set a grid line to each line at CLOSED_LEADING of the pitch."""
    rules = "--kj-line-grid: bottom !important;"
    laid = next((b for b in box.descendants() if b.element is heading and _own_style(b) is not None), None)
    leading = laid.style["line_height"] if laid is not None else None
    if getattr(leading, "unit", None) == "px" and any(
            abs(leading.value - share * pitch) < EPSILON for share in (1.0, CLOSED_LEADING)):  # (as laid closed up)
        rules += f" line-height: {CLOSED_LEADING * pitch:.3f}px !important;"
    return rules


def _under_rule(parents: dict, element) -> bool:
    """Whether the opener ``element`` follows a section's closing rule (.section-end, which
    ends a section when an article without one follows it). ``parents``: child → parent."""
    before = _element_before(parents, element)
    return before is not None and any(_has_class(e, "section-end") for e in before.iter())


def reopen_css(document, css: str, settings: Settings) -> str | None:
    """``css`` without the close-ups (_close_up_css) that the layout ``document`` did not
    need, when it has no defects: of those on the 版记's page, as many as the whole body
    lines of white it would leave under its 版记 at the tightest (see _end_block_need; before
    it is pinned to the page foot). Those right under the text go back first (not those
    under a section's closing rule), the highest on the page first. A try with figures at
    their smallest and 缩行 together with the close-ups (see alternatives), or a shortfall
    reckoned with the 版记 as it stood, can leave room to spare: a title then lost its blank
    line for nothing. None when there is nothing to open."""
    closed = [line for line in css.splitlines() if line.endswith(CLOSED_UP)]
    if not closed or defects(document):
        return None
    page = document.pages[-1]._page_box
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    end = next((b for b in page.descendants() if _is_end_block(b)), None)
    if not pitch or end is None:
        return None
    floor = _floor(page)
    # Its rows closer (the layout's end_block_min_leading) before a title loses its blank line.
    spare = math.floor((floor - end.position_y - _end_block_need(end, pitch, settings)) / pitch + EPSILON)
    if spare < 1:
        return None
    root = document.pages[0]._page_box.children[0].element
    parents = _parents(root)
    here = {}  # the line of each opener on the 版记's page → whether it is under a rule
    for box in page.descendants():
        if box.element is None or _own_style(box) is None or box.element.tag not in ("article", "section"):
            continue
        heading = _first_heading(box)
        if heading is not None:
            here[_closed_up(root, box, heading, pitch).rstrip("\n")] = _under_rule(parents, box.element)
    # Only those on the 版记's page: the white measured under it is theirs. One on a page
    # before sends its line over page breaks, where a paragraph's two last lines (widows)
    # or a heading kept with its text can take more (the 4x sample went back to a blank page).
    # Those right under the text first; of those, the highest on the page first (they were
    # closed up the nearest to the 版记 first).
    ranked = sorted((line for line in here if line in closed), key=lambda line: here[line])
    opened = set(ranked[:spare])
    if not opened:
        return None
    return "".join(line + "\n" for line in css.splitlines() if line not in opened)


MAX_PULLS = 12  # paragraphs asked to set a line shorter, to keep the 版记 off a page of its own
MAX_PULL_FILL = 0.5  # … those whose last line fills at most this share of the measure
PULL_PAGES = 6  # … ending on the last page of text or the five before it
PULL_MARK_EM = 0.4  # what a mark of a full line is reckoned to give (most are still full width)
# … and each Chinese character, of the white a line set loose holds (the composer, asked, sets
# the paragraph within linefit.within_pull or not at all: this only picks whom to ask; reckoned
# by the marks alone, gongwen sweep 31 asked none and its 版记 went after a blank page)
PULL_SLACK_EM = linefit.PULL_SQUEEZE_EM
PULL_SHARE = 0.5  # … of what its other lines could take in, at most, when there are such: a
#   paragraph pulled at the limit of its marks and gaps read as a block of half-width commas
#   and solid numbers (an unseen statistics issue); one squeezed by half of it still reads as text


def _pull_css(document, shortfall: tuple[int, int, int] | None) -> str:
    """CSS that lets the 版记 fit under the text of the last, even page by 缩行: paragraphs
    ending on that page or the few before it whose last line holds only a few characters
    are set one line shorter (``--kj-pull-line``, which the line composer reads: their marks
    squeezed within what a pulled paragraph may take, linefit.within_pull: stops at ¾ em,
    Chinese gaps never closed up; see justify._pull_line), the text after them moving up a
    line each. Those most likely to give way first: the least last line for what their
    other lines could take in (their marks and the white of lines set loose), the latest of
    equals; twice as many as the shortfall needs and
    two more, since the composer cannot set every one shorter and each try is a whole
    layout (the next try, typeset.py, asks others, not those asked already). ``shortfall``:
    _end_block_shortfall's answer."""
    from ..typography.chars import SQUEEZABLE, is_wide
    from . import justify
    if shortfall is None:
        return ""
    last, _least, most = shortfall
    pages = document.pages
    first = _flowing_from(document, last, max(1, last - PULL_PAGES))
    lines_of: dict = {}  # element → [(page number, line box)], first page to last
    for number in range(first, last + 1):
        for element, line in _flow_line_boxes(pages[number - 1]._page_box):
            if element is not None:
                lines_of.setdefault(element, []).append((number, line))
    found = []
    for order, (element, lines) in enumerate(lines_of.items()):
        number, tail = lines[-1]
        style = tail.style
        if (number < first or len(lines) < 2 or style["text_align_all"] != "justify"
                or justify.pulled(style)):
            continue  # ends too early, too short, not justified, asked already
        # A line box is as wide as its text: the measure is where the paragraph's lines end.
        measure = max(line.position_x + line.width for _n, line in lines[:-1]) - tail.position_x
        if measure <= 0 or tail.width > MAX_PULL_FILL * measure:
            continue
        texts = [_line_text(line) for _n, line in lines[:-1]]
        room = sum(PULL_MARK_EM * sum(char in SQUEEZABLE for char in text)
                   + PULL_SLACK_EM * sum(map(is_wide, text)) for text in texts)
        need = tail.width / style["font_size"]
        if need < room:
            found.append((need / room, -order, element))
    # Those that take little first; the others only when none does (a later try asks them).
    found = [f for f in found if f[0] <= PULL_SHARE] or found
    root = pages[0]._page_box.children[0].element
    return "".join(f"{_selector(root, element)} {{ --kj-pull-line: 1 !important; }}\n"
                   for _share, _order, element in sorted(found)[:min(2 * most + 2, MAX_PULLS)])


def _first_text_page(document) -> int:
    """The first page whose text makeup may move (1-based): 1 when the articles start under
    the masthead (an issue of one article, no contents: 2092-02's figures on page 1 are those
    that give the lines its 版记 lacked, P16 §3), else 2."""
    return 2 if _page_facts(document)[0]["contents"] else 1


def _flowing_from(document, last: int, earliest: int) -> int:
    """The first of the pages ``earliest``..``last`` (1-based) whose lines flow on to page
    ``last``: a line given up before a page that ends two lines or more short (a heading or a
    figure that did not fit under its text) only widens that hole. One that ends a line short
    (the two lines a paragraph keeps at a page foot, orphans, did not fit) still passes lines
    on: a line given up above opens two, where the paragraph starts (the lead's tail issues,
    the sample's articles and a notice ending on a full page, 版记 a line or two short: 2 of 5
    blank pages before the 版记 gone)."""
    facts = _page_facts(document)
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    for number in range(last - 1, earliest - 1, -1):
        box, bottom = facts[number - 1]["box"], facts[number - 1]["bottom"]
        if pitch and bottom is not None and box.content_box_y() + box.height - bottom > 1.9 * pitch:
            # The lines of the pages before it stop here; its own still pass on (its last
            # paragraph goes over, above the heading that did not fit: an unseen issue's blank
            # page before the 版记, where the page before the last was two lines short).
            return number
    return earliest


def _line_text(line) -> str:
    """The visible characters of a line box."""
    from weasyprint.formatting_structure import boxes

    from ..typography.chars import WITHOUT_LAYOUT_MARKS
    return "".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox)).translate(
        WITHOUT_LAYOUT_MARKS).replace(" ", "").replace("\u3000", "")


def _first_heading(box):
    """The element of the first grid block kept with the next (a section heading, an article
    title) at the start of ``box``, going down its first children; None when it opens with
    something else."""
    from weasyprint.formatting_structure import boxes
    while box is not None:
        if _own_style(box) is not None and box.element is not None:
            if _is_figure(box) or box.is_table_wrapper:
                return None
            if grid_mode(box) in ("snap", "center", "bottom"):
                return box.element if _kept_with_next(box.style) else None
        box = next((c for c in getattr(box, "children", ()) if isinstance(c, boxes.BlockLevelBox)), None)
    return None


def _openers(document, number: int, pitch: float, at_top: bool = False) -> list:
    """The openers that start on page ``number`` (1-based): blocks opening with a heading
    (_first_heading), as [(box, heading element)] top down. Those with a blank line above them
    below the page top, or with ``at_top`` the one at the page top (whose margin the break
    cut)."""
    page = document.pages[number - 1]._page_box
    top = page.content_box_y()
    earlier = ({b.element for b in document.pages[number - 2]._page_box.descendants() if b.element is not None}
               if number >= 2 else set())
    found, seen = [], set()
    for box in page.descendants():
        if _own_style(box) is None or box.element is None or box.element in earlier or box.element in seen:
            continue
        if at_top:
            if box.position_y > top + EPSILON:
                continue
        else:
            margin = box.style["margin_top"]
            if getattr(margin, "unit", None) != "px" or margin.value < pitch / 2 or box.position_y <= top + EPSILON:
                continue
        heading = _first_heading(box)
        if heading is not None:
            found.append((box, heading))
            seen.add(box.element)
    return found


def _opener(before, page_box, beyond=None):
    """The opener at the top of ``page_box`` (the page after ``before``, before ``beyond``):
    (the elements that start there with a margin above them, the element of its first grid
    block, the height from the page top to the end of the lines kept with it), or None when
    the page does not open with a heading chain (or it has no margin to give)."""
    from weasyprint.formatting_structure import boxes
    earlier = {b.element for b in before.descendants() if b.element is not None}
    gaps, heading = [], None
    box = next((c for c in page_box.children if not isinstance(c, (boxes.MarginBox, boxes.FootnoteAreaBox))), None)
    while box is not None and heading is None:
        if _own_style(box) is not None and box.element is not None:
            if _is_figure(box) or box.is_table_wrapper:
                return None
            fresh = box.element not in earlier
            margin = box.style["margin_top"]
            if fresh and getattr(margin, "unit", None) == "px" and margin.value > EPSILON:
                gaps.append(box.element)
            if grid_mode(box) in ("snap", "center", "bottom"):
                if not fresh or not _kept_with_next(box.style):
                    return None  # not a heading kept with what follows
                heading = box.element
                break
        box = next((c for c in getattr(box, "children", ()) if isinstance(c, boxes.BlockLevelBox)), None)
    if heading is None or not gaps:
        return None
    # The chain: blocks kept with the next (break-after: avoid), then the orphans of the
    # first block that is not (all its lines when it is too short to leave widows behind).
    styles = {b.element: b.style for b in page_box.descendants()
              if b.element is not None and _own_style(b) is not None}
    parents = _parents(page_box.children[0].element) if page_box.children else {}
    lines = _flow_lines(page_box)
    for n, (element, _bottom) in enumerate(lines):
        style = styles.get(element)
        if style is not None and not _kept_with_next(style):
            own = [y for e, y in lines[n:] if e is element]
            total = len(own) + (sum(1 for e, _y in _flow_lines(beyond) if e is element) if beyond else 0)
            whole = total < style["orphans"] + style["widows"]
            following = next((e for e, _y in lines[n + len(own):]), None)
            if whole and following is not None and _kept_after(following, styles, parents):
                continue  # a block that cannot split, kept with the next (a list: see _kept_after)
            keep = len(own) if whole else style["orphans"]
            kept = own[min(len(own), max(1, keep)) - 1]
            return gaps, heading, kept - page_box.content_box_y()
    return None


def _kept_after(element, styles: dict, parents: dict) -> bool:
    """Whether a page break may not fall before ``element`` (break-before: avoid on it or on an
    ancestor it opens): WeasyPrint keeps every list with the block before it (its UA sheet,
    ``ol, ul { break-before: avoid }``), so a three-line paragraph, which cannot split, goes
    over with the list's first item: the opener of an unseen issue (m) measured six lines
    where it took eight, and its try to start at the foot of the page before was lost."""
    while element is not None:
        style = styles.get(element)
        if style is not None and style["break_before"] in ("avoid", "avoid-page"):
            return True
        parent = parents.get(element)
        if parent is None or _element_before(parents, element) is not None:
            return False  # not the first element of its parent: the break is before it alone
        element = parent
    return False


def figure_moves(document, settings: Settings) -> tuple[list[tuple[int, int]], list[int]]:
    """Figures to move back onto the page before theirs, as (figure, block) by document order:
    the figure goes just before that block of its article (a later layout, see
    Settings.moves); and the figures to set at their smallest so that it fits there.

    Within one page the pagination moves a figure back when its article ends there
    (_move_back); what it cannot do is reach the page before, which is made already. Two
    defects call for it: a page left with a hole because the next page opens with a figure
    whose article ended on it (the figure crossed into the next article), and a page of
    figures with a few lines of text. Moving the figure (the first such one) back onto the
    page before lets the article's text flow on and fill the page."""
    found = defects(document)
    if not found or not settings.figure_float:
        return [], []
    root = document.pages[0]._page_box.children[0].element
    order = _document_order(root)
    parent = _parents(root)
    pages = [_page_figures(page._page_box, settings) for page in document.pages]
    laid_on = [{box.element for box in page._page_box.descendants()} for page in document.pages]
    moves, smallest = [], []
    for number, kind in found:
        index = number - 1
        if kind == "hole" and index + 1 < len(pages) and pages[index + 1]["figures"]:
            # The figure opening the next page, and those of its article on this page.
            first = pages[index + 1]["figures"][0]
            article = parent.get(first.element)
            candidates = [(index, f) for f in pages[index]["figures"] if parent.get(f.element) is article]
            candidates.append((index + 1, first))
        elif kind == "few lines":
            # Its figures, or those of the page before: either moved back, the text they
            # displace flows on to this page.
            candidates = [(index, f) for f in pages[index]["figures"]]
            candidates += [(index - 1, f) for f in pages[index - 1]["figures"]]
        else:
            continue
        for home, figure in candidates:
            if figure.element in {m for m, _b in moves}:
                break
            container = parent.get(figure.element)
            target = None
            # Two pages back only onto the page of the text written above it: a tall chart
            # written after the paragraph that follows its article's table went two pages
            # back, ahead of that table (an unseen report).
            above = _text_before(figure.element, container)
            for back in (1, 2):  # onto the page before, or the one before that
                if back == 2 and above is not None and above not in laid_on[home - back]:
                    break
                if target is None and home - back >= 1:
                    target = _move_target(pages, home - back, figure, container, settings)
                    if target is not None and _overtakes(pages, home - back, target[0], figure, container, order, parent):
                        target = None  # figures keep their order
            if target is not None:
                moves.append((order[figure.element], order[target[0]]))
                smallest.extend(order[element] for element in target[1])
                break
    return moves, smallest


def _hole_figures(document, settings: Settings) -> list[int]:
    """The figures to set at their smallest (by document order; Settings.smallest) so that
    the figure opening the page after a hole fits at the foot of the page before, under
    that page's figures of its article set smaller too: a figure is shrunk where it stands
    only to keep it in place, not to make room for the next (unseen issue A-g, round 21: a
    figure row left the page foot 17 % empty before the chart that opened the next page,
    its article's text after the chart an image too tall to fill the hole). Empty when the
    room they would give is short of it."""
    if not settings.figure_float:
        return []
    facts = _page_facts(document)
    root = document.pages[0]._page_box.children[0].element
    order = _document_order(root)
    parent = _parents(root)
    for number, kind in defects(document):
        if kind != "hole" or number >= len(document.pages) or not facts[number]["opens_with_figure"]:
            continue
        here = _page_figures(document.pages[number - 1]._page_box, settings)
        first = _page_figures(document.pages[number]._page_box, settings)["figures"][0]
        above = [f for f in here["figures"] if parent.get(f.element) is parent.get(first.element)
                 and order.get(f.element) not in settings.smallest]
        room = here["bottom"] - (facts[number - 1]["bottom"] or here["bottom"])
        gain = sum(f.margin_height() - _smallest_height(f, settings) for f in above)
        if above and room + gain >= _smallest_height(first, settings) - EPSILON:
            return [order[f.element] for f in [*above, first]]
    return []


def _text_before(figure, container):
    """The last block written before ``figure`` in its container that is not a figure (None:
    the figure comes first)."""
    before = None
    for child in (() if container is None else container):
        if child is figure:
            return before
        if child.get(FIGURE) is None:
            before = child
    return before


def _overtakes(pages: list, index: int, block, figure, container, order: dict, parent: dict) -> bool:
    """Whether ``figure``, moved before ``block`` on page ``index``, would stand before an
    earlier figure of its article (one laid on a later page, or lower on that page)."""
    laid = pages[index]["containers"].get(container)
    top = next((c.position_y for c in getattr(laid, "children", ()) if c.element is block), None)
    for number, page in enumerate(pages):
        for other in page["figures"]:
            if parent.get(other.element) is not container or order[other.element] >= order[figure.element]:
                continue
            if number > index or (number == index and top is not None and other.position_y > top):
                return True
    return False


def _smallest_height(figure, settings: Settings) -> float:
    """A laid-out figure's height with its image at the layout's minimum scale."""
    images = _image_boxes(figure)
    height = figure.margin_height()
    return height if not images else height - (1 - settings.figure_min_scale) * max(b.height for b in images)


def _page_figures(page_box, settings: Settings) -> dict:
    """A page's figures (laid out, top to bottom), its containers by element, where its type
    area ends, and the height its figures take (as they are, and at their smallest)."""
    figures = sorted((b for b in page_box.descendants() if _is_figure(b)), key=lambda b: b.position_y)
    containers = {}
    for box in page_box.descendants():
        if box.element is not None and _own_style(box) is not None and getattr(box, "children", None):
            containers.setdefault(box.element, box)
    return {"figures": figures, "containers": containers,
            "bottom": page_box.content_box_y() + page_box.height, "height": page_box.height,
            "share": sum(f.margin_height() for f in figures),
            "least": sum(_smallest_height(f, settings) for f in figures)}


def _move_target(pages: list, index: int, figure, container, settings: Settings):
    """(the element of the latest block of ``container`` that starts on page ``index`` and
    under whose top the figure fits, the figures to set at their smallest for it), or None."""
    if index < 1 or container is None:
        return None
    page = pages[index]
    laid = page["containers"].get(container)
    if laid is None:
        return None
    height = _smallest_height(figure, settings)
    share = settings.figure_page_share * page["height"] + EPSILON
    if page["share"] + figure.margin_height() <= share:
        smallest = ()
    elif page["least"] + height <= share:
        smallest = tuple(f.element for f in page["figures"]) + (figure.element,)
    else:
        return None
    earlier = pages[index - 1]["containers"].get(container)
    continued = {c.element for c in earlier.children} if earlier is not None else set()
    # Never before the article's first paragraph (see _move_back).
    lead = next((child for child in container if child.get(FIGURE) is None), None)
    previous = None
    best = None
    for child in laid.children:
        fresh = (child.element not in continued and child.element is not lead and not _is_figure(child)
                 and not (previous is not None and _kept_with_next(previous.style)))
        if fresh and child.position_y + height <= page["bottom"] + EPSILON:
            best = child.element
        previous = child
    return None if best is None else (best, smallest)


def _tail_push(document) -> str | None:
    """CSS that moves a few lines onto the last page of text when it holds four or fewer
    (or onto the page that would stand blank before the 版记 page), from the foot of the page
    before: the paragraph broken there keeps more lines for the next page (widows), or the
    last blocks there move over whole (at most a quarter of a page)."""
    tail = _tail_lines(document)
    if tail is None:
        return None
    page, lines, pages = tail
    before, after = pages[page - 1], pages[page]
    if not before or before[-1][0] is None:
        return None
    root = document.pages[0]._page_box.children[0].element
    last = before[-1][0]
    on_before = sum(1 for element, _ in before if element is last)
    if after and last is after[0][0] and on_before - lines >= 2:  # a paragraph broken here
        on_after = sum(1 for element, _ in after if element is last)
        return f"{_selector(root, last)} {{ widows: {on_after + lines} !important; }}\n"
    # Move the last blocks of the page over whole, as few as give enough lines, if that leaves
    # the page no more than a quarter empty.
    # A heading (or any block kept with the next, break-after: avoid) goes over with what
    # follows it: breaking before the text under it left the heading alone at the page foot.
    box = document.pages[page - 1]._page_box
    earlier = {element for element, _ in pages[page - 2]} if page >= 2 else set()
    kept = {b.element for b in box.descendants()
            if getattr(b, "element", None) is not None and _kept_with_next(b.style)}
    moved, first, stays = 0, None, box.content_box_y()
    for index in range(len(before) - 1, -1, -1):
        element = before[index][0]
        if element is not first and moved >= lines and element not in kept:
            stays = before[index][1]
            break
        moved, first = moved + 1, element
    empty = box.content_box_y() + box.height - stays
    if first is None or first in earlier or empty > MAX_HOLE * box.height:
        return None
    return f"{_selector(root, first)} {{ break-before: page !important; }}\n"


SHORT_PAGES = 3  # pages set short together to send lines on to the last page of text (_short_page)


def _short_page(document) -> dict[int, float]:
    r"""{page number: CSS px} to set short the page before a last page of text holding too
    few lines (or before the page that would stand blank before the 版记 page), so that as
    many lines as are wanted go over its foot: what breaks there (a paragraph, with its
    widows and orphans, a table between rows) is WeasyPrint's own choice, as for any page
    (LaTeX's \enlargethispage{-n\baselineskip}, a compositor's 缩版心). Where the last
    blocks of the page are short paragraphs, a table or a figure, _tail_push cannot move
    lines without moving too many; here the page breaks where it can.

    When that page would be left more than MAX_HOLE empty at its foot (it had room to spare
    already: a 版记 of a dozen rows falling short under a page with footnotes, sweeps 2, 15
    and gongwen 30, 31), the pages before it whose lines flow on to it are set short too, up
    to SHORT_PAGES in all, a line at a time where the hole it leaves is least: their lines
    move down and fill the room, so that no page is left more than MAX_HOLE empty, less a
    line for the widows and orphans WeasyPrint keeps (four holes of three or four lines
    rather than a blank page before the 版记, which wastes a leaf). Empty when no such
    setting exists."""
    problem = _tail_problem(document)
    if problem is None:
        return {}
    page, lines = problem
    page_box = document.pages[page - 1]._page_box
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    room = _room_at_foot(page_box)
    if not pitch or room is None:
        return {}
    short = room + lines * pitch - EPSILON
    if short <= MAX_BROKEN_HOLE * pitch:
        return {page: short}
    # A line from each page, where a page broken in a paragraph may leave one (GENTLE_HOLE):
    # one page set four lines short left them empty under a paragraph that went on overleaf
    # (P16 R6: gongwen 2085-17 p4, unseen6/q-g p10), which page makeup now counts as a hole.
    top = _first_text_page(document)
    if spread := _spread_short(document, page, lines, pitch, max(top, page - GENTLE_SHORT_PAGES + 1),
                               GENTLE_HOLE * pitch):
        return spread
    if short <= MAX_HOLE * page_box.height:
        return {page: short}
    return _spread_short(document, page, lines, pitch, max(top, page - SHORT_PAGES + 1),
                         MAX_HOLE * page_box.height - pitch)


def _short_pages(settings: Settings, pages: dict[int, float]) -> Settings:
    """``settings`` with ``pages`` ({page number: CSS px}) set short too (a page named again
    takes the new length)."""
    from dataclasses import replace
    return replace(settings, short_pages=tuple(sorted({**dict(settings.short_pages), **pages}.items())))


GENTLE_SHORT_PAGES = 5  # … or as many, each sending on a line (_spread_short)
MAX_HOLE_SENT = 4  # body lines sent on to a page whose text ends with a hole (_hole_short)


def _hole_short(document) -> dict[int, float]:
    """{page number: CSS px} to set short the pages before a page left with a hole where its
    article (or the issue's text) ends: the figure written at the article's end waits for
    the next page's top, or the next opener did not fit, and nothing after it may come up
    (sweep issue 33 in both layouts: a tall figure after a split table, 14–16 % of the page
    empty before it, no other way offered). The lines sent on from the pages before, a line
    at a time where the hole is least (_spread_short, as for the last page of text), fill
    the room from above: the compositor's 缩版心 a few pages back rather than a hole. Only
    for a page whose last paragraph ends on it (one that goes on overleaf would only pass
    the lines on) and up to MAX_HOLE_SENT lines; empty when there is no such setting."""
    pages = _page_facts(document)
    pitch = _pitch_of(document.pages[0]._page_box.children[0])
    if not pitch:
        return {}
    top = _first_text_page(document)
    out: dict[int, float] = {}
    for number, kind in defects(document):
        if (kind != "hole" or number >= len(pages) or number - 1 < top or pages[number - 1]["bottom"] is None
                or pages[number - 1]["last"] is None or pages[number - 1]["last"] is pages[number]["first"]):
            continue
        box = pages[number - 1]["box"]
        limit = (MAX_HOLE_BEFORE_FIGURE if pages[number]["opens_with_figure"] else MAX_HOLE) * box.height
        room = box.content_box_y() + box.height - pages[number - 1]["bottom"]
        lines = math.ceil((room - limit) / pitch - EPSILON)
        if not 1 <= lines <= MAX_HOLE_SENT:
            continue
        spread = (_spread_short(document, number - 1, lines, pitch, max(top, number - GENTLE_SHORT_PAGES),
                                GENTLE_HOLE * pitch)
                  or _spread_short(document, number - 1, lines, pitch, max(top, number - SHORT_PAGES),
                                   MAX_HOLE * box.height - pitch))
        if not spread and (room := _room_at_foot(pages[number - 2]["box"])) is not None:
            # The page before alone (the one before it does not flow on): as for a broken page.
            if (short := room + lines * pitch) <= MAX_BROKEN_HOLE * pitch:
                spread = {number - 1: short - EPSILON}
        out.update(spread)
    return out


def _spread_short(document, page: int, lines: int, pitch: float, earliest: int, limit: float) -> dict[int, float]:
    """_short_page's setting for ``lines`` sent on from page ``page`` over it and the pages
    before it from ``earliest`` that flow on to it, a line at a time where the hole is least,
    none left more than ``limit`` (CSS px) empty; empty when there is no such setting."""
    first = _flowing_from(document, page, earliest)
    rooms = {number: _room_at_foot(document.pages[number - 1]._page_box) for number in range(first, page + 1)}
    if len(rooms) < 2 or None in rooms.values():
        return {}
    # The lines each page sends on beyond those it takes in: the holes are room + that.
    sent = dict.fromkeys(rooms, 0)
    for _ in range(lines):
        number = min(rooms, key=lambda n: (rooms[n] + (sent[n] + 1) * pitch, -n))
        sent[number] += 1
    holes = {number: rooms[number] + sent[number] * pitch for number in rooms}
    if max(holes.values()) > limit:
        return {}
    # From the first page that sends a line on, every page is set short: one that passes on
    # what it takes in would otherwise keep it in its own room.
    start = min(number for number in rooms if sent[number])
    return {number: hole - EPSILON for number, hole in holes.items() if number >= start}


def _room_at_foot(page_box) -> float | None:
    """The room (CSS px) between a page's flow (its text, figures and tables) and the foot of
    its type area, or of its footnotes; None when the page has no flow."""
    flow = [y for _e, y in _flow_lines(page_box)] + [
        b.position_y + b.margin_height() for b in page_box.descendants() if _is_figure(b) or b.is_table_wrapper]
    if not flow:
        return None
    return _floor(page_box) - max(flow)


def _floor(page_box) -> float:
    """The foot of a page's type area, or the top of its footnotes (CSS px)."""
    from weasyprint.formatting_structure import boxes
    return min([page_box.content_box_y() + page_box.height]
               + [area.position_y for area in page_box.children
                  if isinstance(area, boxes.FootnoteAreaBox) and area.children])


def _open_up_css(document) -> str | None:
    """CSS that moves a few lines onto a last page of text holding too few when the page
    before ends with a whole paragraph (nothing to break there): the blank line above the
    last opener on that page (an article's or a section's, not at the page top) grows by as
    many lines as are wanted, so the paragraph at its foot breaks and its last lines go over
    (拉行, the reverse of _close_up_css). None when there is no such opener, or when the
    last page is not short of lines."""
    tail = _tail_lines(document)
    if tail is None:
        return None
    page, lines, pages = tail
    return _open_up_at(document, page, lines, pages[page - 1], pages[page])


MAX_HOLE_OPENED = 2  # body lines of white added above an opener to close a hole under it


def _open_up_hole_css(document) -> str:
    """CSS that closes a hole a little over the limit at the foot of a page whose text cannot
    fill it: the white above the last opener on the page (an article's or a section's blank
    line, not at the page top) grows by a line or two (拉行), the title and the text under it
    moving down into the room. The case: the page after opens with a figure deferred from
    this one (the limit is a tenth of the page then), and what follows the figure in its
    article cannot start here (a paragraph too short to break, with a note: sweep issue 39,
    three lines left, 12 %). A page with no opener under its top that ends with a figure
    gets the white above the figure instead. Only when MAX_HOLE_OPENED lines bring the hole
    within its limit; the layout is tried again and kept only when it has fewer defects."""
    pages = _page_facts(document)
    root_box = document.pages[0]._page_box.children[0]
    pitch = _pitch_of(root_box)
    if not pitch:
        return ""
    css = []
    for number, kind in defects(document):
        if kind != "hole" or number >= len(pages) or pages[number - 1]["bottom"] is None:
            continue
        box = pages[number - 1]["box"]
        limit = (MAX_HOLE_BEFORE_FIGURE if pages[number]["opens_with_figure"] else MAX_HOLE) * box.height
        room = box.content_box_y() + box.height - pages[number - 1]["bottom"]
        lines = math.ceil((room - limit) / pitch - EPSILON)
        if not 1 <= lines <= MAX_HOLE_OPENED or lines * pitch > room + EPSILON:
            continue
        if openers := _openers(document, number, pitch):
            opener, _heading = openers[-1]
            margin = opener.style["margin_top"].value
            css.append(f"{_selector(root_box.element, opener.element)} "
                       f"{{ margin-top: {margin + lines * pitch:.4f}px !important; }}\n")
        elif not pages[number]["opens_with_figure"] and (
                figure := _last_figure(box, pages[number - 1]["bottom"], pitch)) is not None:
            # No opener under the page top: the page ends with a figure (its article opens
            # the page), and the next opener did not fit under it (a section heading, a
            # title and a paragraph of three lines: 8 lines, 7 free, an unseen 图片新闻 issue).
            # The white above the figure grows instead, setting it off from the text: under
            # the block before it (its own margin would count in its height, which the
            # layout's maximum holds, and the image would shrink by as much). Not before a
            # page that opens with a figure: a tenth of a page is the limit there, and the
            # figure's white, off the grid, left gongwen's sweep issue 13 a hair over it.
            if (before := _element_before(_parents(root_box.element), figure.element)) is not None:
                css.append(f"{_selector(root_box.element, before)} "
                           f"{{ margin-bottom: {lines * pitch:.4f}px !important; }}\n")
        elif not pages[number]["opens_with_figure"] and (gaps := _breathing_points(document, number)):
            # No opener under the page top: the article that ends on it is spread (拉行) at
            # its sub-heads, else above its section's closing rule, else between a list and
            # the paragraph after it, a line at each of the last ones (the four holes the
            # unseen issues kept, 27-28 %, each a line over: the next opener, a section
            # heading over a four-line title or a notice under the section's rule, needs two
            # or three lines more than the foot has, and bringing it up moved the hole on).
            # Sub-heads all get their line when there are no more than MAX_HOLE_OPENED: a
            # page's sub-heads stand alike (unseen issue m p8: 二、 and 三、).
            if gaps[0][0] == 0 and lines < len(gaps) <= MAX_HOLE_OPENED and len(gaps) * pitch <= room + EPSILON:
                lines = len(gaps)
            for at, (_kind, box) in enumerate(gaps[:lines]):
                more = lines - len(gaps[:lines]) + 1 if at == 0 else 1
                margin = box.style["margin_top"].value
                css.append(f"{_selector(root_box.element, box.element)} "
                           f"{{ margin-top: {margin + more * pitch:.4f}px !important; }}\n")
    return "".join(css)


def _breathing_points(document, number: int) -> list:
    """The blocks of page ``number`` (1-based) above which a compositor adds white to fill
    the page when the next opener cannot come up (书刊排版: 背题 avoided, the page 拉行):
    sub-heads (a heading, or a paragraph that reads as one: cjk.HEADING_LINE), else a
    section's closing rule, else a paragraph after a list. Each starts on the page below
    its top; as (kind: 0, 1 or 2 in that order, box), of the kind found first, latest first;
    empty when there is none."""
    page = document.pages[number - 1]._page_box
    top = page.content_box_y()
    earlier = ({b.element for b in document.pages[number - 2]._page_box.descendants() if b.element is not None}
               if number >= 2 else set())
    parents = _parents(page.children[0].element) if page.children else {}
    kinds: list[list] = [[], [], []]
    for box in page.descendants():
        if (_own_style(box) is None or box.element is None or box.element_tag != box.element.tag
                or box.element in earlier or box.position_y <= top + EPSILON
                or getattr(box.style["margin_top"], "unit", None) != "px"):
            continue
        element = box.element
        classes = set((element.get("class") or "").split())
        before = _element_before(parents, element)
        if "subhead" in classes or HEADING_LINE in classes:
            kinds[0].append(box)
        elif "section-end" in classes:
            kinds[1].append(box)
        elif element.tag == "p" and before is not None and before.tag in ("ol", "ul"):
            kinds[2].append(box)
    kind, found = next(((kind, found) for kind, found in enumerate(kinds) if found), (None, []))
    return [(kind, box) for box in sorted(found, key=lambda b: -b.position_y)]


def _last_figure(page_box, bottom: float, pitch: float):
    """The figure box that ends the flow of ``page_box`` (its foot within a line of the page's
    last ``bottom``), not at the page top; None when the page ends otherwise."""
    figures = [b for b in page_box.descendants() if _is_figure(b)]
    if not figures:
        return None
    last = max(figures, key=lambda b: b.position_y)
    if (abs(last.position_y + last.margin_height() - bottom) > pitch
            or last.position_y <= page_box.content_box_y() + EPSILON):
        return None
    return last


def _open_up_sparse_css(document) -> str:
    """CSS that moves a line or two onto a page of few lines inside the issue (figures carried
    over to its top and a short article, say), as _open_up_css does for the last page of
    text: the white above the last opener on the page before grows, and the lines pushed
    over its foot go on under the figures."""
    tail = _tail_problem(document)
    css = []
    for number, kind in defects(document):
        if kind != "few lines" or number < 3 or (tail is not None and number == tail[0] + 1):
            continue
        before, after = (_flow_lines(document.pages[n]._page_box) for n in (number - 2, number - 1))
        rule = _open_up_at(document, number - 1, MIN_PAGE_LINES - len(after), before, after)
        if rule:
            css.append(rule)
    return "".join(css)


def _open_up_at(document, page: int, lines: int, before: list, after: list) -> str | None:
    """_open_up_css's rule: ``lines`` lines onto the page after page ``page`` (1-based), whose
    flow lines are ``before`` and ``after``."""
    if not before or not after or before[-1][0] is after[0][0] or lines > 2:
        return None  # a paragraph broken there is _tail_push's case
    root_box = document.pages[0]._page_box.children[0]
    pitch = _pitch_of(root_box)
    if not pitch:
        return None
    root = root_box.element
    if openers := _openers(document, page, pitch):
        box, _heading = openers[-1]
        margin = box.style["margin_top"].value
        return f"{_selector(root, box.element)} {{ margin-top: {margin + lines * pitch:.4f}px !important; }}\n"
    # The page opens with its only opener: the white under its heading grows instead
    # (拉行 below a title at the page top, whose white above is cut at the page break).
    if top := _openers(document, page, pitch, at_top=True):
        return f"{_selector(root, top[0][1])} {{ margin-bottom: {lines * pitch:.4f}px !important; }}\n"
    return None


MAX_FIGURES_OPENED = 3  # figures given a line more of white, to send lines onto a short last page


def _open_up_figures_css(document) -> str:
    """CSS that moves a few lines onto a last page of text holding too few by giving the
    figures on the two pages before it a line more of white each, half above and half
    below (拉行 around figures: a figure keeps a whole number of lines, see snap_box), the
    latest first, one figure for each line wanted. The text under them moves down a line
    each, over the page breaks to the last page. Empty when there are none."""
    tail = _tail_lines(document)
    if tail is None:
        return ""
    page, lines, _pages = tail
    root_box = document.pages[0]._page_box.children[0]
    pitch = _pitch_of(root_box)
    if not pitch or lines > MAX_FIGURES_OPENED:
        return ""
    # page: the 1-based number of the page the lines leave (the index of the last page of text):
    # the figures on it and on the page before it (one on the last page sends nothing there)
    figures = [box.element for number in range(page - 1, max(-1, page - 3), -1)
               for box in sorted((b for b in document.pages[number]._page_box.descendants() if _is_figure(b)),
                                 key=lambda b: -b.position_y)]
    if len(figures) < lines:
        return ""
    root = root_box.element
    return "".join(f"{_selector(root, element)} {{ padding-top: {pitch / 2:.4f}px !important; "
                   f"padding-bottom: {pitch / 2:.4f}px !important; }}\n" for element in figures[:lines])


def _tail_lines(document):
    """(page the lines leave, how many, {page index: its flow lines}) for _tail_problem's
    case: the page the lines leave, the one after it and the one before it (0-based)."""
    problem = _tail_problem(document)
    if problem is None:
        return None
    page = problem[0]
    return (*problem, {n: _flow_lines(document.pages[n]._page_box)
                       for n in (page - 2, page - 1, page) if 0 <= n < len(document.pages)})


def _tail_problem(document) -> tuple[int, int] | None:
    """(page the lines leave, how many) when the last page of text holds too few lines, or a
    blank page stands before the 版记 page."""
    from weasyprint.formatting_structure import boxes
    prints = [any(_prints(c) for c in p._page_box.children if not isinstance(c, boxes.MarginBox))
              for p in document.pages]
    text_pages = [n for n, printing in enumerate(prints, start=1) if printing]
    # Two pages of text and the masthead's among them (an issue of one article: 2092-02 stood
    # with a blank page 3 before its 版记, P16 §3), or three with the contents on page 1.
    if len(text_pages) < 1 + _first_text_page(document):
        return None
    last = text_pages[-1]
    count = len(_flow_lines(document.pages[last - 1]._page_box))
    if count < MIN_PAGE_LINES and last < len(document.pages):
        return last - 1, MIN_PAGE_LINES - count
    if last + 2 == len(document.pages) and not prints[last]:  # a blank page before the 版记
        return last, MIN_PAGE_LINES
    return None


MIN_LEADER_DOTS = 3  # a contents entry's leader shows at least this many dots


def _short_leaders(document) -> list:
    """(page number, element) of each element in the contents whose leader (its ::after,
    leader() then the page number) shows fewer than MIN_LEADER_DOTS dots: a title whose
    last line ends an em short of its number, joined to it by a dot or two."""
    found = []

    def walk(box, number, in_contents):
        in_contents = in_contents or _element_attr(box, CONTENTS) is not None
        for child in getattr(box, "children", ()):
            if in_contents and child.is_leader and len(child.children) < MIN_LEADER_DOTS \
                    and box.element is not None and (number, box.element) not in found:
                found.append((number, box.element))  # box: the pseudo-element holding the leader
            walk(child, number, in_contents)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number, False)
    return found


def _leader_css(document) -> str:
    """CSS that starts a new line before the element holding each short leader (the title's
    last characters, kept with the leader and the number: see style.css .title-end), so
    that the leader runs across the line."""
    root = document.pages[0]._page_box.children[0].element
    return "".join(f'{_selector(root, element)}::before {{ content: "\\A"; white-space: pre; }}\n'
                   for _number, element in _short_leaders(document))


MIN_TABLE_PT = 7.5  # 六号: the smallest a table is set to fit the measure


def _wide_table_boxes(document) -> list:
    """(page number, table wrapper box, the width it has) of every table wider than the block
    that holds it (its columns' figures and words, which never break, need more than the
    measure): it runs into the margin, past the trim."""
    from weasyprint.formatting_structure import boxes

    found = []

    def walk(box, number):
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.MarginBox):
                continue
            if child.is_table_wrapper and isinstance(box, boxes.BlockContainerBox) \
                    and child.border_width() > box.width + 0.5:
                found.append((number, child, box.width))
            walk(child, number)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    return found


def table_fit_css(document) -> str:
    """CSS that sets each table wider than the measure smaller, its type and its cells'
    padding in proportion (a compositor's first answer to a wide table; never below
    MIN_TABLE_PT), so that it fits; engine/typeset.py applies it again from the result while
    one still runs over, before the makeup tries (its layouts are not one of those few: an
    unseen gongwen report spent them on the rest and stopped on a table it could set)."""
    from weasyprint.formatting_structure import boxes

    css = []
    root = document.pages[0]._page_box.children[0].element
    seen = set()
    for _number, wrapper, room in _wide_table_boxes(document):
        if wrapper.element in seen:
            continue
        seen.add(wrapper.element)
        size = wrapper.style["font_size"]
        smallest = MIN_TABLE_PT * 96 / 72
        if size <= smallest + 0.01:
            continue  # as small as it goes: wide_tables reports it
        scale = max(room / wrapper.border_width() * 0.98, smallest / size)
        selector = _selector(root, wrapper.element)
        css.append(f"{selector} {{ font-size: {size * scale:.3f}px !important; }}\n")
        for tag in ("th", "td"):
            cell = next((b for b in wrapper.descendants()
                         if isinstance(b, boxes.TableCellBox) and b.element_tag == tag), None)
            if cell is not None and (padding := _cell_padding(cell)):
                css.append(f"{selector} {tag} {{ padding: "
                           + " ".join(f"{side * scale:.3f}px" for side in padding) + " !important; }\n")
    return "".join(css)


def _cell_padding(cell) -> tuple[float, ...] | None:
    """A table cell's padding (top, right, bottom, left; CSS px) as its style gives it, or
    None when a side is not a length (a percentage of the table's width stays as it is).
    Not the laid-out box's: WeasyPrint adds to a cell's top and bottom padding the white
    that makes it as tall as its row (vertical-align, layout/table.py), and the header's,
    scaled and given to every cell, set a 10-column table's rows two to three times as tall
    as their lines (an unseen statistics report: 12 rows over three pages)."""
    padding = []
    for side in ("top", "right", "bottom", "left"):
        value = cell.style[f"padding_{side}"]
        if getattr(value, "unit", None) != "px":
            return None
        padding.append(value.value)
    return tuple(padding)


SHORT_TABLE = 0.5  # a table (caption, rows, notes) of at most this share of the type area …


def _split_tables(document) -> list:
    """(the page it starts on, the element of its block) of every short table split across
    pages: one whose caption, rows and notes take SHORT_TABLE of the type area or less, which
    a professional sets whole (on the next page, the text before it ending short) rather
    than leave its caption, header and a few rows at a page foot and the rest over the page
    (an unseen issue: 9 rows split 4 | 5 and 2 | 7, the next page three quarters empty
    before the 版记 page). Worked out once per layout (defects and alternatives both ask)."""
    known = _facts.setdefault(document, {})
    if "split tables" not in known:
        known["split tables"] = _found_split_tables(document)
    return known["split tables"]


def _found_split_tables(document) -> list:
    from weasyprint.formatting_structure import boxes

    parts: dict = {}  # element of the table's block → [(page number, its part)]
    for number, page in enumerate(document.pages, start=1):
        outermost: dict = {}  # element → its outermost box on the page
        for box in page._page_box.descendants():
            if box.element is not None:
                outermost.setdefault(box.element, box)
            if box.is_table_wrapper:
                outer = _table_block(document, box.element)
                part = outermost.get(outer, box)
                if not any(p is part for _n, p in parts.get(outer, [])):
                    parts.setdefault(outer, []).append((number, part))
    found = []
    for outer, laid in parts.items():
        if len({number for number, _part in laid}) < 2:
            continue
        height = document.pages[laid[0][0] - 1]._page_box.height
        # The repeated header of every part after the first is not the table's.
        headers = 0.0
        for _number, part in laid[1:]:
            group = next((b for b in part.descendants() if isinstance(b, boxes.TableRowGroupBox)
                          and b.is_header), None)
            headers += group.margin_height() if group is not None else 0.0
        whole = sum(part.margin_height() for _number, part in laid) - headers
        if whole <= SHORT_TABLE * height + EPSILON:
            found.append((laid[0][0], outer))
    return found


def _table_block(document, element):
    """The block a table is set in with its caption and notes (style.css .table-block), or
    the table itself."""
    parent = _parents(document.pages[0]._page_box.children[0].element).get(element)
    if parent is not None and "table-block" in (parent.get("class") or "").split():
        return parent
    return element


def _whole_table_css(document) -> str:
    """CSS that keeps each short table split across pages whole (see _split_tables): it
    moves to the next page, the page before ending short; kept only when the layout has
    fewer defects (no hole where it moved from, no page more before the 版记)."""
    root = document.pages[0]._page_box.children[0].element
    return "".join(f"{_selector(root, element)} {{ break-inside: avoid; }}\n"
                   for _number, element in _split_tables(document))


def wide_tables(document) -> list[tuple[str, int, int, float]]:
    """(the article it is written in, relative to the issue folder; its line; its columns; its
    type size in pt, MIN_TABLE_PT when it is as small as it goes) of every table that runs
    past the measure, once each."""
    from ..inputs.markdown import TABLE_LINE, TABLE_SOURCE

    out = []
    for _number, wrapper, _room in _wide_table_boxes(document):
        element = wrapper.element
        where = (element.get(TABLE_SOURCE) or "", int(element.get(TABLE_LINE) or 0))
        columns = max((len([c for c in row if c.tag in ("td", "th")]) for row in element.iter("tr")), default=0)
        size = round(wrapper.style["font_size"] * 72 / 96, 2)
        if not any(known[:3] == (*where, columns) for known in out):
            out.append((*where, columns, size))
    return out


_parents_kept: list = [None, {}]  # the last document tree's root, its child → parent map


def _parents(root) -> dict:
    """Each element of the tree under ``root`` → its parent. The last tree's is kept: a
    selector is written for every rule of every try (_selector), and each had walked the
    whole tree again."""
    if _parents_kept[0] is not root:
        _parents_kept[:] = [root, {child: parent for parent in root.iter() for child in parent}]
    return _parents_kept[1]


def _element_before(parents: dict, element):
    """The element just before ``element`` in its parent (None: the first, or the root).
    ``parents``: child → parent (_parents)."""
    parent = parents.get(element)
    siblings = [] if parent is None else [c for c in parent if isinstance(c.tag, str)]
    at = siblings.index(element) if siblings else 0
    return siblings[at - 1] if at > 0 else None


def _selector(root, element) -> str:
    """A CSS selector for one element of the document, by its place in the tree."""
    parents = _parents(root)
    steps = []
    while element is not root and element in parents:
        parent = parents[element]
        siblings = [c for c in parent if isinstance(c.tag, str)]
        steps.append(f":nth-child({siblings.index(element) + 1})")
        element = parent
    return "html > " + " > ".join(reversed(steps))
