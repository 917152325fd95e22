"""Stage 5, typeset: the HTML document → a paginated WeasyPrint Document.

WeasyPrint fetches any URL a document names and only logs what goes wrong. Here it gets a
fetcher confined to data: URLs and files under the issue, layout and font folders, and its
log is captured so that a missing image or glyph fails the build instead of printing a box.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.css.counters import CounterStyle
from weasyprint.formatting_structure import boxes
from weasyprint.layout.background import layout_box_backgrounds
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from ..errors import KjError, captured_log
from ..typography import cjk
from . import contents, justify, makeup, margins, notes
from .fontload import InPlaceFonts, lazy_font_files
from .fonts import font_face_css, tofu_message
from .layout import Layout


class ConfinedFetcher(URLFetcher):
    """Fetches data: URLs and local files under the allowed folders; refuses everything else."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True)
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            # Resolving follows symlinks and "..", so neither can lead outside the roots.
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                self.refused.append(url)
                raise FatalURLFetchingError(f"refused {url}")
        elif scheme != "data":
            self.refused.append(url)
            raise FatalURLFetchingError(f"refused {url}")
        return super().fetch(url, headers)


MAX_TRIES = 4  # more layouts of an issue whose pages have defects (engine/makeup.py)
MAX_TABLE_FITS = 4  # layouts setting wide tables smaller (one is enough unless a table's
# width does not scale with its type: its borders, a width given in the layout)
_NOTDEF = re.compile(r'unsupported by fonts: "(.*)" \(U\+([0-9A-F]+)', re.S)


