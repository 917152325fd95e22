"""XMP metadata for the print (PDF/X-4) and archive (PDF/A-3) editions.

WeasyPrint writes a minimal packet with a random xmpMM:DocumentID; these editions get one
packet, written here from the same values as the document information dictionary (PDF/A
requires the two to agree, ISO 19005-3 §6.6.2.3) and identical on every build of an issue.
The bulletin's own fields (year, issue number, editor, articles …) go in a small custom
schema, described in a PDF/A extension schema as ISO 19005-3 §6.6.2.3.3 requires.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

NS_BULLETIN = "http://kjtypeset.invalid/ns/bulletin/1.0/"  # .invalid: reserved, never resolves
NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "kjb": NS_BULLETIN,
}


@dataclass(frozen=True)
class DocumentInfo:
    """The values shared by the information dictionary and the XMP packet."""

    title: str
    author: str
    subject: str
    keywords: str
    creator: str
    producer: str
    created: str  # ISO 8601 with offset, e.g. 2024-02-28T00:00:00+08:00
    modified: str


@dataclass(frozen=True)
class BulletinFields:
    """The custom schema: what an archive catalogue wants to find without opening the PDF."""

    issue_id: str
    bulletin: str
    year: int
    number: int
    total: int | None
    supplement: bool
    issue_date: str  # YYYY-MM-DD
    publisher: str
    editor: str
    reviewer: str | None
    articles: tuple[str, ...]
    article_pages: tuple[int, ...]
    edition: str
    layout: str
    generator: str


# name, XMP value type, description (English: the extension schema is read by software)
BULLETIN_PROPERTIES = (
    ("issueId", "Text", "Issue folder name, e.g. 2024-02; names the output files"),
    ("bulletin", "Text", "Bulletin name as printed in the masthead"),
    ("year", "Integer", "Year of the issue"),
    ("number", "Integer", "Issue number within the year"),
    ("total", "Integer", "Running issue number since the first issue"),
    ("supplement", "Boolean", "Whether the issue is a supplement with its own numbering"),
    ("issueDate", "Date", "Date of issue"),
    ("publisher", "Text", "Publishing unit"),
    ("editor", "Text", "Editor"),
    ("reviewer", "Text", "Reviewer"),
    ("articles", "Seq Text", "Article titles in issue order"),
    ("articlePages", "Seq Integer", "Printed page number on which each article starts"),
    ("edition", "Text", "Edition of the issue: proof, print or archive"),
    ("layout", "Text", "Layout folder used to typeset the issue"),
    ("generator", "Text", "Typesetting program and version"),
)


def document_id(*parts: str) -> str:
    """A stable UUID for an issue's edition: the same issue built twice is the same document."""
    return f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'kjtypeset:' + ':'.join(parts))}"


def packet(info: DocumentInfo, fields: BulletinFields, *, pdfa: tuple[int, str] | None = None,
           pdfx: str | None = None, pdfua: int | None = None, trapped: bool | None = None) -> bytes:
    """An XMP packet. ``pdfa`` = (part, conformance), ``pdfx`` = "PDF/X-4", ``pdfua`` = 1
    (ISO 14289-1 §5: pdfuaid:part; not with ``pdfa``, whose extension schema would have to
    describe it)."""
    out = ['<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
           '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
           '<rdf:RDF xmlns:rdf="{}">'.format(NAMESPACES["rdf"])]

    def description(prefixes: tuple[str, ...], body: list[str]) -> None:
        names = " ".join(f"xmlns:{p}={quoteattr(NAMESPACES[p])}" for p in prefixes)
        out.append(f'<rdf:Description rdf:about="" {names}>')
        out.extend(body)
        out.append("</rdf:Description>")

    if pdfa:
        description(("pdfaid",), [f"<pdfaid:part>{pdfa[0]}</pdfaid:part>",
                                  f"<pdfaid:conformance>{pdfa[1]}</pdfaid:conformance>"])
        description(("pdfaExtension", "pdfaSchema", "pdfaProperty"), _extension_schema())
    if pdfx:
        description(("pdfxid",), [f"<pdfxid:GTS_PDFXVersion>{escape(pdfx)}</pdfxid:GTS_PDFXVersion>"])
    if pdfua:
        description(("pdfuaid",), [f"<pdfuaid:part>{pdfua}</pdfuaid:part>"])

    description(("dc",), [
        _alt("dc:title", info.title),
        _list("dc:creator", "Seq", [info.author]),
        _alt("dc:description", info.subject),
        _list("dc:subject", "Bag", list(fields.articles)),
        _list("dc:publisher", "Bag", [fields.publisher]),
        _list("dc:language", "Bag", ["zh-CN"]),
        _list("dc:date", "Seq", [fields.issue_date]),
        "<dc:format>application/pdf</dc:format>",
    ])
    pdf_body = [f"<pdf:Producer>{escape(info.producer)}</pdf:Producer>",
                f"<pdf:Keywords>{escape(info.keywords)}</pdf:Keywords>"]
    if trapped is not None:
        pdf_body.append(f"<pdf:Trapped>{'True' if trapped else 'False'}</pdf:Trapped>")
    description(("pdf",), pdf_body)
    description(("xmp",), [
        f"<xmp:CreatorTool>{escape(info.creator)}</xmp:CreatorTool>",
        f"<xmp:CreateDate>{info.created}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{info.modified}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{info.modified}</xmp:MetadataDate>",
    ])
    description(("xmpMM",), [
        f"<xmpMM:DocumentID>{document_id(fields.issue_id, fields.bulletin)}</xmpMM:DocumentID>",
        f"<xmpMM:InstanceID>{document_id(fields.issue_id, fields.bulletin, fields.edition)}</xmpMM:InstanceID>",
        "<xmpMM:VersionID>1</xmpMM:VersionID>",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
    ])
    description(("kjb",), _bulletin(fields))

    out += ["</rdf:RDF>", "</x:xmpmeta>"]
    # Padding lets a later tool edit the packet in place (XMP part 1 §7.3.2).
    out += [" " * 99] * 20
    out.append('<?xpacket end="w"?>')
    return "\n".join(out).encode("utf-8")


