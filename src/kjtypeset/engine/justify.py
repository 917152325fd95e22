"""Typeset seam: flush justification of Chinese text inside WeasyPrint 70 (pinned).

A small, separately tested patch with one entry point, ``install()``, which refuses to patch a
WeasyPrint whose internals are not the ones tested here (tests/test_justify.py fails loudly).

WeasyPrint's ``text-align: justify`` only widens U+0020/U+00A0, so lines of
Chinese stay ragged.  ``install()`` replaces ``weasyprint.layout.inline.
justify_line`` (looked up as a module global by ``text_align``) with a version
that also stretches the gaps around CJK characters, without inserting any
character: the text layer still reads exactly as written.

How the space is added
----------------------
*Inside a TextBox* each gap is widened after Pango has shaped the line: half
is added to the advance of the glyph before the gap, half to the advance and
x_offset of the glyph after it.  The plan (byte offset -> Pango units) is
stored on WeasyPrint's ``Layout`` object and re-applied by a wrapper around
``Layout.get_first_line``, which ``draw_first_line`` calls on the fresh
PangoLayout that ``reactivate()`` builds at draw time.

Why not letter-spacing attributes (measured in demos/ls_semantics.py):
Pango 1.50 gives every cluster of an attributed range half of its spacing on
each side, and trims the outer half at the ends of the layout line, so a gap
receives (s_left + s_right) / 2.  A gap next to a character that must stay
unspaced (Han|Latin, the outside of "——", the inside of an opening quote)
then gets only half, or the neighbour has to be spaced too: that spaces the
Latin word out, or (with +a/-a alternation) splits it into one shaping item
per letter and drops its kerning.  Editing the glyphs is one-sided, exact and
leaves shaping alone.

*Between boxes* (``<strong>`` run-ins, links...) the first half widens the
last glyph of the box before, the second half shifts ``position_x`` of what
follows, as WeasyPrint's own ``add_word_spacing`` does.

*In the text layer* a wide gap reads as a space to text extractors that infer
spaces from positions: PDFium (Chrome's viewer) from half a space width, 0.128
em for Noto Serif CJK.  A text box stretched by more than ``ACTUAL_TEXT_EM``
per gap is drawn inside a ``/Span << /ActualText (…) >> BDC … EMC`` carrying
its own text, so viewers that honour ActualText (PDFium, Acrobat) copy and
search it exactly as written; the glyphs and their positions are unchanged.

Pitfall: Pango computes and caches a line's extents while building it, so
``pango_layout_line_get_extents`` does not see edited glyphs: a box's new
width is Pango's natural width plus what was really written into the glyphs.
"""

import inspect
import logging
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

LOGGER = logging.getLogger('kjtypeset.engine.justify')

SUPPORTED_WEASYPRINT = ('70.0',)
MIN_PANGO = 14400  # tested on 1.50.12; WeasyPrint 70 itself needs 1.44

