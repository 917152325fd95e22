"""Stage 6, write: the typeset Document → one PDF per edition, each for the person who gets it.

proof    <issue>.pdf          screen and e-mail: PDF/UA-1 (tagged), trim size, links, bookmarks,
                              page labels
print    <issue>-print.pdf    the print shop: PDF/X-4, FOGRA39 OutputIntent, all colour CMYK,
                              3 mm bleed (TrimBox, BleedBox), no links, no tags; optional crop
                              marks, saddle-stitch padding and a 2-up booklet (<issue>-booklet.pdf)
archive  <issue>-archive.pdf  the archive: PDF/A-3a (tagged), XMP with the bulletin's fields, the
                              issue's sources attached (AFRelationship /Source)

The structure tree (engine/tagging.py) is written with the master; the print edition drops it.

One layout and one WeasyPrint write serve all three. The layout's @page declares the bleed,
which lies outside the page box, so pagination cannot differ: the print edition keeps each
page's bleed, the screen editions end at the trim (their MediaBox is the A4 page and nothing
painted into the bleed shows). Each edition is cut from that one master PDF with pypdf. Only
saddle-stitch padding needs a second layout, because the blank pages change the folio
printed on the end-block page.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pypdf
import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject
from weasyprint.css import ColorProfile

from .. import __version__
from ..engine import deflate, tagging
from ..engine.typeset import write_pdf
from ..errors import KjError, warn, warnings_relay
from ..inputs.articles import Article
from ..typography.textlayer import close_gaps
from .colour import output_condition
from .finish import set_page_labels, to_bytes
from .prepress import (
    BLEED_MM,
    add_crop_marks,
    attach_sources,
    convert_images_to_cmyk,
    default_rgb,
    impose_booklet,
    name_output_intent,
    no_interpolation,
    print_annotations,
    screen_colours,
    set_stream,
)
from .sources import SourceFile
from .xmp import BulletinFields, DocumentInfo, packet

PRODUCER = f"kjtypeset {__version__} (WeasyPrint {weasyprint.__version__}, pypdf {pypdf.__version__})"
CSS_PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class Edition:
    name: str  # as given to --edition
    label: str  # in messages
    suffix: str  # appended to the issue id in the file name
    variant: str | None  # WeasyPrint's pdf_variant


PROOF = Edition("proof", "校样版", "", "pdf/ua-1")
PRINT = Edition("print", "印刷版", "-print", "pdf/x-4")
ARCHIVE = Edition("archive", "存档版", "-archive", "pdf/a-3a")
EDITIONS = {edition.name: edition for edition in (PROOF, PRINT, ARCHIVE)}
BOOKLET_SUFFIX = "-booklet"


@dataclass(frozen=True)
class PrintOptions:
    marks: bool = False  # crop marks in the slug, registration colour
    saddle_stitch: bool = False  # pad to a multiple of 4 pages before the end block
    booklet: bool = False  # also write 2-up printer spreads (implies saddle_stitch)

    @property
    def pads(self) -> bool:
        return self.saddle_stitch or self.booklet


@dataclass(frozen=True)
class EditionPDF:
    suffix: str
    data: bytes
    pages: int


def check_print_images(articles: tuple[Article, ...]) -> None:
    """SVG keeps its RGB vector colours through WeasyPrint; the print edition cannot take it."""
    for article in articles:
        for image in article.images:
            if image.path.suffix.lower() == ".svg":
                raise KjError(article.path, image.line,
                              f"印刷版要求全部颜色为 CMYK，SVG 图片 '{image.src}' 的颜色无法转换："
                              "应改用 PNG 或 JPEG（按印刷尺寸不低于 300 ppi）")


Check = Callable[[bytes, Edition], None]  # raises KjError when a cut is unfit to leave


def write_editions(document: weasyprint.Document, editions: list[Edition], fields: BulletinFields,
                   sources: tuple[SourceFile, ...], options: PrintOptions, origin: Path,
                   check: Check = lambda data, edition: None) -> list[tuple[Edition, EditionPDF]]:
    """Each edition's PDF (and, for print with ``options.booklet``, the imposed booklet).

    WeasyPrint paints the pages once, into a master with everything any edition needs (bleed,
    links, the CMYK profile that makes transparency groups blend in CMYK); each edition is
    then cut from the master with pypdf, dropping what its reader must not get, and checked
    (``check``, the build's preflight). Painting, font subsetting and compression are most of
    the cost of writing, so three editions cost little more than one; the cuts and their
    checks, which are most of the rest, run in parallel when there are cores to spare.
    """
    # Tagged for the readers of the proof (PDF/UA-1) and the archive (PDF/A-3a); the print
    # edition drops the tree (see _derive), so a print-only build does not make one.
    master = _master(document, PRINT in editions, PRINT in editions or ARCHIVE in editions, origin,
                     issue_date=fields.issue_date, tags=PROOF in editions or ARCHIVE in editions)
    # Han–Latin spacing folded into glyph widths: copied text reads "2023年", not "2023 年".
    reader = PdfReader(io.BytesIO(master))
    edited = PdfWriter(clone_from=reader)
    edited.pdf_header = reader.pdf_header
    changed, left_open = close_gaps(edited)
    if left_open:
        warn(origin, None, f"复制出的文字在 {left_open} 处会多出空格（汉字与西文之间的间距未能并入字宽：字体无法调整）")
    source = _Master(master, edited if changed else None, len(editions))

    def cut(edition: Edition) -> list[EditionPDF]:
        pdfs = _derive(source, edition, fields, sources, options)
        for pdf in pdfs:
            check(pdf.data, edition)
        return pdfs

    done = _cut_in_parallel(cut, editions)
    return [(edition, pdf) for edition in editions for pdf in done[edition.name]]


# Set to False where every core is already busy (a worker of `build --all`).
PARALLEL_CUTS = True


def spare_cores() -> int:
    """Cores idle beside this process's own: the ones it may use for parallel cuts.

    The cuts are CPU-bound: on cores busy with other work a worker only slows both sides
    (and each pays for the memory pages it shares with its parent). The 1-minute load
    average counts this build itself as one.
    """
    if not PARALLEL_CUTS:
        return 0
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 1.0
    return max(0, round(available - max(1.0, load)))


def _cut_in_parallel(cut: Callable[[Edition], list[EditionPDF]],
                     editions: list[Edition]) -> dict[str, list[EditionPDF]]:
    """``cut`` for every edition: the costliest ones in forked workers (one per spare core),
    the others here meanwhile (issue 15). Forking shares the master and the imported modules
    with no copying or re-import; a worker only runs pypdf, zlib and the preflight, and ends
    with os._exit. A worker that fails on a bug, or cannot be started, is redone here, so
    what is raised is the same as in a serial build."""
    # The proof is cut in a few hundredths of a second; print and archive carry the preflight.
    costly = [e for e in editions if e is not PROOF][:spare_cores()]
    if not costly or not hasattr(os, "fork"):
        return {edition.name: cut(edition) for edition in editions}
    if len(costly) == len([e for e in editions if e is not PROOF]) and PROOF not in editions:
        costly = costly[1:]  # keep one for this process, which would otherwise only wait
    workers = {}
    for edition in costly:
        with contextlib.suppress(OSError):
            workers[edition.name] = _fork(lambda e=edition: cut(e))
    outcomes: dict[str, tuple[str, object]] = {}
    try:
        for edition in editions:
            if edition.name not in workers:
                try:
                    outcomes[edition.name] = ("ok", cut(edition))
                except KjError as exc:
                    outcomes[edition.name] = ("raise", exc)
    finally:
        outcomes.update({name: _join(worker) for name, worker in workers.items()})
    done: dict[str, list[EditionPDF]] = {}
    for edition in editions:  # in order: the first unfit edition is the one a serial build names
        kind, value = outcomes.get(edition.name, ("lost", None))
        if kind == "ok":
            done[edition.name] = value
        elif kind == "raise":
            raise value
        elif kind == "error":
            raise KjError(*value)
        else:  # a worker that died or met a bug: the same work here, serially
            done[edition.name] = cut(edition)
    return done


def _fork(work: Callable[[], list[EditionPDF]]):
    """Run ``work`` in a forked child; its outcome comes back through a pipe."""
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    relay = warnings_relay()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            receive.close()
            with relay.collecting() as warned:
                try:
                    outcome = ("ok", work())
                except KjError as exc:
                    outcome = ("error", (exc.path, exc.line, exc.message))
            send.send((outcome, [(w.path, w.line, w.message) for w in warned]))
        except BaseException:  # a bug: the parent redoes the work and raises it there
            code = 1
        finally:
            os._exit(code)
    send.close()
    return pid, receive, relay


def _join(worker) -> tuple[str, object]:
    pid, receive, relay = worker
    try:
        outcome, warned = receive.recv()
    except (EOFError, OSError):
        outcome, warned = ("lost", None), []
    finally:
        receive.close()
        os.waitpid(pid, 0)
    for path, line, message in warned:
        relay.warn(path, line, message)
    return outcome


def proof_pages(document: weasyprint.Document, indices: list[int], origin: Path) -> bytes:
    """Some pages (0-based) painted as in the proof, without links, not yet cut to the trim
    (the TrimBox says where): the preview's images of the pages an edit changed (issue 15).
    Painting, subsetting and compressing two pages instead of all is most of what it saves
    after layout. The text layer is finished as in the proof: moving a glyph's gap into its
    width moves its outline by a fraction of a pixel's anti-aliasing."""
    subset = type(document)([document.pages[i] for i in indices], document.metadata,
                            document.url_fetcher, document.font_config, {}, None)
    # Uncompressed: these bytes go straight to the rasteriser, and deflating fonts costs more.
    pdf = _master(subset, False, False, origin, links=False, compress=False)
    # One pypdf parse and write for both passes (the proof makes two, for byte-exact editions).
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    closed, _left_open = close_gaps(writer)
    coloured = screen_colours(writer)  # the proof's sRGB (issue 16)
    if not (closed or coloured):  # the pages as they are
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _master(document: weasyprint.Document, for_print: bool, cmyk: bool, origin: Path,
            links: bool = True, compress: bool = True, issue_date: str | None = None,
            tags: bool = False) -> bytes:
    pages = []
    for page in document.pages:
        if for_print:
            short = [side for side, value in page.bleed.items() if value < BLEED_MM * CSS_PX_PER_MM - 0.01]
            if short:
                raise KjError(origin, None, f"印刷版需要 {BLEED_MM:g} mm 出血，版式的 @page 没有设置："
                                            f"应在版式样式表的 @page 中写 bleed: {BLEED_MM:g}mm")
        page = copy.copy(page)
        # Only links the layout made; never an attachment named by the HTML.
        page.links = [link for link in page.links if link[0] in ("internal", "external") and links]
        pages.append(page)
    metadata = copy.copy(document.metadata)
    metadata.attachments = []  # the archive's attachments come from the manifest alone
    if metadata.created is None and issue_date:  # a layout that names no date: the manifest's
        metadata.created = f"{issue_date}T00:00:00+08:00"
    metadata.modified = metadata.created  # the issue date, not the clock: builds repeat exactly
    profiles = {}
    if cmyk:  # the proof embeds no profile (it reads FOGRA39 only to work out its sRGB, issue 16)
        condition = output_condition()
        profiles["device-cmyk"] = ColorProfile(io.BytesIO(condition.profile), condition.identifier,
                                               "relative-colorimetric", (["c"], ["m"], ["y"], ["k"]))
        deflate.remember(profiles["device-cmyk"].content)  # the same 1 MB in every build
    master = type(document)(pages, metadata, document.url_fetcher, document.font_config, profiles, None)
    if tags:
        tagging.install()
    # No pydyf identifier: it would compress every stream twice; each edition gets a stable /ID.
    with deflate.known_streams():
        return write_pdf(master, origin, pdf_identifier=False, uncompressed_pdf=not compress,
                         pdf_tags=tags)


class _Master:
    """The master as the cuts take it, its text layer in (close_gaps).

    A build of one edition (the proof, `build --edition proof`, the preview) cuts it from the
    pypdf objects the text layer edited, as they are: the text layer's write and the cut's
    parse of the whole file are skipped (issue 15: two of the five passes pypdf made over a
    proof: the text layer's parse and write, the cut's parse and write, the check's parse).
    The cut clones from the catalog, object by object in the
    order their dictionaries hold them, so its bytes are the same either way (compared with
    the written way on every edition of the sample and the stress issues). A build of several
    editions cuts each from the written bytes: a cut changes what it clones from (the proof
    drops the output intent, the print edition the structure tree)."""

    def __init__(self, pdf: bytes, edited: PdfWriter | None, cuts: int):
        if edited is not None and cuts > 1:
            pdf, edited = to_bytes(edited), None
        self._pdf, self._edited = (None if edited is not None else pdf), edited

    def reader(self):
        """What the cut reads: a PdfReader of the bytes, or (once) the edited objects."""
        if self._edited is not None:
            edited, self._edited = self._edited, None
            return _Edited(edited)
        if self._pdf is None:
            raise RuntimeError("the edited master was cut once already")
        return PdfReader(io.BytesIO(self._pdf))

    @staticmethod
    def clone(reader) -> PdfWriter:
        """A writer holding what hangs from ``reader``'s catalog (PdfWriter(clone_from=…)
        takes a PdfReader only; its clone_document_from_reader reads what _Edited has)."""
        if isinstance(reader, PdfReader):
            return PdfWriter(clone_from=reader)
        writer = PdfWriter()
        writer.clone_document_from_reader(reader)
        writer._cloned = True
        return writer


class _Edited:
    """A PdfWriter seen as the PdfReader _derive and pypdf's clone_document_from_reader read:
    the catalog (``trailer["/Root"]``, ``root_object``), the pages, the info dictionary."""

    def __init__(self, writer: PdfWriter):
        self.root_object = writer._root_object
        self.trailer = {"/Root": writer._root_object, "/Size": len(writer._objects) + 1}
        self._info = writer._info
        self.pages = writer.pages


def _derive(master: _Master, edition: Edition, fields: BulletinFields, sources: tuple[SourceFile, ...],
            options: PrintOptions) -> list[EditionPDF]:
    fields = replace(fields, edition=edition.name)
    reader = master.reader()
    # Cut before cloning: what no longer hangs from the catalog is not copied at all.
    catalog = reader.trailer["/Root"]
    if edition is PROOF:
        catalog.pop("/OutputIntents", None)
        for resources in {id(r): r for r in (p["/Resources"].get_object() for p in reader.pages)}.values():
            if "/ColorSpace" in resources:
                resources["/ColorSpace"].get_object().pop("/device-cmyk", None)
    if edition is PRINT:
        # No tags for the press: its RIP reads none, PDF/X-4 neither asks for nor forbids them,
        # and the links the tree points to are gone. The marked content stays in the pages,
        # inert without a tree; the tree itself is not even copied.
        for key in ("/StructTreeRoot", "/MarkInfo", "/ViewerPreferences"):
            catalog.pop(key, None)
        for page in reader.pages:
            # PDF/X allows no annotations inside the BleedBox (ISO 15930-7 §6.7.1): no links.
            # (reader.pages hands out copies; the page object itself is what cloning reads.)
            for key in ("/Annots", "/StructParents", "/Tabs"):
                page.indirect_reference.get_object().pop(key, None)
    writer = master.clone(reader)
    writer.pdf_header = {PROOF: "%PDF-1.7", PRINT: "%PDF-1.6", ARCHIVE: "%PDF-1.7"}[edition]
    set_page_labels(writer)

    if edition is PRINT:
        for page in writer.pages:
            page.bleedbox = page.mediabox  # the whole CSS bleed; WeasyPrint caps it at 10 pt
        convert_images_to_cmyk(writer)
        name_output_intent(writer, output_condition(), "/GTS_PDFX")
        if options.marks:
            add_crop_marks(writer)
    else:
        for page in writer.pages:  # screen and archive end at the trim
            page.mediabox = page.bleedbox = page.trimbox
    if edition is PROOF:
        screen_colours(writer)  # the same colours in every viewer (issue 16)
    if edition is ARCHIVE:
        no_interpolation(writer)
        default_rgb(writer)
        name_output_intent(writer, output_condition(), "/GTS_PDFA1")
        print_annotations(writer)
        attach_sources(writer, sources)
    identify(writer, edition, fields)
    out = [EditionPDF(edition.suffix, close_writer(writer, fields), len(writer.pages))]

    if edition is PRINT and options.booklet:
        booklet = replace(fields, edition="print-booklet")
        sheets, labels = impose_booklet(out[0].data, options.marks)
        set_page_labels(sheets, labels)
        identify(sheets, edition, booklet, source=writer)
        out.append(EditionPDF(BOOKLET_SUFFIX, close_writer(sheets, booklet), len(sheets.pages)))
    return out


def close_writer(writer: PdfWriter, fields: BulletinFields) -> bytes:
    """The file's bytes, with an /ID that depends only on the issue and the edition."""
    digest = hashlib.md5(f"{fields.issue_id}:{fields.bulletin}:{fields.edition}".encode()).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])  # no public setter
    return to_bytes(writer)