def _alt(name: str, value: str) -> str:
    return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt></{name}>'


def _list(name: str, kind: str, values: list) -> str:
    items = "".join(f"<rdf:li>{escape(str(v))}</rdf:li>" for v in values)
    return f"<{name}><rdf:{kind}>{items}</rdf:{kind}></{name}>"


def _bulletin(fields: BulletinFields) -> list[str]:
    values = {
        "issueId": fields.issue_id, "bulletin": fields.bulletin, "year": fields.year,
        "number": fields.number, "total": fields.total,
        "supplement": "True" if fields.supplement else "False",
        "issueDate": fields.issue_date, "publisher": fields.publisher, "editor": fields.editor,
        "reviewer": fields.reviewer, "edition": fields.edition, "layout": fields.layout,
        "generator": fields.generator,
    }
    body = [f"<kjb:{key}>{escape(str(value))}</kjb:{key}>"
            for key, value in values.items() if value is not None]
    body.append(_list("kjb:articles", "Seq", list(fields.articles)))
    body.append(_list("kjb:articlePages", "Seq", list(fields.article_pages)))
    return body


def _extension_schema() -> list[str]:
    properties = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        f"<pdfaProperty:valueType>{value_type}</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{escape(text)}</pdfaProperty:description>"
        "</rdf:li>"
        for name, value_type, text in BULLETIN_PROPERTIES)
    return [
        "<pdfaExtension:schemas><rdf:Bag>",
        '<rdf:li rdf:parseType="Resource">',
        "<pdfaSchema:schema>kjtypeset bulletin issue</pdfaSchema:schema>",
        f"<pdfaSchema:namespaceURI>{NS_BULLETIN}</pdfaSchema:namespaceURI>",
        "<pdfaSchema:prefix>kjb</pdfaSchema:prefix>",
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>",
        "</rdf:li>",
        "</rdf:Bag></pdfaExtension:schemas>",
    ]


def read_fields(data: bytes | str) -> BulletinFields:
    """The bulletin schema read back from an XMP packet (the inverse of ``packet``).

    Raises ValueError naming what is missing or malformed: the caller knows which file it is.
    """
    import xml.etree.ElementTree as ET

    text = data.decode("utf-8") if isinstance(data, bytes) else data
    start, end = text.find("<x:xmpmeta"), text.find("</x:xmpmeta>")
    if start < 0 or end < 0:
        raise ValueError("没有 XMP 元数据包")
    try:
        root = ET.fromstring(text[start:end + len("</x:xmpmeta>")])
    except ET.ParseError as exc:
        raise ValueError(f"XMP 元数据不是合法的 XML：{exc}") from exc
    kjb, rdf = "{%s}" % NS_BULLETIN, "{%s}" % NAMESPACES["rdf"]

    def value(name: str, required: bool = True) -> str | None:
        element = root.find(f".//{kjb}{name}")
        if element is None or element.text is None:
            if required:
                raise ValueError(f"XMP 中没有简报字段 kjb:{name}")
            return None
        return element.text.strip()

    def items(name: str) -> list[str]:
        element = root.find(f".//{kjb}{name}")
        if element is None:
            raise ValueError(f"XMP 中没有简报字段 kjb:{name}")
        return [(li.text or "").strip() for li in element.iter(f"{rdf}li")]

    def integer(name: str, text: str | None) -> int | None:
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"XMP 简报字段 kjb:{name} 应为整数，实际为 '{text}'") from None

    pages = [integer("articlePages", p) for p in items("articlePages")]
    return BulletinFields(
        issue_id=value("issueId"), bulletin=value("bulletin"), year=integer("year", value("year")),
        number=integer("number", value("number")), total=integer("total", value("total", False)),
        supplement=value("supplement") == "True", issue_date=value("issueDate"),
        publisher=value("publisher"), editor=value("editor"), reviewer=value("reviewer", False),
        articles=tuple(items("articles")), article_pages=tuple(pages),
        edition=value("edition"), layout=value("layout"), generator=value("generator"))
