"""Work on the written PDF (pypdf) for the print shop, and the few PDF/A fixes the archive needs.

Print shop:
- raster images converted to the press's CMYK (WeasyPrint embeds them as DeviceRGB);
- the OutputIntent named after its registered printing condition (FOGRA39);
- crop marks, in the registration colour, outside the bleed;
- saddle stitching: how many blank pages make the page count a multiple of 4;
- booklet imposition: 2-up A3 sheets in printer spreads.
Archive: RGB made device-independent, annotations printable, no image interpolation, and
the issue's sources embedded as associated files.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import zlib
from importlib.resources import files
from pathlib import Path

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)
from weasyprint.formatting_structure import boxes

from ..errors import KjError
from .colour import OutputCondition, cmyk_jpeg, cmyk_to_screen, to_cmyk
from .preflight import page_resources

MM = 72 / 25.4
BLEED_MM = 3.0
MARK_OFFSET_MM = 5.0  # from the trim edge: 2 mm clear of the bleed
MARK_LENGTH_MM = 6.0
SLUG_MM = 12.0  # media beyond the trim when marks are drawn
MARK_WIDTH_PT = 0.25


# ---- stream helpers ---------------------------------------------------------------------

def set_stream(stream: StreamObject, encoded: bytes, filter_name: str | None = None) -> None:
    """Replace a stream's bytes, already encoded with ``filter_name`` (or not at all)."""
    for key in ("/Filter", "/DecodeParms", "/DL"):
        stream.pop(NameObject(key), None)
    if filter_name:
        stream[NameObject("/Filter")] = NameObject(filter_name)
    stream._data = encoded  # pypdf writes _data as the stream's (encoded) bytes
    if isinstance(stream, EncodedStreamObject):
        stream.decoded_self = None


def _new_stream(writer: PdfWriter, data: bytes, entries: dict | None = None, compress: bool = True):
    stream = DecodedStreamObject()
    for key, value in (entries or {}).items():
        stream[NameObject(key)] = value
    set_stream(stream, zlib.compress(data) if compress else data, "/FlateDecode" if compress else None)
    return writer._add_object(stream)


def images(writer: PdfWriter):
    """Each image XObject once, with its soft mask left alone (a mask is DeviceGray)."""
    seen: set[int] = set()
    for resources in page_resources(writer):
        for xobject in (resources.get("/XObject") or {}).values():
            image = xobject.get_object()
            if image.get("/Subtype") == "/Image" and id(image) not in seen:
                seen.add(id(image))
                yield image


# ---- colour -----------------------------------------------------------------------------

def convert_images_to_cmyk(writer: PdfWriter) -> int:
    """Convert every DeviceRGB image to CMYK in place; returns how many were converted."""
    converted = 0
    for image in images(writer):
        image[NameObject("/Interpolate")] = _false()
        space = image.get("/ColorSpace")
        if space in ("/DeviceCMYK", "/DeviceGray"):
            continue
        if space != "/DeviceRGB" or image.get("/BitsPerComponent") != 8:
            raise KjError(None, None, f"印刷版中有无法转换为 CMYK 的图片（颜色空间 {space}）："
                                      "应改用 8 位 RGB 或灰度的 PNG/JPEG 图片")
        size = (int(image["/Width"]), int(image["/Height"]))
        if image.get("/Filter") == "/DCTDecode":
            # A photograph stays a JPEG: decoding and re-encoding once at high quality.
            pixels = Image.open(io.BytesIO(image._data))
            set_stream(image, cmyk_jpeg(to_cmyk(pixels)), "/DCTDecode")
            image[NameObject("/Decode")] = ArrayObject([NumberObject(v) for v in (1, 0) * 4])
        else:
            pixels = Image.frombytes("RGB", size, image.get_data())
            set_stream(image, zlib.compress(to_cmyk(pixels).tobytes()), "/FlateDecode")
        image[NameObject("/ColorSpace")] = NameObject("/DeviceCMYK")
        converted += 1
    return converted


