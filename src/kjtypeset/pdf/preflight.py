"""Preflight: read any PDF back and say whether it is fit for the person who receives it.

`kjtypeset check PDF` reports pages and boxes, identification (PDF/X, PDF/A), OutputIntents,
fonts, the colour spaces the content really uses, images and their resolution at print size,
attachments, page labels against the printed folios, and the contents page against the pages
the bookmarks lead to. The rules tighten with what the file claims to be: a PDF/X file (or a
file named *-print.pdf) must hold CMYK only; a PDF/A file must keep its colour device-
independent and its attachments described.

No validator (veraPDF) is available here: what is checked is structural, and the report says
plainly what is not checked (NOT_CHECKED). The build runs the same checks, without the text
layer, on every edition it writes.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject, StreamObject

from ..errors import KjError, captured_log
from .colour import TAC_LIMIT  # FOGRA39 on coated paper, the print edition's profile

MM = 72 / 25.4
MIN_BLEED_MM = 3.0
MIN_PPI = 300
FOLIO = re.compile(r"—\s*(\d+)\s*—\s*$")
SPACE = re.compile(r"[\s\u3000]+")
RGB_SPACES = ("DeviceRGB", "CalRGB", "ICCBased(RGB)")

NOT_CHECKED = (
    "完整的 PDF/X-4（ISO 15930-7）、PDF/A-3（ISO 19005-3）与 PDF/UA-1（ISO 14289-1）合规验证：本机没有 veraPDF 等验证器，只检查了本报告列出的结构性要求",
    "标签的语义：替代文字、阅读顺序、标题级别是否贴切，要由人用读屏软件核对",
    "ICC 特性文件本身是否有效、颜色换算是否准确",
    "矢量图形与文字的总墨量（图片的总墨量和四色黑已检查）、叠印、陷印、细线宽度、文字离裁切线的安全距离",
    "字体的嵌入许可与字形完整性（只检查每种字体已嵌入、已子集化、带 ToUnicode）",
    "XMP 元数据是否完全符合其模式（只检查标识与标题、作者等是否与文档信息一致）",
)


@dataclass(frozen=True)
class Finding:
    level: str  # "ok" | "info" | "warn" | "fail"
    section: str
    message: str


@dataclass(frozen=True)
class Report:
    name: str
    kind: str  # "print" | "archive" | "proof"
    findings: tuple[Finding, ...]
    facts: dict  # every figure, for --json

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "fail"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warn"]

    def as_json(self) -> dict:
        return {"file": self.name, "kind": self.kind, "passed": not self.failures,
                "failures": len(self.failures), "warnings": len(self.warnings),
                "findings": [asdict(f) for f in self.findings], "facts": self.facts,
                "not_checked": list(NOT_CHECKED)}


@dataclass
class _Checks:
    """The report while the checks write it."""

    kind: str
    findings: list[Finding] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def add(self, level: str, section: str, message: str) -> None:
        self.findings.append(Finding(level, section, message))


KIND_LABEL = {"print": "印刷版（PDF/X）", "archive": "存档版（PDF/A）", "proof": "校样版（普通 PDF）"}


# What `kjtypeset check` reads, named when it is handed something else (P13: "check issue.yaml"
# answered with pypdf's English "Stream has ended unexpectedly").
_CHECKS_PDFS = "kjtypeset check 检查排好的 PDF（如 output/2024-02/2024-02-print.pdf）"
_BUILD_CHECKS = "；要检查清单和文章，请用 kjtypeset build 排版，排版时会逐项检查"
_SOURCES = (".yaml", ".yml", ".md", ".markdown")  # an issue's manifest and articles


def preflight_file(path: Path, text: bool = True, name: str | None = None) -> Report:
    path = Path(path)
    if path.is_dir():
        raise KjError(path, None, f"这是文件夹，不是 PDF 文件：{_CHECKS_PDFS}{_BUILD_CHECKS}")
    if not path.is_file():
        raise KjError(path, None, "找不到要检查的 PDF 文件")
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:  # (a PDF's header, anywhere in its first 1024 bytes)
        raise KjError(path, None, f"不是 PDF 文件：{_CHECKS_PDFS}"
                                  f"{_BUILD_CHECKS if path.suffix.lower() in _SOURCES else ''}")
    return preflight(data, name=name or str(path), text=text)


def preflight(data: bytes, name: str = "PDF", text: bool = True, kind: str | None = None,
              tags_only: bool = False) -> Report:
    """Check a PDF. ``text=False`` skips the text layer (folios, contents): the build's mode.
    ``kind`` (print, archive, proof) sets the rules; by default the file's own identification
    decides, or its name (*-print.pdf, *-archive.pdf) where that claims more. ``tags_only``:
    identification and tagging alone (the build's check of the proof, which claims PDF/UA-1)."""
    with captured_log("pypdf") as records:  # what pypdf repairs while reading
        checks = _preflight(data, name, text, kind, tags_only)
    for message in dict.fromkeys(record.getMessage() for record in records):
        checks.add("warn", "文件结构", f"读取时发现结构问题：{message}")
    return Report(name, checks.kind, tuple(checks.findings), checks.facts)


def _preflight(data: bytes, name: str, text: bool, kind: str | None, tags_only: bool = False) -> _Checks:
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = reader.pages
        catalog = reader.trailer["/Root"]
        len(pages)
    except Exception as exc:  # pypdf raises many kinds of error for a damaged file
        raise KjError(name, None, f"无法读取 PDF：{exc}") from exc
    if reader.is_encrypted:
        report = _Checks("proof")
        report.add("fail", "文件", "文件已加密：印刷版和存档版都不允许加密")
        return report

    xmp = _xmp_text(catalog)
    ident = _identification(reader, xmp)
    if kind is None:
        kind = "print" if ident["pdfx"] else "archive" if ident["pdfa"] else "proof"
        if name.endswith(("-print.pdf", "-booklet.pdf")):
            kind = "print"
        elif name.endswith("-archive.pdf"):
            kind = "archive"
    report = _Checks(kind)
    report.facts["identification"] = ident
    try:
        if tags_only:
            _check_tagging(report, reader, catalog, xmp, ident)
        else:
            _run_checks(report, reader, catalog, xmp, ident, text)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise KjError(name, None, f"PDF 结构异常，无法完成检查：{type(exc).__name__}: {exc}") from exc
    return report


def _run_checks(report: _Checks, reader: PdfReader, catalog, xmp: str, ident: dict, text: bool) -> None:
    _check_identification(report, reader, ident)
    _check_pages(report, reader)
    intents = _check_output_intents(report, catalog)
    _check_fonts(report, reader)
    scan = _Scan(reader)
    _check_colour(report, scan, intents)
    _check_images(report, scan)
    _check_annotations(report, reader)
    _check_attachments(report, catalog)
    _check_metadata(report, reader, xmp)
    _check_labels(report, reader, text)
    _check_tagging(report, reader, catalog, xmp, ident)


# ---- identification ---------------------------------------------------------------------

def _xmp_text(catalog) -> str:
    meta = catalog.get("/Metadata")
    if meta is None:
        return ""
    try:
        return meta.get_object().get_data().decode("utf-8", "replace")
    except Exception:  # a broken metadata stream is reported as missing
        return ""


def _xmp_value(xmp: str, prefix: str, name: str) -> str | None:
    match = (re.search(rf"<{prefix}:{name}>\s*([^<]*?)\s*</{prefix}:{name}>", xmp)
             or re.search(rf'{prefix}:{name}="([^"]*)"', xmp))
    return match.group(1) if match else None


def _identification(reader: PdfReader, xmp: str) -> dict:
    info = reader.metadata or {}
    part = _xmp_value(xmp, "pdfaid", "part")
    conformance = _xmp_value(xmp, "pdfaid", "conformance")
    pdfx = _xmp_value(xmp, "pdfxid", "GTS_PDFXVersion") or (
        str(info["/GTS_PDFXVersion"]) if "/GTS_PDFXVersion" in info else None)
    return {
        "pdf_version": reader.pdf_header.removeprefix("%PDF-"),
        "pdfx": pdfx,
        "pdfa": f"PDF/A-{part}{(conformance or '').lower()}" if part else None,
        "pdfua": f"PDF/UA-{ua}" if (ua := _xmp_value(xmp, "pdfuaid", "part")) else None,
        "xmp": bool(xmp),
    }


def _check_identification(report: _Checks, reader: PdfReader, ident: dict) -> None:
    section = "标识"
    version = ident["pdf_version"]
    marks = [m for m in (ident["pdfx"], ident["pdfa"], ident.get("pdfua")) if m]
    report.add("info", section, f"PDF {version}" + (f"；{'、'.join(marks)}" if marks else "；无 PDF/X、PDF/A、PDF/UA 标识"))
    if "/ID" not in reader.trailer and report.kind != "proof":
        report.add("fail", section, "文件尾没有 /ID 标识符（PDF/X、PDF/A 都要求）")
    if report.kind == "print":
        if ident["pdfx"] != "PDF/X-4":
            report.add("fail", section, f"印刷版应标识为 PDF/X-4（XMP pdfxid:GTS_PDFXVersion），实际为 {ident['pdfx'] or '无'}")
        if version > "1.6":
            report.add("fail", section, f"PDF/X-4 文件头版本应不高于 1.6，实际为 {version}")
        trapped = (reader.metadata or {}).get("/Trapped")
        if str(trapped) not in ("/True", "/False"):
            report.add("fail", section, f"文档信息中的 /Trapped 应为 /True 或 /False，实际为 {trapped or '无'}")
    if report.kind == "archive":
        if not ident["pdfa"] or not ident["pdfa"].startswith("PDF/A-3"):
            report.add("fail", section, f"存档版应标识为 PDF/A-3（XMP pdfaid:part=3），实际为 {ident['pdfa'] or '无'}")


# ---- pages and boxes --------------------------------------------------------------------

def _mm(value: float) -> float:
    return round(float(value) / MM, 1)


def _check_pages(report: _Checks, reader: PdfReader) -> None:
    section = "页面"
    facts = []
    for number, page in enumerate(reader.pages, start=1):
        boxes = {key: [float(v) for v in page[key]] for key in ("/MediaBox", "/TrimBox", "/BleedBox")
                 if key in page}
        media = boxes["/MediaBox"]
        trim = boxes.get("/TrimBox", media)
        bleed = boxes.get("/BleedBox")
        entry = {"page": number, "trim_mm": [_mm(trim[2] - trim[0]), _mm(trim[3] - trim[1])],
                 "media_mm": [_mm(media[2] - media[0]), _mm(media[3] - media[1])]}
        if bleed:
            entry["bleed_mm"] = [_mm(trim[0] - bleed[0]), _mm(trim[1] - bleed[1]),
                                 _mm(bleed[2] - trim[2]), _mm(bleed[3] - trim[3])]
        entry["boxes"] = [key[1:] for key in boxes]
        facts.append(entry)
        if report.kind == "print":
            if "/TrimBox" not in page:
                report.add("fail", section, f"第 {number} 页没有 TrimBox（成品尺寸）")
            if not bleed:
                report.add("fail", section, f"第 {number} 页没有 BleedBox（出血）")
            elif min(entry["bleed_mm"]) < MIN_BLEED_MM - 0.05:
                report.add("fail", section, f"第 {number} 页出血只有 {min(entry['bleed_mm'])} mm，应不少于 {MIN_BLEED_MM:g} mm")
            elif any(b < m - 0.01 for b, m in zip(bleed[:2], media[:2])) or any(
                    b > m + 0.01 for b, m in zip(bleed[2:], media[2:])):
                report.add("fail", section, f"第 {number} 页的 BleedBox 超出了 MediaBox")
    report.facts["pages"] = facts
    sizes = sorted({tuple(f["trim_mm"]) for f in facts})
    size_text = "、".join(f"{w:g} × {h:g} mm" for w, h in sizes)
    bleeds = sorted({min(f["bleed_mm"]) for f in facts if "bleed_mm" in f and min(f["bleed_mm"]) > 0})
    bleed_text = f"；出血 {'、'.join(f'{b:g}' for b in bleeds)} mm（TrimBox、BleedBox）" if bleeds else "；无出血"
    report.add("info", section, f"{len(facts)} 页；成品尺寸 {size_text}{bleed_text}")


# ---- output intents ---------------------------------------------------------------------

def _icc_space(profile: StreamObject) -> str:
    data = profile.get_data()
    return data[16:20].decode("ascii", "replace").strip() if len(data) >= 20 else "?"


def _check_output_intents(report: _Checks, catalog) -> list[dict]:
    section = "输出意图"
    intents = []
    for intent in catalog.get("/OutputIntents", []):
        intent = intent.get_object()
        profile = intent.get("/DestOutputProfile")
        space = _icc_space(profile.get_object()) if profile is not None else None
        intents.append({"subtype": str(intent.get("/S")), "identifier": str(intent.get("/OutputConditionIdentifier", "")),
                        "info": str(intent.get("/Info", "")), "profile_space": space})
    report.facts["output_intents"] = intents
    if not intents:
        report.add("info" if report.kind == "proof" else "fail", section, "没有 OutputIntent")
    for i in intents:
        report.add("info", section, f"{i['subtype'][1:]}：{i['identifier']}（{i['info']}，{i['profile_space'] or '无'} 特性文件）")
    if report.kind == "print" and not any(i["subtype"] == "/GTS_PDFX" and i["profile_space"] == "CMYK" for i in intents):
        report.add("fail", section, "印刷版应有 /GTS_PDFX 输出意图并嵌入 CMYK 输出特性文件")
    if report.kind == "archive" and not any(i["subtype"] == "/GTS_PDFA1" and i["profile_space"] for i in intents):
        report.add("fail", section, "存档版应有 /GTS_PDFA1 输出意图并嵌入特性文件")
    return intents


# ---- fonts ------------------------------------------------------------------------------

def page_resources(document):
    """Every distinct resource dictionary reachable from the pages of a PdfReader or PdfWriter,
    including those of form XObjects and patterns (WeasyPrint shares one between pages)."""
    seen: set[int] = set()
    stack = [page.get("/Resources") for page in document.pages]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        resources = item.get_object()
        if id(resources) in seen:
            continue
        seen.add(id(resources))
        yield resources
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))
        for pattern in (resources.get("/Pattern") or {}).values():
            stack.append(pattern.get_object().get("/Resources"))


