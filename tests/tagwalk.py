"""Read a tagged PDF back without kjtypeset (issue 16 item 2): its marked content with pypdf's
content-stream parser, its structure tree with pypdf's objects, the text of each marked-content
sequence with PDFium (Chrome's PDF library, which honours ActualText)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject

TEXT_OPERATORS = {b"TJ", b"Tj", b"'", b'"'}


@dataclass
class PageMarks:
    """What one page's content stream says about its marked content."""

    mcids: list[int] = field(default_factory=list)  # in stream order
    unbalanced: list[str] = field(default_factory=list)  # problems with BDC/BMC … EMC
    text_outside: int = 0  # text-showing operators outside any tag or artifact
    text_in_artifacts: int = 0
    actual_text: int = 0  # /Span <</ActualText …>> sequences
    actual_text_outside: int = 0  # … of which not inside an MCID-tagged sequence
    mcid_in_artifact: int = 0  # tagged content inside an artifact
    artifacts: list[dict] = field(default_factory=list)  # the property lists of artifacts


def page_marks(reader: PdfReader) -> list[PageMarks]:
    out = []
    for page in reader.pages:
        marks = PageMarks()
        stack: list[tuple[str, dict]] = []  # (tag, properties)
        resources = page["/Resources"].get_object()
        content = ContentStream(page.get_contents(), reader)
        for operands, operator in content.operations:
            if operator in (b"BDC", b"BMC"):
                tag = str(operands[0])
                properties = operands[1] if operator == b"BDC" else {}
                if isinstance(properties, NameObject):  # a named property list
                    properties = resources["/Properties"][properties].get_object()
                properties = dict(properties)
                if "/MCID" in properties:
                    marks.mcids.append(int(properties["/MCID"]))
                    if any(t == "/Artifact" for t, _p in stack):
                        marks.mcid_in_artifact += 1
                if "/ActualText" in properties:
                    marks.actual_text += 1
                    if not any("/MCID" in p for _t, p in stack):
                        marks.actual_text_outside += 1
                if tag == "/Artifact":
                    marks.artifacts.append(properties)
                stack.append((tag, properties))
            elif operator == b"EMC":
                if not stack:
                    marks.unbalanced.append("EMC without BDC/BMC")
                else:
                    stack.pop()
            elif operator in TEXT_OPERATORS:
                if not stack:
                    marks.text_outside += 1
                elif any(t == "/Artifact" for t, _p in stack):
                    marks.text_in_artifacts += 1
                elif not any("/MCID" in p for _t, p in stack):
                    marks.text_outside += 1  # inside marked content that is neither
        if stack:
            marks.unbalanced.append(f"{len(stack)} sequence(s) left open: {[t for t, _p in stack]}")
        out.append(marks)
    return out


@dataclass
class Element:
    type: str
    dictionary: DictionaryObject
    kids: list  # Element, or (page index, MCID), or ("OBJR", annotation)
    parent: Element | None = None

    def walk(self):
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()

    def content(self):
        """(page, MCID) of this element and its descendants, in reading order."""
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.content()
            elif kid[0] != "OBJR":
                yield kid


def structure(reader: PdfReader) -> Element:
    """The structure tree, each MCID with the page it is on (the element's /Pg or an MCR's)."""
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()

    def element(ref, parent) -> Element:
        node = ref.get_object()
        page = pages[node.raw_get("/Pg").idnum] if "/Pg" in node else None
        out = Element(str(node["/S"]).lstrip("/"), node, [], parent)
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, ArrayObject) else [kids]
        for kid in kids:
            if isinstance(kid, int):
                out.kids.append((page, int(kid)))
                continue
            value = kid.get_object()
            if value.get("/Type") == "/MCR":
                kid_page = pages[value.raw_get("/Pg").idnum] if "/Pg" in value else page
                out.kids.append((kid_page, int(value["/MCID"])))
            elif value.get("/Type") == "/OBJR":
                out.kids.append(("OBJR", value["/Obj"].get_object()))
            else:
                out.kids.append(element(kid, out))
        return out

    kids = root["/K"]
    kids = kids if isinstance(kids, ArrayObject) else [kids]
    top = Element("StructTreeRoot", root, [])
    top.kids = [element(kid, top) for kid in kids]
    return top


def parent_tree(reader: PdfReader) -> dict:
    """ParentTree: page index → [element dictionary id per MCID]; annotation key → id."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    nums = root["/ParentTree"].get_object()["/Nums"]
    out = {}
    for i in range(0, len(nums), 2):
        value = nums[i + 1].get_object()
        if isinstance(value, ArrayObject):
            out[int(nums[i])] = [id(v.get_object()) if v is not None and not isinstance(v, type(None))
                                 and hasattr(v, "get_object") else None for v in value]
        else:
            out[int(nums[i])] = id(value)
    return out


def mcid_texts(path) -> dict[tuple[int, int], str]:
    """(page, MCID) → the text PDFium reads from the text objects marked with it."""
    document = pdfium.PdfDocument(str(path))
    out: dict[tuple[int, int], str] = {}
    try:
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            for k in range(raw.FPDFPage_CountObjects(page.raw)):
                obj = raw.FPDFPage_GetObject(page.raw, k)
                if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_TEXT:
                    continue
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj)
                size = raw.FPDFTextObj_GetText(obj, textpage.raw, None, 0)
                buffer = ctypes.create_string_buffer(size)
                raw.FPDFTextObj_GetText(obj, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
                text = buffer.raw[:max(0, size - 2)].decode("utf-16-le")
                out[(index, mcid)] = out.get((index, mcid), "") + text
            textpage.close()
            page.close()
    finally:
        document.close()
    return out