def screen_colours(writer: PdfWriter) -> int:
    """The proof's CMYK colours (the layout's device-cmyk()) set as the sRGB they print as
    (pdf/colour.py): a viewer guesses its own conversion for DeviceCMYK without an output
    intent, and three viewers showed three reds (issue 16). Returns how many streams changed."""
    streams = []
    for page in writer.pages:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams += [c.get_object() for c in contents] if isinstance(contents, ArrayObject) else [contents]
    for resources in page_resources(writer):
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get_object().get("/Subtype") == "/Form":
                streams.append(xobject.get_object())
        streams += [p.get_object() for p in (resources.get("/Pattern") or {}).values()
                    if isinstance(p.get_object(), StreamObject)]
    changed = 0
    for stream in {id(s): s for s in streams if isinstance(s, StreamObject)}.values():
        converted = cmyk_to_screen(stream.get_data())
        if converted is not None:
            set_stream(stream, zlib.compress(converted), "/FlateDecode")
            changed += 1
    return changed


def no_interpolation(writer: PdfWriter) -> None:
    """PDF/A forbids /Interpolate true (ISO 19005-3 §6.2.8); WeasyPrint sets it for smooth
    scaling on screen."""
    for image in images(writer):
        if "/Interpolate" in image:
            image[NameObject("/Interpolate")] = _false()


def _false():
    return BooleanObject(False)


def name_output_intent(writer: PdfWriter, condition: OutputCondition, subtype: str) -> None:
    """Make the master's OutputIntent this edition's (/GTS_PDFX or /GTS_PDFA1), named after the
    registered printing condition (WeasyPrint uses the profile's name)."""
    intents = writer.root_object.get("/OutputIntents", [])
    if not intents:
        raise KjError(None, None, "内部错误：母版 PDF 没有输出意图（请报告）")
    for intent in intents:
        intent = intent.get_object()
        intent[NameObject("/S")] = NameObject(subtype)
        intent[NameObject("/OutputConditionIdentifier")] = TextStringObject(condition.identifier)
        intent[NameObject("/OutputCondition")] = TextStringObject(condition.condition)
        intent[NameObject("/RegistryName")] = TextStringObject(condition.registry)
        intent[NameObject("/Info")] = TextStringObject(condition.info)


def default_rgb(writer: PdfWriter) -> None:
    """Map DeviceRGB (images in the archive) to sRGB, so that RGB stays device-independent
    next to a CMYK OutputIntent (ISO 19005-3 §6.2.4.3). WeasyPrint's own sRGB profile."""
    profile = None
    for resources in page_resources(writer):
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            spaces = resources[NameObject("/ColorSpace")] = DictionaryObject()
        spaces = spaces.get_object()
        if "/DefaultRGB" not in spaces:
            if profile is None:
                data = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
                profile = _new_stream(writer, data, {"/N": NumberObject(3)})
            spaces[NameObject("/DefaultRGB")] = ArrayObject([NameObject("/ICCBased"), profile])


def print_annotations(writer: PdfWriter) -> None:
    """PDF/A: every annotation printable, none hidden (ISO 19005-3 §6.3.2)."""
    for page in writer.pages:
        for annot in page.get("/Annots", []):
            annot.get_object()[NameObject("/F")] = NumberObject(4)