def _check_fonts(report: _Checks, reader: PdfReader) -> None:
    section = "字体"
    fonts = {}
    for resources in page_resources(reader):
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", "?")).lstrip("/")
            holders = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            embedded = any(k in h["/FontDescriptor"].get_object() for h in holders if "/FontDescriptor" in h
                           for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[name] = {"embedded": embedded, "subset": bool(re.match(r"^[A-Z]{6}\+", name)),
                           "type": str(font.get("/Subtype", "?")).lstrip("/"),
                           "to_unicode": "/ToUnicode" in font}
    report.facts["fonts"] = fonts
    if not fonts:
        report.add("info", section, "没有字体")
        return
    for name, f in fonts.items():
        if not f["embedded"]:
            report.add("fail", section, f"字体 {name} 未嵌入：印刷厂和存档都要求全部字体嵌入")
        elif not f["subset"]:
            report.add("warn", section, f"字体 {name} 完整嵌入（未子集化），文件会偏大")
        if not f["to_unicode"]:
            report.add("warn" if report.kind == "proof" else "fail", section,
                       f"字体 {name} 没有 ToUnicode：复制、检索出来的文字会是乱码")
    if all(f["embedded"] and f["subset"] for f in fonts.values()):
        faces = list(dict.fromkeys(name.split("+", 1)[-1] for name in fonts))
        subsets = f"（{len(fonts)} 个子集）" if len(fonts) > len(faces) else ""
        report.add("ok", section, f"{len(faces)} 种{subsets}，全部嵌入并子集化：{'、'.join(faces)}")


# ---- colour and images: a walk through every content stream --------------------------------

class _Scan:
    """Colour spaces, images (with their placed size) and transparency, from the content."""

    def __init__(self, reader: PdfReader):
        self.reader = reader
        self.spaces: dict[str, set[int]] = {}
        self.defaulted: dict[str, bool] = {}  # a Device space is mapped by Default* wherever used
        self.images: list[dict] = []
        self.transparency: set[int] = set()
        self.group_spaces: dict[str, set[int]] = {}
        self._walked_patterns: set[int] = set()
        for number, page in enumerate(reader.pages, start=1):
            resources = page.get("/Resources")
            resources = resources.get_object() if resources is not None else DictionaryObject()
            group = page.get("/Group")
            if group is not None and group.get_object().get("/CS") is not None:
                self._group(group.get_object(), resources, number)
            contents = page.get_contents()
            if contents is not None:
                self._walk(contents, resources, (1, 0, 0, 1, 0, 0), number, 0)
            for annot in page.get("/Annots", []):
                appearance = annot.get_object().get("/AP", {}).get("/N")
                if isinstance(appearance, StreamObject) or (
                        appearance is not None and isinstance(appearance.get_object(), StreamObject)):
                    stream = appearance.get_object()
                    self._walk(ContentStream(stream, reader), stream.get("/Resources", resources).get_object(),
                               (1, 0, 0, 1, 0, 0), number, 1)

    def _use(self, label: str, page: int, resources) -> None:
        self.spaces.setdefault(label, set()).add(page)
        if label.startswith("Device"):
            family = label.removeprefix("Device")
            spaces = resources.get("/ColorSpace")
            mapped = spaces is not None and f"/Default{family}" in spaces.get_object()
            self.defaulted[label] = self.defaulted.get(label, True) and mapped

    def _space(self, value, resources) -> str:
        value = value.get_object() if hasattr(value, "get_object") else value
        if isinstance(value, NameObject):
            short = {"/RGB": "/DeviceRGB", "/G": "/DeviceGray", "/CMYK": "/DeviceCMYK", "/I": "/Indexed"}
            value = NameObject(short.get(value, value))
            if value in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern"):
                return value[1:]
            spaces = resources.get("/ColorSpace")
            if spaces is not None and value in spaces.get_object():
                return self._space(spaces.get_object()[value], resources)
            return f"未定义({value})"
        if isinstance(value, ArrayObject) and value:
            family = str(value[0])
            if family == "/ICCBased":
                n = int(value[1].get_object().get("/N", 0))
                return {1: "ICCBased(Gray)", 3: "ICCBased(RGB)", 4: "ICCBased(CMYK)"}.get(n, f"ICCBased({n})")
            if family == "/Indexed":
                return f"Indexed({self._space(value[1], resources)})"
            if family in ("/Separation", "/DeviceN"):
                alternate = self._space(value[2], resources)
                kind = "Separation" if family == "/Separation" else "DeviceN"
                return f"{kind}({str(value[1]).lstrip('/')}→{alternate})"
            return family.lstrip("/")
        return "未知"

    def _group(self, group, resources, page: int) -> None:
        if group.get("/S") == "/Transparency":
            self.transparency.add(page)
            if group.get("/CS") is not None:
                self.group_spaces.setdefault(self._space(group["/CS"], resources), set()).add(page)

    def _walk(self, content, resources, ctm, page: int, depth: int) -> None:
        if depth > 12:  # forms nested deeper than any real file: stop, do not loop
            return
        stack = []
        fill_pattern = False
        for operands, operator in _operations(content):
            op = operator.decode("latin-1") if isinstance(operator, bytes) else operator
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop() if stack else ctm
            elif op == "cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif op in ("rg", "RG"):
                self._use("DeviceRGB", page, resources)
            elif op in ("k", "K"):
                self._use("DeviceCMYK", page, resources)
            elif op in ("g", "G"):
                self._use("DeviceGray", page, resources)
            elif op in ("cs", "CS"):
                label = self._space(operands[0], resources)
                fill_pattern = label == "Pattern" if op == "cs" else fill_pattern
                self._use(label, page, resources)
            elif op in ("scn", "SCN") and operands and isinstance(operands[-1], NameObject):
                self._pattern(operands[-1], resources, page, depth)
            elif op == "sh":
                shading = resources["/Shading"][operands[0]].get_object()
                self._use(self._space(shading["/ColorSpace"], resources), page, resources)
            elif op == "gs":
                state = resources["/ExtGState"][operands[0]].get_object()
                if (state.get("/SMask", "/None") != "/None" or state.get("/BM", "/Normal") not in ("/Normal", "/Compatible")
                        or float(state.get("/ca", 1)) < 1 or float(state.get("/CA", 1)) < 1):
                    self.transparency.add(page)
            elif op == "Do":
                self._xobject(operands[0], resources, ctm, page, depth)
            elif op == "INLINE IMAGE":
                settings = operands[0].get("settings", {}) if isinstance(operands[0], dict) else {}
                space = settings.get("/CS", settings.get("/ColorSpace"))
                if space is not None:
                    self._use(self._space(space, resources), page, resources)

    def _pattern(self, name, resources, page: int, depth: int) -> None:
        patterns = resources.get("/Pattern")
        if patterns is None or name not in patterns.get_object():
            return
        pattern = patterns.get_object()[name].get_object()
        if int(pattern.get("/PatternType", 0)) == 2:  # shading pattern
            shading = pattern["/Shading"].get_object()
            self._use(self._space(shading["/ColorSpace"], resources), page, resources)
        elif id(pattern) not in self._walked_patterns:
            self._walked_patterns.add(id(pattern))
            matrix = tuple(float(v) for v in pattern.get("/Matrix", [1, 0, 0, 1, 0, 0]))
            inner = pattern.get("/Resources", resources).get_object()
            self._walk(ContentStream(pattern, self.reader), inner, matrix, page, depth + 1)

    def _xobject(self, name, resources, ctm, page: int, depth: int) -> None:
        xobject = resources["/XObject"][name].get_object()
        if xobject.get("/Subtype") == "/Image":
            if xobject.get("/ImageMask"):
                return  # a stencil paints with the current colour, already counted
            space = self._space(xobject.get("/ColorSpace", NameObject("/DeviceGray")), resources)
            self._use(space, page, resources)
            if "/SMask" in xobject or "/SMaskInData" in xobject:
                self.transparency.add(page)
            width_pt, height_pt = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
            pixels = (int(xobject["/Width"]), int(xobject["/Height"]))
            ppi = min(pixels[0] / (width_pt / 72), pixels[1] / (height_pt / 72)) if width_pt and height_pt else 0
            self.images.append({
                "page": page, "name": str(name), "pixels": list(pixels), "colour_space": space,
                "placed_mm": [round(width_pt / MM, 1), round(height_pt / MM, 1)],
                "ppi": round(ppi), "interpolate": xobject.get("/Interpolate", False) == True,  # noqa: E712 (BooleanObject)
                **(_ink(xobject, pixels) if space == "DeviceCMYK" else {}),
            })
        elif xobject.get("/Subtype") == "/Form":
            matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
            inner = xobject.get("/Resources")
            inner = inner.get_object() if inner is not None else resources
            group = xobject.get("/Group")
            if group is not None:
                self._group(group.get_object(), inner, page)
            self._walk(ContentStream(xobject, self.reader), inner, _multiply(matrix, ctm), page, depth + 1)


TAC_TOLERANCE = 5  # per cent over the limit that JPEG noise and rounding may add
RICH_BLACK_PIXELS = 20  # rich black beside white: fewer pixels than this are no text or rule


def _ink(xobject, pixels: tuple[int, int]) -> dict:
    """Of a CMYK image: its highest total area coverage (%), and how many of its pixels are
    rich black (K ≥ 80 %, C+M+Y ≥ 50 %) right beside paper (under 10 % ink): the edges of
    black text and rules set in four plates, which misregistration fringes with colour."""
    from PIL import Image, ImageChops, ImageFilter

    from .colour import ink_coverage

    try:
        if xobject.get("/Filter") == "/DCTDecode":  # Pillow undoes Adobe's inverted CMYK itself
            image = Image.open(io.BytesIO(xobject._data))
            image.load()
        else:
            image = Image.frombytes("CMYK", pixels, xobject.get_data())
            if [float(v) for v in xobject.get("/Decode", [])] == [1, 0] * 4:
                image = ImageChops.invert(image)
        if image.mode != "CMYK" or image.size != pixels or int(xobject.get("/BitsPerComponent", 8)) != 8:
            return {}
    except Exception:  # noqa: BLE001 — an image the analysis cannot decode is reported without it
        return {}
    total, colour = ink_coverage(image)
    highest = total.getextrema()[1] * 100 / 255
    threshold = [255 if v else 0 for v in range(256)]
    rich = ImageChops.multiply(image.getchannel("K").point([255 if v >= 204 else 0 for v in range(256)]),
                               colour.point(lambda v: v * (1 / 3)).convert("L").point(
                                   [255 if v >= 43 else 0 for v in range(256)]))
    paper = total.point(lambda v: v * 0.25).convert("L").point([255 if v <= 6 else 0 for v in range(256)])
    beside = ImageChops.multiply(rich, paper.filter(ImageFilter.MaxFilter(3)).point(threshold))
    return {"tac_max": round(highest), "rich_black_edge_pixels": beside.histogram()[255]}


# The operators _Scan acts on, with the operands it reads (issue 15). pypdf's ContentStream
# parses every operand of every operator in Python (text is most of a page), which made the
# build's preflight 1.8 s per edition of a 200-page issue. A content stream with no literal
# string, comment, inline image or escaped name cannot hide an operator inside another token
# (a hex string holds only hex digits and white space), so one regular expression finds these
# operators, and the operands _Scan reads are the tokens just before them; any other stream,
# or operands of another form, take pypdf's parser.
_REGULAR = rb"[^\s()<>\[\]{}/%]"
_OPERATORS = re.compile(rb"(?<![^\s\]>)])(q|Q|cm|rg|RG|k|K|g|G|cs|CS|scn|SCN|sh|gs|Do)(?!" + _REGULAR + rb")")
_UNSAFE = re.compile(rb"[(%#]|(?<![^\s\]>)])BI(?!" + _REGULAR + rb")")
_NAMED = {b"cs", b"CS", b"sh", b"gs", b"Do"}  # one name operand, which _Scan reads


def _operations(content):
    """(operands, operator) for the operators _Scan reads, in order (see _OPERATORS)."""
    data = content.get_data()
    if _UNSAFE.search(data):
        return content.operations
    found = []
    for match in _OPERATORS.finditer(data):
        op = match.group(1)
        if op == b"cm" or op in _NAMED or op in (b"scn", b"SCN"):
            before = data[max(0, match.start() - 160):match.start()].split()
            if op == b"cm":
                try:
                    found.append(([float(v) for v in before[-6:]], op))
                except ValueError:
                    return content.operations
                if len(before) < 6:
                    return content.operations
            elif before and before[-1].startswith(b"/"):
                found.append(([NameObject(before[-1].decode("latin-1"))], op))
            elif op in _NAMED:
                return content.operations
            else:  # scn with colour values: _Scan reads only a pattern's name
                found.append(([], op))
        else:
            found.append(([], op))
    return found


def _multiply(m, n):
    """m × n for PDF matrices (a b c d e f)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _pages_text(pages: set[int]) -> str:
    ordered = sorted(pages)
    shown = "、".join(str(p) for p in ordered[:8]) + ("……" if len(ordered) > 8 else "")
    return f"第 {shown} 页"


def _check_colour(report: _Checks, scan: _Scan, intents: list[dict]) -> None:
    section = "颜色"
    report.facts["colour_spaces"] = {k: sorted(v) for k, v in sorted(scan.spaces.items())}
    report.facts["transparency_pages"] = sorted(scan.transparency)
    report.facts["group_colour_spaces"] = {k: sorted(v) for k, v in scan.group_spaces.items()}
    used = "、".join(sorted(scan.spaces)) or "无"
    report.add("info", section, f"内容使用的颜色空间：{used}")
    if scan.transparency:
        report.add("info", section, f"透明度（软蒙版、混合、透明组）：{_pages_text(scan.transparency)}")
    rgb = {label: pages for label, pages in scan.spaces.items()
           if label in RGB_SPACES or label.startswith("Indexed(") and any(s in label for s in RGB_SPACES)
           or "→" in label and any(s in label.split("→")[1] for s in RGB_SPACES)}
    if report.kind == "print":
        for label, pages in sorted(rgb.items()):
            report.add("fail", section, f"印刷版中有 RGB 颜色（{label}）：{_pages_text(pages)}；印刷版的全部颜色应为 CMYK")
        for label, pages in scan.group_spaces.items():
            if label in RGB_SPACES:
                report.add("fail", section, f"透明组的混合颜色空间是 {label}（{_pages_text(pages)}），印刷版应为 CMYK")
        if not rgb:
            report.add("ok", section, "没有 RGB：全部颜色为 CMYK（或灰度、专色）")
    if report.kind == "archive":
        intent_spaces = {i["profile_space"] for i in intents if i["subtype"] == "/GTS_PDFA1"}
        need = {"DeviceRGB": "RGB", "DeviceCMYK": "CMYK", "DeviceGray": None}
        for label, family in need.items():
            if label not in scan.spaces:
                continue
            if family is None:
                ok = bool(intent_spaces) or scan.defaulted.get(label, False)
            else:
                ok = family in intent_spaces or scan.defaulted.get(label, False)
            if not ok:
                report.add("fail", section, f"存档版使用了 {label}（{_pages_text(scan.spaces[label])}），"
                                            f"但输出意图不是 {family or '任何'} 特性，资源中也没有 Default{label[6:]}")
        for label, pages in scan.spaces.items():
            if label.startswith("未定义"):
                report.add("fail", section, f"引用了未定义的颜色空间 {label}：{_pages_text(pages)}")


def _check_images(report: _Checks, scan: _Scan) -> None:
    section = "图片"
    report.facts["images"] = scan.images
    if not scan.images:
        report.add("info", section, "没有图片")
        return
    for image in scan.images:
        text = (f"第 {image['page']} 页 {image['pixels'][0]}×{image['pixels'][1]} 像素，"
                f"印刷尺寸 {image['placed_mm'][0]:g}×{image['placed_mm'][1]:g} mm，"
                f"{image['ppi']} ppi，{image['colour_space']}")
        if image["ppi"] < MIN_PPI:
            report.add("warn", section, f"{text}：低于 {MIN_PPI} ppi，印出来会发虚")
        else:
            report.add("ok", section, text)
        if image["interpolate"] and report.kind == "archive":
            report.add("fail", section, f"第 {image['page']} 页的图片设置了 /Interpolate true，PDF/A 不允许")
        place = f"第 {image['page']} 页 {image['pixels'][0]}×{image['pixels'][1]} 像素的图片"
        if image.get("tac_max", 0) > TAC_LIMIT + TAC_TOLERANCE:
            report.add("warn", section, f"{place}总墨量最高 {image['tac_max']}%，超过印刷条件的 {TAC_LIMIT}%：墨太厚，会粘脏、难干")
        if image.get("rich_black_edge_pixels", 0) >= RICH_BLACK_PIXELS:
            report.add("warn", section, f"{place}有四色叠成的黑色文字或线条（{image['rich_black_edge_pixels']} 个边缘像素）："
                                        "套印稍有偏差就会发虚、带色边；黑色应只用 K 版")


# ---- annotations, attachments, metadata -------------------------------------------------------

def _check_annotations(report: _Checks, reader: PdfReader) -> None:
    section = "注释"
    count = 0
    for number, page in enumerate(reader.pages, start=1):
        box = [float(v) for v in page.get("/BleedBox", page.get("/TrimBox", page.mediabox))]
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            count += 1
            subtype = str(annot.get("/Subtype"))
            if report.kind == "print" and subtype not in ("/PrinterMark", "/TrapNet"):
                rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
                inside = rect[0] < box[2] and rect[2] > box[0] and rect[1] < box[3] and rect[3] > box[1]
                if inside:
                    report.add("fail", section, f"第 {number} 页有 {subtype[1:]} 注释位于出血框内：PDF/X 不允许")
    report.facts["annotations"] = count
    report.add("info", section, f"{count} 个（链接等）" if count else "没有注释")


def _check_attachments(report: _Checks, catalog) -> None:
    section = "附件"
    files = []
    names = catalog.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names", [])
    af = {id(spec.get_object()) for spec in catalog.get("/AF", [])}
    for i in range(0, len(names), 2):
        spec = names[i + 1].get_object()
        stream = spec.get("/EF", {}).get("/F")
        stream = stream.get_object() if stream is not None else None
        entry = {"name": str(spec.get("/UF") or spec.get("/F") or names[i]),
                 "relationship": str(spec.get("/AFRelationship", "")).lstrip("/") or None,
                 "mime": str(stream.get("/Subtype", "")).lstrip("/").replace("#2f", "/") if stream else None,
                 "size": len(stream.get_data()) if stream else 0,
                 "mod_date": bool(stream is not None and "/ModDate" in stream.get("/Params", {})),
                 "in_af": id(spec) in af}
        files.append(entry)
    report.facts["attachments"] = files
    if not files:
        report.add("fail" if report.kind == "archive" else "info", section,
                   "没有附件" + ("：存档版应附带期刊源文件（issue.yaml 与文章）" if report.kind == "archive" else ""))
        return
    report.add("info", section, f"{len(files)} 个：" + "、".join(
        f"{f['name']}（{f['size']} 字节，{f['relationship'] or '无关系'}）" for f in files))
    if report.kind == "print":
        report.add("warn", section, "印刷版带有附件：印刷厂用不到，可能被拒收")
    if report.kind == "archive":
        for f in files:
            missing = [label for label, ok in (("/AFRelationship", f["relationship"]), ("MIME 类型 /Subtype", f["mime"]),
                                               ("/Params /ModDate", f["mod_date"]), ("目录 /AF 中的条目", f["in_af"])) if not ok]
            if missing:
                report.add("fail", section, f"附件 {f['name']} 缺少 {'、'.join(missing)}（PDF/A-3 要求）")
        if not any(f["name"] == "issue.yaml" and f["relationship"] == "Source" for f in files):
            report.add("fail", section, "存档版应附带期刊清单 issue.yaml（/AFRelationship /Source）")


def _check_metadata(report: _Checks, reader: PdfReader, xmp: str) -> None:
    section = "元数据"
    info = reader.metadata or {}
    facts = {key.lstrip("/"): str(value) for key, value in info.items()}
    report.facts["info"] = facts
    title = facts.get("Title")
    report.add("info", section, f"标题：{title or '无'}；作者：{facts.get('Author') or '无'}；"
                                f"语言：{reader.trailer['/Root'].get('/Lang') or '无'}")
    if report.kind != "proof":
        if not xmp:
            report.add("fail", section, "没有 XMP 元数据流")
        if not title:
            report.add("fail", section, "文档信息中没有标题（/Title）")
    if xmp:
        xmp_title = re.search(r"<dc:title>.*?<rdf:li[^>]*>([^<]*)</rdf:li>", xmp, re.S)
        if title and xmp_title and xmp_title.group(1) != _xml_text(title):
            report.add("fail", section, f"XMP 标题“{xmp_title.group(1)}”与文档信息标题“{title}”不一致")
        for key, prefix, name in (("Producer", "pdf", "Producer"), ("Keywords", "pdf", "Keywords"),
                                  ("Creator", "xmp", "CreatorTool")):
            value = _xmp_value(xmp, prefix, name)
            if report.kind == "archive" and key in facts and value is not None and value != _xml_text(facts[key]):
                report.add("fail", section, f"XMP {prefix}:{name} 与文档信息 /{key} 不一致")
        subjects = re.search(r"<dc:subject>\s*<rdf:Bag>(.*?)</rdf:Bag>", xmp, re.S)
        if subjects:
            report.facts["xmp_subjects"] = re.findall(r"<rdf:li>([^<]*)</rdf:li>", subjects.group(1))


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---- page labels and contents ---------------------------------------------------------------

def _check_labels(report: _Checks, reader: PdfReader, text: bool) -> None:
    section = "页码"
    labels = list(reader.page_labels)
    has_labels = "/PageLabels" in reader.trailer["/Root"]
    report.facts["page_labels"] = labels if has_labels else None
    if not has_labels:
        report.add("warn", section, "没有页码标签（PageLabels）：阅读器里的页号会与印出的页码不符")
    else:
        shown = "、".join(labels[:6]) + ("……" + labels[-1] if len(labels) > 6 else "")
        report.add("info", section, f"页码标签：{shown}")
    if not text:
        return
    texts = _page_texts(reader)
    folios = []
    for text_ in texts:
        match = FOLIO.search(text_.strip())
        folios.append(int(match.group(1)) if match else None)
    report.facts["printed_folios"] = folios
    if has_labels:
        wrong = [(i + 1, labels[i], f) for i, f in enumerate(folios) if f is not None and not _label_fits(labels[i], f)]
        for number, label, folio in wrong:
            report.add("fail", section, f"第 {number} 页印的页码是 {folio}，页码标签却是 {label}")
        if not wrong and any(f is not None for f in folios):
            report.add("ok", section, f"印出的页码与页码标签一致（{sum(f is not None for f in folios)} 页有页码）")
    _check_contents(report, reader, texts, labels)


def _page_texts(reader: PdfReader) -> list[str]:
    """Each page's text as PDFium (Chrome's viewer) extracts it: four times quicker than pypdf
    (issue 15: `check` of the sample in 0.3 s); pypdf where PDFium cannot open the file."""
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(reader.stream.getvalue())
    except Exception:  # noqa: BLE001 — whatever PDFium refuses, pypdf may still read
        return [page.extract_text() or "" for page in reader.pages]
    texts = []
    try:
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return texts


def _label_fits(label: str, folio: int) -> bool:
    """A page's label is its folio; a booklet sheet's label "12-1" names both of its pages."""
    if re.fullmatch(r"\d+-\d+", label):
        return str(folio) in label.split("-")
    return label == str(folio)


def _check_contents(report: _Checks, reader: PdfReader, texts: list[str], labels: list[str]) -> None:
    from .finish import read_contents  # the build reads its contents the same way

    section = "目录"
    entries = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                try:
                    index = reader.get_destination_page_number(item)
                except Exception:  # an outline item without a page
                    index = None
                entries.append((str(item.title), index))

    walk(reader.outline)
    checked = []
    # A bookmark that is not a contents entry (e.g. a section heading) has no number after it.
    printed_numbers = read_contents("\n".join(texts[:3]), [title for title, _index in entries])
    for (title, index), printed in zip(entries, printed_numbers):
        if printed is None or index is None:
            continue
        key = SPACE.sub("", title)
        actual = labels[index] if labels else str(index + 1)
        checked.append({"title": title, "printed": printed, "page_label": actual,
                        "title_on_page": key in SPACE.sub("", texts[index])})
        if str(printed) != actual:
            report.add("fail", section, f"《{title}》目录中印的是 {printed}，书签指向的页是 {actual}")
        elif key not in SPACE.sub("", texts[index]):
            report.add("fail", section, f"《{title}》书签指向第 {actual} 页，但该页上找不到这个标题")
    report.facts["contents"] = checked
    if entries and not checked:
        report.add("info", section, f"{len(entries)} 个书签，没有找到目录页")
    elif checked and not any(f.section == section and f.level == "fail" for f in report.findings):
        report.add("ok", section, f"{len(checked)} 条目录与书签、正文页一致")
    elif not entries:
        report.add("info", section, "没有书签")



# ---- tagging (issue 16) -------------------------------------------------------------------

# The structure types of ISO 32000-1 §14.8.4 (PDF 1.7), which PDF/UA-1 and PDF/A-3a build on.
STANDARD_TYPES = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody",
    "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference",
    "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure",
    "Formula", "Form", "Aside"}
# Marked-content and text-showing operators, for streams written as WeasyPrint writes them
# (no literal strings; see _operations): a tag, its property list (one line), the operator.
_MARKED = re.compile(rb"(/[^\s/<>\[\]()%]+)\s*(<<[^\n]*?>>)?\s*(BDC|BMC)(?![^\s])"
                     rb"|(?<![^\s\]>)])(EMC|TJ|Tj|'|\")(?![^\s])")
_MCID = re.compile(rb"/MCID\s+(\d+)")


def _marked_content(content) -> dict:
    """One content stream's marked content: MCIDs in order, nesting problems, text outside any
    tag or artifact, ActualText spans not inside a tag."""
    data = content.get_data()
    out = {"mcids": [], "unbalanced": 0, "text_outside": 0, "actual_text_outside": 0, "artifacts": 0}
    stack: list[tuple[bool, bool]] = []  # (tagged with an MCID, artifact) of each open sequence
    if _UNSAFE.search(data):  # literal strings or inline images: pypdf's parser
        events = []
        for operands, operator in content.operations:
            if operator in (b"BDC", b"BMC"):
                properties = operands[1] if operator == b"BDC" and len(operands) > 1 else {}
                properties = properties if isinstance(properties, dict) else {}
                events.append(("open", str(operands[0]) if operands else "",
                               int(properties["/MCID"]) if "/MCID" in properties else None,
                               "/ActualText" in properties))
            elif operator == b"EMC":
                events.append(("close", None, None, False))
            elif operator in (b"TJ", b"Tj", b"'", b'"'):
                events.append(("text", None, None, False))
    else:
        events = []
        for match in _MARKED.finditer(data):
            if match.group(3):
                properties = match.group(2) or b""
                mcid = _MCID.search(properties)
                events.append(("open", match.group(1).decode("latin-1"),
                               int(mcid.group(1)) if mcid else None, b"/ActualText" in properties))
            elif match.group(4) == b"EMC":
                events.append(("close", None, None, False))
            else:
                events.append(("text", None, None, False))
    for kind, tag, mcid, actual in events:
        if kind == "open":
            if mcid is not None:
                out["mcids"].append(mcid)
            if actual and not any(tagged for tagged, _artifact in stack):
                out["actual_text_outside"] += 1
            artifact = tag == "/Artifact"
            out["artifacts"] += artifact
            stack.append((mcid is not None, artifact))
        elif kind == "close":
            if stack:
                stack.pop()
            else:
                out["unbalanced"] += 1
        elif not any(tagged or artifact for tagged, artifact in stack):
            out["text_outside"] += 1
    out["unbalanced"] += len(stack)
    return out


def _structure(reader: PdfReader, root) -> tuple[list, dict]:
    """The structure elements in reading order, as (type, dictionary, depth), and each
    (page index, MCID) with the number of elements that claim it."""
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)
             if page.indirect_reference is not None}
    elements, claimed = [], {}
    stack = [(kid, 0) for kid in reversed(_as_list(root.get("/K")))]
    seen: set[int] = set()
    while stack:
        ref, depth = stack.pop()
        node = ref.get_object() if hasattr(ref, "get_object") else ref
        if not isinstance(node, DictionaryObject) or id(node) in seen or depth > 100:
            continue
        seen.add(id(node))
        page = pages.get(getattr(node.raw_get("/Pg"), "idnum", None)) if "/Pg" in node else None
        elements.append((str(node.get("/S", "")).lstrip("/"), node, depth))
        children = []
        for kid in _as_list(node.get("/K")):
            if isinstance(kid, int):
                claimed[(page, int(kid))] = claimed.get((page, int(kid)), 0) + 1
                continue
            value = kid.get_object() if hasattr(kid, "get_object") else kid
            if not isinstance(value, DictionaryObject):
                continue
            if value.get("/Type") == "/MCR":
                where = pages.get(getattr(value.raw_get("/Pg"), "idnum", None)) if "/Pg" in value else page
                key = (where, int(value["/MCID"]))
                claimed[key] = claimed.get(key, 0) + 1
            elif value.get("/Type") != "/OBJR":
                children.append((kid, depth + 1))
        stack.extend(reversed(children))
    return elements, claimed


def _as_list(value) -> list:
    if value is None:
        return []
    value = value.get_object() if hasattr(value, "get_object") and not isinstance(value, int) else value
    return list(value) if isinstance(value, ArrayObject) else [value]


def _check_tagging(report: _Checks, reader: PdfReader, catalog, xmp: str, ident: dict) -> None:
    """Tagged PDF: what PDF/UA-1 (ISO 14289-1) and PDF/A-3a ask of the structure that a program
    can check (the Matterhorn Protocol's machine checks, in part)."""
    section = "标签"
    ua = bool(ident.get("pdfua"))
    claimed_a = bool(ident["pdfa"]) and ident["pdfa"].endswith("a")
    required = ua or claimed_a
    standard = "、".join(m for m in (ident.get("pdfua"), ident["pdfa"] if claimed_a else None) if m)
    level = "fail" if required else "warn"
    mark_info = catalog.get("/MarkInfo")
    marked = mark_info is not None and bool(mark_info.get_object().get("/Marked", False))
    tree = catalog.get("/StructTreeRoot")
    facts: dict = {"marked": marked, "structure_tree": tree is not None,
                   "lang": str(catalog.get("/Lang") or "") or None}
    report.facts["tagging"] = facts
    if tree is None or not marked:
        if required:
            report.add("fail", section, f"文件自称 {standard}，却没有标签"
                                        f"（{'没有结构树 StructTreeRoot' if tree is None else 'MarkInfo /Marked 不是 true'}）")
        else:
            report.add("info", section, "没有标签（结构树）" + ("：印刷版不需要" if report.kind == "print" else ""))
        return
    tree = tree.get_object()
    problems: list[tuple[str, str]] = []
    if not facts["lang"]:
        problems.append((level, "文档目录没有 /Lang（文字的语言）"))
    if ua:
        preferences = catalog.get("/ViewerPreferences")
        if preferences is None or not bool(preferences.get_object().get("/DisplayDocTitle", False)):
            problems.append(("fail", "ViewerPreferences 中 DisplayDocTitle 应为 true（窗口标题显示文档标题）"))
        if not re.search(r"<dc:title>", xmp):
            problems.append(("fail", "XMP 元数据中没有 dc:title"))

    elements, claimed = _structure(reader, tree)
    counts: dict[str, int] = {}
    role_map = tree.get("/RoleMap")
    role_map = role_map.get_object() if role_map is not None else {}
    headings: list[int] = []
    for kind, node, _depth in elements:
        counts[kind] = counts.get(kind, 0) + 1
        if kind not in STANDARD_TYPES and f"/{kind}" not in role_map:
            problems.append((level, f"结构类型 {kind} 不是标准类型，RoleMap 中也没有它"))
        if kind == "Figure" and not str(node.get("/Alt") or node.get("/ActualText") or "").strip():
            problems.append((level, "有图片（Figure）没有替代文字 /Alt"))
        if kind == "Note" and not node.get("/ID"):
            problems.append((level, "有脚注（Note）没有 /ID"))
        if kind == "TH":
            attributes = node.get("/A")
            attributes = [a.get_object() for a in _as_list(attributes)]
            if not any("/Scope" in a for a in attributes if isinstance(a, DictionaryObject)) and "/ID" not in node:
                problems.append((level, "有表头单元格（TH）没有 /Scope"))
        if re.fullmatch(r"H[1-6]", kind):
            headings.append(int(kind[1]))
    facts["elements"] = dict(sorted(counts.items()))
    previous = 0
    for heading in headings:
        if heading > previous + 1:
            problems.append((level, f"标题级别跳级：H{previous} 之后是 H{heading}" if previous else f"第一个标题是 H{heading}，应为 H1"))
            break
        previous = heading

    in_content: dict[tuple[int, int], int] = {}
    totals = {"unbalanced": 0, "text_outside": 0, "actual_text_outside": 0, "artifacts": 0}
    bad_pages: dict[str, set[int]] = {}
    for number, page in enumerate(reader.pages):
        content = page.get_contents()
        if content is None:
            continue
        found = _marked_content(content)
        for key in totals:
            totals[key] += found[key]
            if found[key] and key != "artifacts":
                bad_pages.setdefault(key, set()).add(number + 1)
        for mcid in found["mcids"]:
            in_content[(number, mcid)] = in_content.get((number, mcid), 0) + 1
    facts.update(mcids=len(in_content), artifacts=totals["artifacts"])
    messages = {"unbalanced": "标记内容（BDC/BMC … EMC）没有正确配对",
                "text_outside": "有文字既不在标签内，也不是装饰（Artifact）",
                "actual_text_outside": "有 ActualText 不在所属文字的标签之内"}
    for key, message in messages.items():
        if totals[key]:
            problems.append((level, f"{message}：{_pages_text(bad_pages[key])}，{totals[key]} 处"))
    unclaimed = sorted(k for k in in_content if claimed.get(k, 0) == 0)
    twice = sorted(k for k, n in claimed.items() if n > 1 or in_content.get(k, 0) > 1)
    missing = sorted(k for k in claimed if k not in in_content)
    for keys, message in ((unclaimed, "有标记内容（MCID）不属于任何结构元素"),
                          (twice, "有标记内容（MCID）属于不止一个结构元素，或在页面中出现不止一次"),
                          (missing, "结构树引用了页面中不存在的标记内容（MCID）")):
        if keys:
            problems.append((level, f"{message}：{_pages_text({(p or 0) + 1 for p, _m in keys})}，{len(keys)} 处"))
    parents = _parent_tree(tree)
    wrong_parent = [k for k in in_content if k in claimed and parents.get(k[0]) is not None
                    and (k[1] >= len(parents[k[0]]) or parents[k[0]][k[1]] is None)]
    if wrong_parent:
        problems.append((level, f"ParentTree 中缺少标记内容（MCID）所属的结构元素：{len(wrong_parent)} 处"))
    for number, page in enumerate(reader.pages, start=1):
        annotations = [a.get_object() for a in page.get("/Annots", [])]
        if not annotations:
            continue
        if ua and page.get("/Tabs") != "/S":
            problems.append(("fail", f"第 {number} 页有注释，页面的 /Tabs 应为 /S（按结构顺序）"))
        for annotation in annotations:
            if annotation.get("/Subtype") in ("/Link", "/Widget") and "/StructParent" not in annotation:
                problems.append((level, f"第 {number} 页有链接注释不在标签中（没有 /StructParent）"))
            if ua and annotation.get("/Subtype") == "/Link" and not str(annotation.get("/Contents") or "").strip():
                problems.append(("fail", f"第 {number} 页有链接注释没有说明文字 /Contents"))

    for problem_level, message in dict.fromkeys(problems):
        report.add(problem_level, section, message)
    kinds = "、".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:8])
    summary = (f"{len(elements)} 个结构元素（{kinds}……），{len(in_content)} 段标记内容，"
               f"{totals['artifacts']} 段装饰（Artifact）；语言 {facts['lang'] or '无'}")
    report.add("ok" if not problems else "info", section, ("符合标签要求（结构性检查）：" if not problems else "") + summary)