def typeset(html: str, layout: Layout, issue_folder: Path, origin: Path) -> weasyprint.Document:
    """Lay out ``html``; ``origin`` (the manifest) is named in errors no source line can locate.

    Page makeup happens while WeasyPrint paginates (engine/makeup.py: baseline grid, figure
    floats, the end block's even page). The one thing measured afterwards is the contents:
    when they run past page 1, the layout is set again with tighter contents (a second
    layout only for such issues) or, when they cannot fit, with the articles following them.
    A long issue has its contents measured alone first (engine/contents.py), and is then laid
    out once when that measure settles their setting.
    """
    try:
        justify.install(layout.composition)
        makeup.install(layout.makeup)
        margins.install()
    except RuntimeError as exc:
        raise KjError(None, None, f"排版引擎的补丁（中文两端对齐、版面）无法用于当前的 WeasyPrint {weasyprint.__version__}"
                                  f"（kjtypeset 只在 {'、'.join(justify.SUPPORTED_WEASYPRINT)} 上测试过）："
                                  f"{exc}") from exc
    html = notes.mark(html)
    font_dirs = {face.path.parent for face in layout.fonts}
    fetcher = ConfinedFetcher((issue_folder, *(layout.folders or (layout.folder,)), *font_dirs))
    # @font-face and @counter-style rules in a user stylesheet only register through a
    # FontConfiguration and a CounterStyle shared with the render.
    fonts, counters = InPlaceFonts(tuple(font_dirs)), CounterStyle()
    base = font_face_css(layout.fonts, text=html) + layout.css + cjk.STYLESHEET
    sheets = [weasyprint.CSS(filename=str(sheet), url_fetcher=fetcher, font_config=fonts,
                             counter_style=counters) for sheet in layout.stylesheets]

    def parse() -> weasyprint.HTML:
        return weasyprint.HTML(string=html, base_url=str(layout.folder) + "/", url_fetcher=fetcher)

    # The layouts of one build keep the paragraphs they measured for the next (a makeup try
    # changes a few pages: the other paragraphs are not measured again); a paragraph is
    # measured in each layout it first appears in (justify.measures_kept). The preview keeps
    # its own store across builds.
    measures = None if justify.keeping() else {}

    def render(makeup_css: str, parsed: weasyprint.HTML | None = None) -> weasyprint.Document:
        stylesheets = [weasyprint.CSS(string=base + makeup_css, url_fetcher=fetcher,
                                      font_config=fonts, counter_style=counters), *sheets]
        kept = (contextlib.nullcontext() if measures is None
                else justify.measures_kept(measures, earlier=True))
        with confined(fetcher, origin), kept:
            return (parsed or parse()).render(stylesheets=stylesheets, font_config=fonts,
                                              counter_style=counters)

    css = makeup.contents_css(layout.makeup)
    # A long issue: the contents measured alone first, so that it is laid out once.
    fit = None
    if contents.worth_measuring(html):
        with confined(fetcher, origin):
            alone = parse()
        fit = contents.measured_fit(alone, layout.makeup, layout.fonts,
                                    lambda parsed, extra: render(css + extra, parsed),
                                    (base, css, *map(str, layout.stylesheets)))
    measured = css if fit is None else fit.css(layout.makeup)
    document = render(measured)
    if fit is not None and len(document.pages) > contents.MAX_PAGES:  # numbers wider than measured
        fit, document = None, render(css)
    else:
        css = measured
    # A table wider than the measure is set smaller, from each result again until it fits or
    # is at 六号, before anything else is judged: not one of the few makeup tries below (an
    # unseen gongwen report spent them on holes and stopped on a table it could set).
    tables = ""
    for _ in range(MAX_TABLE_FITS):
        if not (smaller := makeup.table_fit_css(document)):
            break
        tables += smaller
        document = render(css + tables)
    css += tables
    while (fit := makeup.fit_contents(document, layout.makeup, fit)) is not None:
        css = fit.css(layout.makeup) + tables
        document = render(css)
    kept = (css, layout.makeup)  # how the document kept is set: its makeup rules and settings

    def relaid(rules: str, settings: makeup.Settings, like: weasyprint.Document) -> weasyprint.Document:
        # The contents entries start with the pages their articles had in ``like``: the
        # contents pages are laid out once when they stay.
        makeup.install(settings)
        try:
            with makeup.pages_known(makeup.anchor_pages(like)):
                return render(rules)
        finally:
            makeup.install(layout.makeup)

    # A page left with a hole or a few lines (figures that could not stay in their article's
    # text, or the end of the issue where the text runs out): the layout is tried again in
    # other ways, at most MAX_TRIES more, and the one with the fewest defects kept (then the
    # fewest pages, then the fewest pages of figures over a few lines of text); one as good
    # or better is the starting point of the next tries.
    if found := makeup.defects(document):
        best = (len(found), len(document.pages), makeup.figure_pages(document))
        flow = makeup.flow_of(document)
        queue = [(css + extra, settings, flow) for extra, settings in makeup.alternatives(document, layout.makeup)]
        tried = {_setting(css, layout.makeup)}
        for _ in range(MAX_TRIES):
            while queue and _setting(*queue[0][:2]) in tried:
                queue.pop(0)  # the same rules again (a way found again from a try): no new layout
            if not queue or not best[0]:
                break
            tried_css, settings, start = queue.pop(0)
            tried.add(_setting(tried_css, settings))
            candidate = relaid(tried_css, settings, document)  # from the best layout so far
            score = (len(makeup.defects(candidate)), len(candidate.pages), makeup.figure_pages(candidate))
            # Better, or as good: other ways are tried from it first, unless the try changed
            # nothing on any page (paragraphs the composer could not set shorter, say): the
            # 4x bench issue spent four whole layouts on such tries.
            if score[0] and score <= best and (flow := makeup.flow_of(candidate)) != start:
                queue = [(tried_css + extra, more, flow)
                         for extra, more in makeup.alternatives(candidate, settings)] + queue
            if score < best:
                document, best, kept = candidate, score, (tried_css, settings)
        # Close-ups the best layout did not need (room to spare under its 版记): its titles
        # get their blank line back when the layout stays as good.
        if (fewer := makeup.reopen_css(document, *kept)) is not None:
            candidate = relaid(fewer, kept[1], document)
            if (len(makeup.defects(candidate)), len(candidate.pages), makeup.figure_pages(candidate)) <= best:
                document, kept = candidate, (fewer, kept[1])
    document = _notes_per_page(document, html, lambda numbers, like: relaid(kept[0] + numbers, kept[1], like))
    if wide := makeup.wide_tables(document):
        source, line, columns, size = wide[0]
        smallest = "最小字号（六号）" if size <= makeup.MIN_TABLE_PT + 0.05 else f"{size:g} 磅"
        raise KjError(issue_folder / source if source else origin, line or None,
                      f"表格太宽：这个 {columns} 列的表格缩到{smallest}仍超出版心，"
                      "请减少列数、缩短单元格里的数字或文字，或拆成两个表格")
    makeup.forget_facts(document)
    pin_to_page_bottom(document)
    makeup.strip_folios(document, layout.makeup)
    return document


def _notes_per_page(document, html: str, relaid) -> weasyprint.Document:
    """The document with its footnotes numbered per page (engine/notes.py), laid out again
    (``relaid(extra css, like)``: with the makeup it was set with) when a number changes; a
    renumbered call that moves its line to another page is numbered again, at most
    notes.MAX_LAYOUTS times."""
    numbers = notes.as_written(html)
    for _ in range(notes.MAX_LAYOUTS):
        if (wanted := notes.per_page(document)) == numbers:
            break
        numbers = wanted
        document = relaid(notes.css(numbers), document)
    return document