# Signatures of the internals we replace, wrap or call.
_EXPECTED_SIGNATURES = {
    'weasyprint.layout.inline.justify_line': ['context', 'line', 'extra_width'],
    'weasyprint.layout.inline.text_align': ['context', 'line', 'available_width', 'last'],
    'weasyprint.layout.inline.add_word_spacing': [
        'context', 'box', 'justification_spacing', 'x_advance'],
    'weasyprint.layout.inline.count_expandable_spaces': ['box'],
    'weasyprint.text.line_break.create_layout': [
        'text', 'style', 'context', 'max_width', 'justification_spacing'],
    'weasyprint.text.line_break.line_size': ['line', 'style'],
    'weasyprint.text.line_break.Layout.get_first_line': ['self'],
    'weasyprint.text.line_break.Layout.set_text': ['self', 'text', 'justify'],
    'weasyprint.text.line_break.Layout.reactivate': ['self', 'style'],
    'weasyprint.text.line_break.Layout.deactivate': ['self'],
    'weasyprint.draw.text.draw_text': [
        'stream', 'textbox', 'offset_x', 'text_overflow', 'block_ellipsis'],
    # Page makeup (engine/makeup.py, engine/typeset.py): wrapped or called.
    'weasyprint.layout.block._in_flow_layout': [
        'context', 'box', 'index', 'child', 'new_children', 'page_is_empty', 'absolute_boxes',
        'fixed_boxes', 'adjoining_margins', 'bottom_space', 'position_y', 'skip_stack',
        'first_letter_style', 'first_line_style', 'discard', 'next_page', 'max_lines'],
    'weasyprint.layout.block.block_level_layout': [
        'context', 'box', 'bottom_space', 'skip_stack', 'containing_block', 'page_is_empty',
        'absolute_boxes', 'fixed_boxes', 'adjoining_margins', 'first_letter_style',
        'first_line_style', 'discard', 'max_lines'],
    'weasyprint.layout.block.collapse_margin': ['adjoining_margins'],
    'weasyprint.layout.percent.resolve_percentages': ['box', 'containing_block'],
    'weasyprint.layout.page.make_page': [
        'context', 'root_box', 'page_type', 'resume_at', 'page_number', 'page_state'],
    'weasyprint.layout.LayoutContext.overflows_page': ['self', 'bottom_space', 'position_y'],
    'weasyprint.formatting_structure.boxes.Box.translate': ['self', 'dx', 'dy', 'ignore_floats'],
    'weasyprint.formatting_structure.boxes.Box.descendants': ['self', 'placeholders'],
    'weasyprint.formatting_structure.boxes.BlockBox.get_wrapped_table': ['self'],
    'weasyprint.formatting_structure.boxes.ParentBox.copy_with_children': ['self', 'new_children'],
    'weasyprint.formatting_structure.boxes.FootnoteAreaBox.__init__': ['self', 'page', 'style'],
    'weasyprint.css.ComputedStyle.copy': ['self'],
}

# Global names a function must still reference for our hooks to be reached.
_EXPECTED_REFERENCES = {
    'weasyprint.layout.inline.text_align': {'justify_line'},
    'weasyprint.layout.inline.add_word_spacing': {'justification_spacing'},
    'weasyprint.text.line_break.Layout.reactivate': {'setup', 'set_text'},
    'weasyprint.text.line_break.Layout.set_text': {'justification_spacing'},
    'weasyprint.draw.text.draw_text': {'reactivate', 'draw_first_line'},
    'weasyprint.draw.text.draw_first_line': {
        'get_first_line', 'geometry', 'width', 'x_offset', 'max_width'},
    'weasyprint.draw.draw_inline_level': {'draw_text'},
    # Page makeup: where our hooks are looked up, and the context fields they read.
    'weasyprint.layout.block.block_container_layout': {'_in_flow_layout'},
    'weasyprint.layout.block._in_flow_layout': {'block_level_layout', 'overflows_page', 'index'},
    'weasyprint.layout.page.remake_page': {'make_page', 'page_maker'},
    'weasyprint.layout.page.make_page': {
        'block_level_layout', 'page_bottom', 'current_page', 'current_footnote_area',
        'content_box_y', 'children'},
    'weasyprint.layout.block.block_level_layout': {'is_for_root_element'},
    'weasyprint.layout.page.make_all_pages': {'page_maker', 'remake_page'},
    'weasyprint.layout.inline.atomic_box': {'copy', 'inline_replaced_box_layout'},
    'weasyprint.layout.percent.resolve_percentages': {'style'},
    'weasyprint.css.ComputedStyle.__missing__': {'cascaded'},
    'weasyprint.document.Page.__init__': {'gather_anchors', '_page_box'},
}

_state = {}


# --------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------

_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x30FF),
    (0x3100, 0x312F), (0x3130, 0x318F), (0x3190, 0x31FF), (0x3200, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)
# Ambiguous-width marks that are full width in Chinese text (zh-CN + SC face).
_CJK_EXTRA = set('\u2014\u2015\u2026\u22ef\u2018\u2019\u201c\u201d\u00b7\u2027\u2e3a\u2e3b')