def attach_sources(writer: PdfWriter, sources) -> None:
    """Embed the issue's source files as associated files (PDF/A-3 §6.8): each with its MIME
    type, size, checksum and dates, /AFRelationship /Source, listed in the catalog's /AF."""
    specs = []
    for source in sorted(sources, key=lambda f: f.name):
        date = TextStringObject(source.modified.strftime("D:%Y%m%d%H%M%SZ"))
        mime = mimetypes.guess_type(source.name)[0] or _MIME.get(Path(source.name).suffix.lower(),
                                                                 "application/octet-stream")
        stream = _new_stream(writer, source.data, {
            "/Type": NameObject("/EmbeddedFile"),
            "/Subtype": NameObject("/" + mime),
            "/Params": DictionaryObject({
                NameObject("/Size"): NumberObject(len(source.data)),
                NameObject("/CheckSum"): ByteStringObject(hashlib.md5(source.data).digest()),
                NameObject("/CreationDate"): date,
                NameObject("/ModDate"): date,
            }),
        })
        spec = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject(source.name),
            NameObject("/UF"): TextStringObject(source.name),
            NameObject("/Desc"): TextStringObject(source.description),
            NameObject("/AFRelationship"): NameObject("/Source"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): stream, NameObject("/UF"): stream}),
        }))
        specs.append((source.name, spec))
    if not specs:
        return
    root = writer.root_object
    names = root.get("/Names")
    if names is None:
        names = root[NameObject("/Names")] = DictionaryObject()
    names = names.get_object()
    tree = ArrayObject()
    for name, spec in specs:  # a name tree's keys in sorted order
        tree += [TextStringObject(name), spec]
    names[NameObject("/EmbeddedFiles")] = writer._add_object(DictionaryObject({NameObject("/Names"): tree}))
    root[NameObject("/AF")] = ArrayObject(spec for _name, spec in specs)


_MIME = {".md": "text/markdown", ".yaml": "application/yaml", ".yml": "application/yaml",
         ".webp": "image/webp"}


# ---- crop marks -------------------------------------------------------------------------