def _setting(css: str, settings: makeup.Settings) -> tuple:
    """A way to set the issue, as a key: its makeup rules in any order, once each."""
    return frozenset(css.splitlines()), settings


def write_pdf(document: weasyprint.Document, origin: Path, **options) -> bytes:
    """Write the PDF; attachments are fetched only now, through the same confined fetcher."""
    with confined(document.url_fetcher, origin), lazy_font_files():
        return document.write_pdf(**options)


@contextlib.contextmanager
def confined(fetcher: ConfinedFetcher, origin: Path) -> Iterator[None]:
    """Run WeasyPrint so that a refused fetch or a logged problem fails the build."""
    def refused(url) -> KjError:
        return KjError(origin, None, f"版面引用了不允许的资源 '{url}'："
                                     "只能使用期刊文件夹、版式文件夹和字体文件夹中的文件")

    with guarded(origin):
        try:
            yield
        except FatalURLFetchingError as exc:
            raise refused(fetcher.refused[-1] if fetcher.refused else exc) from exc
    if fetcher.refused:  # some callers (SVG images) swallow even a fatal fetch error
        raise refused(fetcher.refused[0])


def _no_image(**_kwargs):
    """A footnote area's background is a gradient: no image to fetch (see pin_to_page_bottom)."""
    return None


def pin_to_page_bottom(document: weasyprint.Document) -> None:
    """Move each block marked ``data-page-bottom`` down to the foot of its page's type area.

    The 简报 end block sits on the bottom edge of the last page's type area, however much
    text precedes it. CSS has no way to say so (no :last page selector, and WeasyPrint 70
    drops a footnote-floated end block with block rows in long documents), so the laid-out
    box is moved once pagination is final: moving within its page cannot change the pages.
    The footnotes of that page stay with their text: they move up to where the end block
    began, above it (WeasyPrint sets them at the page foot, which put them under the 版记),
    their 注线 with them.
    """
    for page in document.pages:
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height
        notes = [area for area in page_box.children if isinstance(area, boxes.FootnoteAreaBox) and area.children]
        for box in page_box.descendants():
            element = getattr(box, "element", None)
            if (isinstance(box, boxes.BlockBox) and element is not None
                    and element.get("data-page-bottom") is not None):
                top = box.position_y
                for area in notes:  # the area's top (its rule) where the end block's margin began
                    area.translate(0, top - area.position_y)
                    # Its background (the 注线, style.css) was placed with the area at the page
                    # foot: placed again, or the rule stayed there under a note that moved up.
                    layout_box_backgrounds(page_box, area, _no_image, layout_children=False)
                    top += area.margin_height()
                # The notes took their height at the foot: the end block fits under them.
                gap = bottom - (box.position_y + box.margin_height())
                if gap > 0:
                    box.translate(0, gap)
                break


def _written_in(origin: Path, chars: list[str]) -> tuple[Path, int | None]:
    """The first article file (and line) under the issue folder that holds one of ``chars``,
    else the manifest: the characters come from the layout's own text."""
    from ..inputs.encoding import read_text  # GBK, UTF-16 articles too, as fonts.check_file reads them

    for path in sorted(origin.parent.rglob("*.md")):
        try:
            lines = read_text(path, notice=False).splitlines()
        except (OSError, KjError):
            continue
        for number, text in enumerate(lines, 1):
            if any(char in text for char in chars):
                return path, number
    return origin, None


@contextlib.contextmanager
def guarded(origin: Path) -> Iterator[None]:
    """Run WeasyPrint with its log captured; turn the problems it only logs into errors."""
    with captured_log("weasyprint") as records:
        yield
    _fail_on_logged_problems(records, origin)


def _fail_on_logged_problems(records: list[logging.LogRecord], origin: Path) -> None:
    # A control character (a newline or tab WeasyPrint drew in pre-wrapped text) is no glyph
    # a font lacks: probes P15 D2 failed the build on "'\n'（U+000A）不在任何已配置的字体中".
    missing = dict.fromkeys(char for record in records
                            if (match := _NOTDEF.search(record.getMessage()))
                            and unicodedata.category(char := chr(int(match.group(2), 16))) != "Cc")
    if missing:
        where, line = _written_in(origin, list(missing))
        raise KjError(where, line, tofu_message(*missing) + ("（出现在版式文字中）" if where == origin else ""))
    for record in records:
        message = record.getMessage()
        if "Failed to load" in message or "Error fetching" in message:
            raise KjError(origin, None, f"版面资源无法载入：{message.splitlines()[0]}")
        if "Using fontTools instead of HarfBuzz-Subset" in message:
            raise KjError(None, None, "缺少系统库 libharfbuzz-subset0：字体子集化会慢数十倍。"
                                      "应先运行 make setup（或 apt-get install libharfbuzz-subset0）")