# A line must not be stretched inside these doubled marks.
_PAIRED = set('\u2014\u2015\u2026\u22ef')

# No stretch after an opening mark or before a closing one, so marks stay
# attached to the words they enclose or end; space goes on their outer side
# (where the full-width glyph already has its blank half).
_OPENING = set('（［｛〔〈《「『【〖〘〚〝‘“([{')
_CLOSING = set('）］｝〕〉》」』】〗〙〛〞’”)]},.;:?!%'
               '，。、；：？！．％‰')

_SPACES = (' ', '\u00a0')

# Justification opportunities, by how they may stretch (see _allocate).
NORMAL, SPACE, MIXED, TRACKING = 0, 1, 2, 3
# The most a Han–Latin boundary may take beyond the cap: it already carries ¼ em of spacing,
# which extractors read as a space anyway.
FLEXIBLE_EM = 1.0
# Tracking between Latin letters, the last resort of a line that still falls short: far below
# what an extractor reads as a space.
TRACKING_EM = 0.06

# A gap this wide (em) may read as a space in a viewer's text layer (PDFium: half the space
# width, 0.112 em for Noto Sans CJK, 0.128 em for Noto Serif CJK): its box gets ActualText.
ACTUAL_TEXT_EM = 0.1
# Format characters kjtypeset.typography.cjk inserts for line breaking; they draw nothing.
_INVISIBLE = dict.fromkeys(map(ord, '\u200b\u2060\u00ad\ufeff'))

# Full-width marks whose right half is blank in Simplified Chinese faces.
LINE_END_HALF = frozenset('，。、；：？！）》」』】〕〗”’')


@lru_cache(maxsize=None)
def _is_cjk(ch):
    if ch in _CJK_EXTRA:
        return True
    cp = ord(ch)
    for lo, hi in _CJK_RANGES:
        if lo <= cp <= hi:
            return True
    return False


@lru_cache(maxsize=None)
def _is_latin(ch):
    return ch.isascii() and ch.isalnum() or '\u00c0' <= ch <= '\u024f'


@lru_cache(maxsize=None)
def _is_han(ch):
    return _is_cjk(ch) and unicodedata.category(ch) == 'Lo'


@lru_cache(maxsize=None)
def _is_attached(ch):
    """Characters that never start a gap: marks, joiners, selectors, ZWSP, WJ..."""
    return unicodedata.category(ch) in ('Mn', 'Me', 'Mc', 'Cf')


@lru_cache(maxsize=65536)
def gap_is_opportunity(a, b, strict=True):
    """Can extra space go between the visible characters ``a`` and ``b``?

    ``strict=False`` drops the opening/closing-mark rule, for lines that
    would otherwise have no opportunity at all.
    """
    if a in _SPACES:
        return True  # the space itself is widened (the gap after it)
    if b in _SPACES:
        return False  # ... so the gap before it is not a second opportunity
    if a == b and a in _PAIRED:
        return False
    if not (_is_cjk(a) or _is_cjk(b)):
        return False  # never inside a Latin word or a number
    if strict and (a in _OPENING or b in _CLOSING):
        return False
    return True


# --------------------------------------------------------------------------
# Version guard
# --------------------------------------------------------------------------