def _parent_tree(tree) -> dict[int, list]:
    """The ParentTree's number tree flattened: key → array of elements (or one element)."""
    out: dict[int, list] = {}
    root = tree.get("/ParentTree")
    stack = [root.get_object()] if root is not None else []
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            nums = nums.get_object()
            for i in range(0, len(nums) - 1, 2):
                value = nums[i + 1].get_object() if hasattr(nums[i + 1], "get_object") else nums[i + 1]
                if isinstance(value, ArrayObject):
                    out[int(nums[i])] = [v if not isinstance(v, type(None)) and hasattr(v, "get_object")
                                         and v.get_object() is not None else None for v in value]
        for kid in node.get("/Kids", []):
            stack.append(kid.get_object())
    return out


def format_report(report: Report) -> str:
    """The report as an editor or a print shop reads it, in Chinese."""
    marks = {"ok": "通过", "info": "信息", "warn": "警告", "fail": "失败"}
    lines = [f"检查 {report.name}：{KIND_LABEL[report.kind]}"]
    for finding in report.findings:
        lines.append(f"  [{marks[finding.level]}] {finding.section}：{finding.message}")
    lines.append("  未检查：")
    lines += [f"    - {item}" for item in NOT_CHECKED]
    verdict = "未通过" if report.failures else "通过"
    lines.append(f"结论：{verdict}（{len(report.failures)} 项失败，{len(report.warnings)} 项警告）")
    return "\n".join(lines)