def _registration(writer: PdfWriter):
    """The registration colour: Separation /All, which prints on every plate."""
    tint = DictionaryObject({
        NameObject("/FunctionType"): NumberObject(2),
        NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
        NameObject("/C0"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/C1"): ArrayObject([NumberObject(1)] * 4),
        NameObject("/N"): NumberObject(1),
    })
    return writer._add_object(ArrayObject([NameObject("/Separation"), NameObject("/All"),
                                           NameObject("/DeviceCMYK"), tint]))


def crop_mark_ops(trim: tuple[float, float, float, float], fold_x: float | None = None) -> bytes:
    """Corner marks at the trim lines, starting MARK_OFFSET_MM outside the trim."""
    left, bottom, right, top = trim
    off, length = MARK_OFFSET_MM * MM, MARK_LENGTH_MM * MM
    lines = []
    for x, dx in ((left, -1), (right, 1)):
        for y, dy in ((bottom, -1), (top, 1)):
            lines.append((x + dx * off, y, x + dx * (off + length), y))  # horizontal, on the trim line y
            lines.append((x, y + dy * off, x, y + dy * (off + length)))  # vertical, on the trim line x
    if fold_x is not None:  # the spine of a booklet sheet
        lines.append((fold_x, top + off, fold_x, top + off + length))
        lines.append((fold_x, bottom - off, fold_x, bottom - off - length))
    ops = [f"q /KjRegistration CS 1 SCN {MARK_WIDTH_PT} w 0 J [] 0 d"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in lines]
    ops.append("Q")
    return "\n".join(ops).encode()


def add_crop_marks(writer: PdfWriter, fold: bool = False) -> None:
    """Widen each page's media to the slug and draw crop marks there, outside the BleedBox."""
    registration = _registration(writer)
    opening = _new_stream(writer, b"q\n", compress=False)
    for page in writer.pages:
        resources = page["/Resources"].get_object()
        if "/ColorSpace" not in resources:
            resources[NameObject("/ColorSpace")] = DictionaryObject()
        resources["/ColorSpace"].get_object()[NameObject("/KjRegistration")] = registration
        trim = tuple(float(v) for v in page.trimbox)
        slug = SLUG_MM * MM
        page.mediabox = RectangleObject([trim[0] - slug, trim[1] - slug, trim[2] + slug, trim[3] + slug])
        fold_x = (trim[0] + trim[2]) / 2 if fold else None
        marks = _new_stream(writer, b"\nQ\n" + crop_mark_ops(trim, fold_x))
        # The page's own content may leave the graphics state changed: wrap it in q … Q.
        contents = page.raw_get("/Contents")  # the reference: a stream inside an array must be indirect
        resolved = contents.get_object()
        contents = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([opening, *contents, marks])


# ---- saddle stitching -------------------------------------------------------------------

def text_pages(document) -> int:
    """How many pages the articles take: the last page that prints anything besides the end
    block (the 报尾). After it may come a blank page and the end block's own page."""
    def content(box) -> bool:
        element = getattr(box, "element", None)
        if element is not None and element.get("data-page-bottom") is not None:
            return False
        if isinstance(box, boxes.TextBox) and box.text.strip("\u200b\u2060 \n\t\u3000"):
            return True
        if isinstance(box, boxes.ReplacedBox):
            return True
        return any(content(child) for child in getattr(box, "children", ()))

    for number in range(len(document.pages), 0, -1):
        page_box = document.pages[number - 1]._page_box
        if any(content(child) for child in page_box.children if not isinstance(child, boxes.MarginBox)):
            return number
    return 0


def blank_pages_needed(document) -> int | None:
    """How many blank pages before the end block make a multiple of 4 pages, with the end
    block on a page of its own; None when the page count already is a multiple of 4."""
    pages = len(document.pages)
    if pages % 4 == 0:
        return None
    return -(text_pages(document) + 1) % 4


# ---- booklet imposition -----------------------------------------------------------------

def printer_spreads(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, 1-based, for each side of each folded sheet, in print order.

    For 8 pages: (8, 1), (2, 7), (6, 3), (4, 5): the outer sheet's front and back, then the
    inner sheet's. Nested and folded, the sheets read 1 to 8.
    """
    if pages % 4:
        raise ValueError("a saddle-stitched booklet needs a multiple of 4 pages")
    spreads = []
    for sheet in range(pages // 4):
        low = 2 * sheet + 1
        high = pages - 2 * sheet
        spreads.append((high, low))
        spreads.append((low + 1, high - 1))
    return spreads


def impose_booklet(pdf: bytes, marks: bool) -> tuple[PdfWriter, list[str]]:
    """2-up sheets of twice the page width, each page clipped at the spine, bleed kept on the
    three outer edges. Returns the sheets (still to be labelled and identified) and a label
    per sheet side naming its two pages."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    writer.pdf_header = reader.pdf_header
    count = len(reader.pages)
    first = reader.pages[0]
    trim = [float(v) for v in first.trimbox]
    width, height = trim[2] - trim[0], trim[3] - trim[1]
    bleed = BLEED_MM * MM

    forms = []
    for index, page in enumerate(reader.pages):
        right_hand = index % 2 == 0  # page 1, 3, … sit right of the spine
        if right_hand:
            bbox = [trim[0], trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
        else:
            bbox = [trim[0] - bleed, trim[1] - bleed, trim[2], trim[3] + bleed]
        form = DecodedStreamObject()
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(v) for v in bbox]),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        })
        set_stream(form, zlib.compress(page.get_contents().get_data()), "/FlateDecode")
        forms.append(writer._add_object(form))

    labels = []
    for left, right in printer_spreads(count):
        sheet = writer.add_blank_page(2 * width, height)
        sheet[NameObject("/Resources")] = DictionaryObject({
            NameObject("/XObject"): DictionaryObject({
                NameObject("/L"): forms[left - 1], NameObject("/R"): forms[right - 1]}),
        })
        ops = (f"q 1 0 0 1 {-trim[0]:.4f} {-trim[1]:.4f} cm /L Do Q\n"
               f"q 1 0 0 1 {width - trim[0]:.4f} {-trim[1]:.4f} cm /R Do Q\n").encode()
        sheet[NameObject("/Contents")] = _new_stream(writer, ops)
        sheet_trim = [0, 0, 2 * width, height]
        sheet[NameObject("/TrimBox")] = RectangleObject(sheet_trim)
        sheet[NameObject("/BleedBox")] = RectangleObject(
            [-bleed, -bleed, 2 * width + bleed, height + bleed])
        sheet.mediabox = RectangleObject([-bleed, -bleed, 2 * width + bleed, height + bleed])
        labels.append(f"{left}-{right}")

    for key in ("/OutputIntents", "/Lang"):
        if key in reader.trailer["/Root"]:
            writer.root_object[NameObject(key)] = reader.trailer["/Root"][key].clone(writer)
    if marks:
        add_crop_marks(writer, fold=True)
    return writer, labels