def _resolve(dotted):
    import importlib
    parts = dotted.split('.')
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module('.'.join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def check_internals(version=None):
    """Return a list of problems; empty when the internals look as expected."""
    import weasyprint
    problems = []
    version = weasyprint.__version__ if version is None else version
    if version not in SUPPORTED_WEASYPRINT:
        problems.append(
            f'WeasyPrint {version} is not in the tested versions {SUPPORTED_WEASYPRINT}')
    for dotted, params in _EXPECTED_SIGNATURES.items():
        try:
            func = _resolve(dotted)
            found = list(inspect.signature(func).parameters)
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            problems.append(f'{dotted} is missing ({exc})')
            continue
        if found != params:
            problems.append(f'{dotted}{tuple(found)} != expected {tuple(params)}')
    for dotted, names in _EXPECTED_REFERENCES.items():
        try:
            # Look through wrappers that declare what they wrap (functools.wraps),
            # such as another set_text hook of the product.
            code = inspect.unwrap(_resolve(dotted)).__code__
        except (ImportError, AttributeError) as exc:
            problems.append(f'{dotted} is missing ({exc})')
            continue
        missing = names - set(code.co_names)
        if missing:
            problems.append(f'{dotted} no longer references {sorted(missing)}')
    try:
        from weasyprint.formatting_structure.boxes import TextBox
        if not hasattr(TextBox, 'justification_spacing'):
            problems.append('TextBox.justification_spacing is gone')
        from weasyprint.text.ffi import ffi, pango
        if pango.pango_version() < MIN_PANGO:
            problems.append(f'Pango {pango.pango_version()} < {MIN_PANGO}')
        fields = dict(ffi.typeof('PangoGlyphGeometry').fields)
        item_fields = dict(ffi.typeof('PangoItem').fields)
        string_fields = dict(ffi.typeof('PangoGlyphString').fields)
        if 'width' not in fields or not {'offset', 'length', 'analysis'} <= set(item_fields) \
                or not {'num_glyphs', 'glyphs', 'log_clusters'} <= set(string_fields):
            problems.append('Pango glyph structures are not declared as expected in text/ffi.py')
    except Exception as exc:  # noqa: BLE001 - report any breakage as a problem
        problems.append(f'cannot inspect WeasyPrint/Pango internals: {exc!r}')
    return problems


# --------------------------------------------------------------------------
# Planning: where the extra width goes
# --------------------------------------------------------------------------

@dataclass
class _Plan:
    """Stored on a WeasyPrint Layout: glyph edits to re-apply at draw time."""
    text: str
    gaps: dict  # byte offset of a cluster boundary -> (trail, lead) Pango units
    keys: list = field(default_factory=list)  # sorted offsets
    canary: int = None  # unedited width of the first edited glyph


def _leaves(box, boxes, inline_starts, out, parents=()):
    """Append in-flow leaves of a line in visual (LTR) order to ``out``.

    ``inline_starts`` maps a leaf to the inline boxes that start with it,
    outermost first, so a gap before the leaf is added outside them.
    """
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        first = True
        for child in box.children:
            if child.is_in_normal_flow():
                before = len(out)
                inherited = parents + (box,) if isinstance(box, boxes.InlineBox) else ()
                _leaves(child, boxes, inline_starts, out, inherited if first else ())
                first = first and len(out) == before
    else:  # TextBox or atomic inline-level box
        out.append(box)
        inline_starts[id(box)] = parents


def _units(leaf, boxes):
    """Visible characters of a leaf as (char, byte offset of its end).

    Attached characters (marks, ZWSP, word joiner...) are skipped: a gap
    lies after the visible character, before anything attached to it.
    """
    if not isinstance(leaf, boxes.TextBox):
        return [('\ufffc', None)]  # atomic inline: an object replacement char
    units = []
    offset = 0
    for ch in leaf.text:
        offset += 1 if ch < '\x80' else 2 if ch < '\u0800' else 3 if ch < '\U00010000' else 4
        if not _is_attached(ch):
            units.append((ch, offset))
    return units


def plan_line(line, boxes):
    """Find the justification opportunities of a line.

    Return None if nothing can stretch, else (leaves, starts, gaps) where
    ``gaps`` lists (leaf index before, byte offset in it, leaf index after,
    tier) in visual order; see ``_allocate`` for what each tier takes.
    """
    leaves, starts = [], {}
    _leaves(line, boxes, starts, leaves)
    seq = []  # (leaf index, char, byte offset of its end)
    for i, leaf in enumerate(leaves):
        seq.extend((i, ch, off) for ch, off in _units(leaf, boxes))
    for strict in (True, False):
        gaps, cjk = [], False
        for (ia, a, off), (ib, b, _) in zip(seq, seq[1:]):
            if gap_is_opportunity(a, b, strict):
                tier = (SPACE if a in _SPACES else
                        MIXED if _is_latin(a) != _is_latin(b) and (_is_han(a) or _is_han(b))
                        else NORMAL)
                gaps.append((ia, off, ib, tier))
                cjk = cjk or a not in _SPACES
            elif a.isalpha() and b.isalpha() and _is_latin(a) and _is_latin(b):
                gaps.append((ia, off, ib, TRACKING))
        if cjk:
            return leaves, starts, gaps
    return None


# --------------------------------------------------------------------------
# Glyph editing (inside a TextBox)
# --------------------------------------------------------------------------

def _apply_plan(layout, line):
    """Apply the plan stored on ``layout`` to ``line``; idempotent.

    Return the Pango units actually added, or None without a plan.

    A gap gets its "trail" added to the advance of the cluster before it
    and its "lead" added, as width and x_offset, to the cluster after it.
    """
    from weasyprint.text.ffi import ffi
    plan = layout.__dict__.get('_kj_plan')
    if plan is None or layout.text != plan.text:
        return None
    edits = []  # (glyph address, geometry, width, shift)
    run = line.runs
    keys, gaps = plan.keys, plan.gaps
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        item, glyphs = glyph_item.item, glyph_item.glyphs
        start, end = item.offset, item.offset + item.length
        lo = bisect_left(keys, start)
        if lo == len(keys) or keys[lo] > end or item.analysis.level % 2:
            continue  # no gap here (or an RTL run, left alone)
        n = glyphs.num_glyphs
        clusters = ffi.unpack(glyphs.log_clusters, n)
        infos = glyphs.glyphs
        for key in keys[lo:bisect_left(keys, end + 1)]:
            # Keys are cluster boundaries: a gap at a run boundary is seen
            # by both runs, each applying its own half.  A ligature such as
            # "——" (one glyph, two characters) is found by its end.
            i = bisect_left(clusters, key - start)
            if i < n and clusters[i] != key - start:
                continue  # inside a cluster: unrealised, see justify_line
            trail, lead = gaps[key]
            if i > 0 and trail:
                edits.append((infos + i - 1, infos[i - 1].geometry, trail, 0))
            if i < n and lead:
                edits.append((infos + i, infos[i].geometry, lead, lead))
    if not edits:
        return 0
    added = sum(edit[2] for edit in edits)
    # Idempotence: the first edited glyph is a canary.  Its unedited width
    # is recorded on the first application (at layout time); a fresh layout
    # at draw time shows that width again, an already edited line shows it
    # widened by all the edits that hit it.
    canary = edits[0][1]
    grown = sum(edit[2] for edit in edits if edit[0] == edits[0][0])
    if plan.canary is None:
        plan.canary = canary.width
    if canary.width == plan.canary + grown:
        return added
    if canary.width != plan.canary:
        LOGGER.warning('glyphs changed between layout and drawing in %r', plan.text)
        return 0
    for _, geometry, width, shift in edits:
        geometry.width += width
        geometry.x_offset += shift
    return added


def _wrapped_get_first_line(self):
    first_line, index = _state['get_first_line'](self)
    if '_kj_plan' in self.__dict__:
        _apply_plan(self, first_line)
    return first_line, index


# --------------------------------------------------------------------------
# justify_line replacement
# --------------------------------------------------------------------------

def _shares(total, count):
    """``total`` split into ``count`` whole parts, the first ones one unit larger."""
    base, remainder = divmod(total, count)
    return [base + (k < remainder) for k in range(count)]


def _fill(amounts, gaps, rest, ceiling):
    """Give ``rest`` units to ``gaps`` in equal shares, none past ``ceiling(k)`` (None: no
    limit); a gap that reaches its ceiling passes its share on. Returns what is left."""
    while rest > 0 and gaps:
        share = max(rest // len(gaps), 1)
        still_open = []
        for k in gaps:
            room = None if ceiling(k) is None else ceiling(k) - amounts[k]
            grant = min(share, rest) if room is None else min(share, rest, room)
            amounts[k] += grant
            rest -= grant
            if room is None or grant < room:
                still_open.append(k)
        gaps = still_open
    return rest


def _allocate(total, tiers, cap, em):
    """How many Pango units each gap gets, for ``total`` units of extra width.

    Every NORMAL, SPACE and MIXED gap gets an equal share. With a ``cap`` (units), a NORMAL
    gap (between Han) stops there: past it, text extractors read the gap as a space. The rest
    goes to the gaps where a wider space reads right: word spaces without limit, Han–Latin
    boundaries up to FLEXIBLE_EM more; then, on a line that still falls short, a little
    tracking between Latin letters (up to TRACKING_EM). What remains leaves the line short.
    """
    amounts = [0] * len(tiers)
    main = [k for k, tier in enumerate(tiers) if tier != TRACKING]
    if cap is None or total <= cap * len(main):
        for k, share in zip(main, _shares(total, len(main))):
            amounts[k] = share
        return amounts
    rest = total
    for k, tier in enumerate(tiers):
        if tier == NORMAL:
            amounts[k] = cap
            rest -= cap
    ceilings = {SPACE: None, MIXED: cap + int(FLEXIBLE_EM * em), TRACKING: int(TRACKING_EM * em)}
    for group in ((SPACE, MIXED), (TRACKING,)):
        gaps = [k for k, tier in enumerate(tiers) if tier in group]
        rest = _fill(amounts, gaps, rest, lambda k: ceilings[tiers[k]])
    return amounts


def justify_line(context, line, extra_width):
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import FROM_UNITS, TO_UNITS
    from weasyprint.text.line_break import create_layout, line_size

    if line.style['direction'] == 'rtl' or extra_width <= 0:
        return _state['justify_line'](context, line, extra_width)
    plan = plan_line(line, boxes)
    if plan is None:
        # No CJK gap: keep WeasyPrint's own word-space justification.
        return _state['justify_line'](context, line, extra_width)
    leaves, starts, gaps = plan
    last = leaves[-1]
    if isinstance(last, boxes.TextBox) and last.style['letter_spacing'] != 'normal':
        # WeasyPrint counts CSS letter-spacing after the last character of a
        # box but Pango trims it at the line end: the glyphs end that much
        # before the box does.  Let the box overhang so the ink is flush.
        extra_width += last.style['letter_spacing']

    # Optional (clreq 3.1.6.3): a full-width mark ending the line is set half width, its
    # blank right half given to the line's gaps; the mark's ink then ends flush.
    hang, hang_at = 0, None
    if _state.get('halfwidth_line_end') and isinstance(last, boxes.TextBox):
        tail = _units(last, boxes)
        if tail and tail[-1][0] in LINE_END_HALF:
            hang = int(round(last.style['font_size'] / 2 * TO_UNITS))
            hang_at = tail[-1][1]
            extra_width += hang * FROM_UNITS

    # Whole Pango units (1/1024 px) so that the parts add up exactly.
    em = line.style['font_size'] * TO_UNITS
    cap = _state.get('max_gap_em')
    amounts = _allocate(int(round(extra_width * TO_UNITS)), [gap[3] for gap in gaps],
                        None if cap is None else int(cap * em), em)
    target = line.width + sum(amounts) * FROM_UNITS
    edits = {}  # leaf index -> {byte offset: (trail, lead)}
    shifts = {}  # id(box to shift) -> px, for gaps between leaves
    loose = set()  # leaf indexes next to a gap a viewer may read as a space
    for (ia, offset, ib, _tier), units in zip(gaps, amounts):
        if not units:
            continue
        if units >= ACTUAL_TEXT_EM * em and ia == ib:
            # Inside one box only: a box's ActualText cannot cover a gap between boxes (a
            # viewer compares the boxes' positions), and those at Han–Latin boundaries are
            # closed by kjtypeset.typography.textlayer instead.
            loose.add(ia)
        # Half before the gap, half after: WeasyPrint writes each half as
        # its own TJ offset, and pypdf turns an offset into a space only
        # past about half a space width, so halves keep the text layer
        # clean for twice the stretch.  Between leaves the first half
        # widens the last glyph of the box before (when it is text).
        lead = units // 2
        if ia == ib or isinstance(leaves[ia], boxes.TextBox):
            old_trail, old_lead = edits.setdefault(ia, {}).get(offset, (0, 0))
            edits[ia][offset] = (old_trail + units - lead, old_lead + (lead if ia == ib else 0))
            if ia == ib:
                continue
        else:
            lead = units
        holder = (starts[id(leaves[ib])] or (leaves[ib],))[0]
        shifts[id(holder)] = shifts.get(id(holder), 0) + lead * FROM_UNITS
    if hang:
        trail, lead = edits.setdefault(len(leaves) - 1, {}).get(hang_at, (0, 0))
        edits[len(leaves) - 1][hang_at] = (trail - hang, lead)
    index_of = {id(leaf): i for i, leaf in enumerate(leaves)}

    def relayout(box, gaps):
        """A new layout of ``box`` with the plan; (layout, natural, realised)."""
        layout = create_layout(box.text, box.style, context, max_width=None,
                               justification_spacing=0)
        # Keep the original max_width for text-overflow/block-ellipsis
        # drawing, without letting Pango wrap the text again.
        layout.max_width = box.pango_layout.max_width
        layout._kj_plan = _Plan(box.text, gaps, sorted(gaps))
        first_line, _ = _state['get_first_line'](layout)
        # Pango computed and cached the line extents before our edit, so
        # this is the natural width; the drawn width adds what was really
        # written into the glyphs.
        natural, _ = line_size(first_line, box.style)
        realised = _apply_plan(layout, first_line) * FROM_UNITS
        layout.deactivate()
        return layout, natural, realised

    def spread(box, x_advance):
        x_advance += shifts.pop(id(box), 0)
        if isinstance(box, boxes.TextBox):
            box.position_x += x_advance
            i = index_of.get(id(box))
            if i in loose:
                box._kj_actual_text = box.text.translate(_INVISIBLE)
            if i in edits and not _state['measure'] and box.pango_layout.text == box.text:
                # Trust the arithmetic: the draw-time hook edits exactly these
                # glyphs (and warns if it cannot).
                box.pango_layout._kj_plan = _Plan(box.text, edits[i], sorted(edits[i]))
                planned = sum(map(sum, edits[i].values())) * FROM_UNITS
                box.width += planned
                x_advance += planned
            elif i in edits:
                planned = sum(map(sum, edits[i].values())) * FROM_UNITS
                layout, natural, realised = relayout(box, edits[i])
                box.pango_layout = layout
                x_advance += natural + realised - box.width
                box.width = natural + realised
                if abs(realised - planned) > 0.01:
                    # A gap fell inside a shaping cluster: keep the line flush
                    # by moving the missing space to the end of this box.
                    LOGGER.debug('unrealised %.3f px in %r', planned - realised, box.text)
                    x_advance += planned - realised
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            previous = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = spread(child, x_advance)
            box.width += x_advance - previous
        else:
            box.translate(x_advance, 0)
        return x_advance

    spread(line, 0)
    if abs(line.width - target) > 0.05:
        LOGGER.debug('line ends %.3f px off its target', line.width - target)


# --------------------------------------------------------------------------
# Han–Latin spacing at line edges
# --------------------------------------------------------------------------

# kjtypeset.typography.cjk wraps a Latin or digit run next to Han in a span with a ¼ em margin on that
# side. clreq wants no such space at the start or end of a line; once a line is broken, a
# margin standing at an edge is removed (the freed width then goes to justification).
EDGE_SPACING = frozenset({'kj-sp-l', 'kj-sp-r', 'kj-sp-lr'})


def _edge_chain(line, boxes, last):
    """The inline boxes from the line down to its first (or last) in-flow leaf."""
    chain, box = [], line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        children = [child for child in box.children if child.is_in_normal_flow()]
        if not children:
            break
        box = children[-1 if last else 0]
        chain.append(box)
    return chain


def _is_spacing(box):
    element = getattr(box, 'element', None)
    classes = (element.get('class') or '').split() if element is not None else ()
    return not EDGE_SPACING.isdisjoint(classes)


def trim_edge_spacing(line):
    from weasyprint.formatting_structure import boxes

    chain = _edge_chain(line, boxes, last=False)
    for depth, box in enumerate(chain):
        if isinstance(box, boxes.InlineBox) and box.margin_left and _is_spacing(box):
            margin, box.margin_left = box.margin_left, 0
            for child in line.children:
                child.translate(-margin, 0)
            for holder in chain[:depth + 1]:  # they still start where the line starts
                holder.position_x += margin
            for holder in chain[:depth]:
                holder.width -= margin
            line.width -= margin
            break
    chain = _edge_chain(line, boxes, last=True)
    for depth, box in enumerate(chain):
        if isinstance(box, boxes.InlineBox) and box.margin_right and _is_spacing(box):
            margin, box.margin_right = box.margin_right, 0
            for holder in chain[:depth]:
                holder.width -= margin
            line.width -= margin
            break


def text_align(context, line, available_width, last):
    trim_edge_spacing(line)
    return _state['text_align'](context, line, available_width, last)


# --------------------------------------------------------------------------
# Install / uninstall
# --------------------------------------------------------------------------

def install(max_gap_em=None, measure=True, halfwidth_line_end=False):
    """Patch WeasyPrint; raise RuntimeError if its internals are not the tested ones.

    ``max_gap_em`` caps the space added per gap (in em of the line's font).
    None (the default) always justifies flush.  pypdf reads a gap as a space
    from about 0.18 em and pdfplumber from 3 pt (its x_tolerance), so 0.17
    keeps the text layer clean at the cost of leaving the rare line that
    precedes a long unbreakable word or URL short.

    ``measure=False`` skips the layout-time reshaping that measures each
    edited box and trusts the arithmetic instead (faster; a gap that cannot
    be realised is then only logged at draw time, and its line ends short).
    """
    if _state:
        uninstall()
    problems = check_internals()
    if problems:
        raise RuntimeError(
            'kjtypeset.engine.justify cannot patch this WeasyPrint: ' + '; '.join(problems))
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    _state['justify_line'] = inline.justify_line
    _state['text_align'] = inline.text_align
    _state['get_first_line'] = line_break.Layout.get_first_line
    _state['max_gap_em'] = max_gap_em
    _state['measure'] = measure
    _state['halfwidth_line_end'] = halfwidth_line_end
    inline.justify_line = justify_line
    text_align.__wrapped__ = _state['text_align']
    inline.text_align = text_align
    _wrapped_get_first_line.__wrapped__ = _state['get_first_line']
    line_break.Layout.get_first_line = _wrapped_get_first_line
    import weasyprint.draw
    _state['draw_text'] = weasyprint.draw.draw_text
    weasyprint.draw.draw_text = draw_text


def uninstall():
    if not _state:
        return
    import weasyprint.draw
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    inline.justify_line = _state['justify_line']
    inline.text_align = _state['text_align']
    line_break.Layout.get_first_line = _state['get_first_line']
    weasyprint.draw.draw_text = _state['draw_text']
    _state.clear()


def draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis='none'):
    """WeasyPrint's draw_text; a widely stretched box carries its text as ActualText."""
    actual = getattr(textbox, '_kj_actual_text', None)
    if not actual:
        return _state['draw_text'](stream, textbox, offset_x, text_overflow, block_ellipsis)
    import pydyf
    begin, end = stream.begin_text, stream.end_text

    # Inside the text object, which WeasyPrint then still merges with its neighbours (one
    # BT…ET per line): extractors follow the text position across the line unbroken.
    def begin_text():
        begin()
        stream.begin_marked_content('Span', pydyf.Dictionary({'ActualText': pydyf.String(actual)}))

    def end_text():
        stream.end_marked_content()
        end()

    stream.begin_text, stream.end_text = begin_text, end_text
    try:
        return _state['draw_text'](stream, textbox, offset_x, text_overflow, block_ellipsis)
    finally:
        del stream.begin_text, stream.end_text


def installed():
    return bool(_state)