def identify(writer: PdfWriter, edition: Edition, fields: BulletinFields,
             source: PdfWriter | None = None) -> None:
    """Info dictionary and XMP packet from one set of values, with the PDF/X or PDF/A marker."""
    old = (source or writer).metadata or {}

    def get(key: str) -> str:
        return str(old.get(key, ""))

    created = _iso_date(get("/CreationDate"))
    info = DocumentInfo(title=get("/Title"), author=get("/Author"), subject=get("/Subject"),
                        keywords=get("/Keywords"), creator=get("/Creator") or "kjtypeset",
                        producer=PRODUCER, created=created, modified=created)
    entries = {"/Title": info.title, "/Author": info.author, "/Subject": info.subject,
               "/Keywords": info.keywords, "/Creator": info.creator, "/Producer": info.producer,
               "/CreationDate": get("/CreationDate"), "/ModDate": get("/CreationDate")}
    writer.metadata = entries  # replaces the whole dictionary: nothing stale stays behind
    if edition is PRINT:
        writer._info[NameObject("/Trapped")] = NameObject("/False")  # a name; add_metadata makes strings
    data = packet(info, fields,
                  pdfa=(3, "A") if edition is ARCHIVE else None,  # tagged: level A (issue 16)
                  pdfx="PDF/X-4" if edition is PRINT else None,
                  pdfua=1 if edition is PROOF else None,
                  trapped=False if edition is PRINT else None)
    root = writer.root_object
    if "/Metadata" in root:
        # Rewrite WeasyPrint's packet in place: a replaced one would linger as an orphan object.
        stream = root["/Metadata"].get_object()
        set_stream(stream, data)  # uncompressed, as PDF/A and PDF/X readers expect
    else:
        from .prepress import _new_stream
        root[NameObject("/Metadata")] = _new_stream(
            writer, data, {"/Type": NameObject("/Metadata"), "/Subtype": NameObject("/XML")},
            compress=False)


def _iso_date(pdf_date: str) -> str:
    """D:20240228000000+08'00 → 2024-02-28T00:00:00+08:00 (the form WeasyPrint writes)."""
    d = pdf_date.removeprefix("D:")
    if len(d) < 14:
        raise KjError(None, None, f"PDF 日期格式无法识别：{pdf_date}")
    stamp = f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}"
    zone = d[14:].replace("'", "")
    if zone in ("", "Z"):
        return stamp + "Z"
    return f"{stamp}{zone[:3]}:{zone[3:5] or '00'}"

