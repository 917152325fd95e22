"""The three editions of the sample issue, read back the way their receivers read them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import SAMPLE
from kjtypeset.inputs.articles import read_articles
from kjtypeset.inputs.manifest import load_manifest
from pdfread import contents_numbers, folios, page_texts, squash, title_pages

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
SAMPLE_TITLES = [a.title for a in read_articles(load_manifest(SAMPLE))]
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
NS = {"rdf": RDF[1:-1], "dc": "http://purl.org/dc/elements/1.1/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
      "pdfxid": "http://www.npes.org/pdfx/ns/id/", "kjb": "http://kjtypeset.invalid/ns/bulletin/1.0/",
      "pdf": "http://ns.adobe.com/pdf/1.3/", "xmp": "http://ns.adobe.com/xap/1.0/",
      "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
      "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#"}


@pytest.fixture(scope="module")
def editions(sample_build):
    return {output.edition: output.path for output in sample_build.outputs}


def xmp_of(reader: PdfReader) -> ET.Element:
    data = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    body = data[data.index("<x:xmpmeta"):data.index("</x:xmpmeta>") + len("</x:xmpmeta>")]
    return ET.fromstring(body)  # well-formed XML, or this fails


def xmp_text(root: ET.Element, path: str) -> str:
    element = root.find(f".//{path}", NS)
    assert element is not None, path
    return "".join(element.itertext()).strip()


def xmp_items(root: ET.Element, path: str) -> list[str]:
    element = root.find(f".//{path}", NS)
    assert element is not None, path
    return [li.text for li in element.iter(f"{RDF}li")]


def colour_operators(reader: PdfReader) -> set[str]:
    """Every colour a content stream sets, as "DeviceRGB", "DeviceCMYK", a named space …"""
    found = set()

    def walk(stream, resources):
        for operands, operator in ContentStream(stream, reader).operations:
            if operator in (b"rg", b"RG"):
                found.add("DeviceRGB")
            elif operator in (b"k", b"K"):
                found.add("DeviceCMYK")
            elif operator in (b"g", b"G"):
                found.add("DeviceGray")
            elif operator in (b"cs", b"CS"):
                name = operands[0]
                if name.startswith("/Device"):
                    found.add(name[1:])
                else:
                    space = resources["/ColorSpace"][name].get_object()
                    found.add(f"{space[0][1:]}:{space[1].get_object().get('/N', '') if space[0] == '/ICCBased' else space[1]}")
            elif operator == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject["/Subtype"] == "/Form":
                    walk(xobject, xobject.get("/Resources", resources))
                else:
                    found.add(f"image:{xobject['/ColorSpace']}")

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"])
    return found


def box(page, name) -> list[float]:
    return [round(float(v), 2) for v in page[name]]


def test_three_editions_one_issue(editions, sample_build):
    assert sorted(editions) == ["archive", "print", "proof"]
    assert [p.name for p in editions.values()] == ["2024-02.pdf", "2024-02-print.pdf", "2024-02-archive.pdf"]
    assert sample_build.pdf == editions["proof"]
    readers = {name: PdfReader(path) for name, path in editions.items()}
    assert {len(r.pages) for r in readers.values()} == {sample_build.pages}
    # One layout: the same text on the same pages in every edition.
    texts = {name: page_texts(path) for name, path in editions.items()}
    assert texts["proof"] == texts["print"] == texts["archive"]


def test_proof_is_the_screen_edition(editions):
    reader = PdfReader(editions["proof"])
    assert reader.pdf_header == "%PDF-1.7"
    root = reader.trailer["/Root"]
    assert "/OutputIntents" not in root and "/AF" not in root
    for page in reader.pages:
        assert box(page, "/MediaBox") == box(page, "/TrimBox") == box(page, "/BleedBox") == [0, 0, 595.28, 841.89]
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    assert links and all(a["/Subtype"] == "/Link" for a in links)  # contents entries are clickable
    assert not any("/ICCBased" in str(v) for v in reader.pages[0]["/Resources"]["/ColorSpace"].values())


def test_print_is_pdfx4_with_a_fogra39_output_intent(editions):
    reader = PdfReader(editions["print"])
    assert reader.pdf_header == "%PDF-1.6"
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]
    xmp = xmp_of(reader)
    assert xmp_text(xmp, "pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    assert xmp_text(xmp, "pdf:Trapped") == "False"
    assert xmp_text(xmp, "xmpMM:DocumentID").startswith("uuid:")
    assert xmp_text(xmp, "xmpMM:RenditionClass") == "default"
    assert xmp_text(xmp, "xmp:ModifyDate") == "2024-02-28T00:00:00+08:00"
    assert reader.metadata["/Trapped"] == "/False"
    assert reader.metadata.title == xmp_text(xmp, "dc:title") == "科技情报参考 2024年第2期"
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert intent["/RegistryName"] == "http://www.color.org"
    assert intent["/Info"] == "ISO Coated v2 300% (basICColor)"
    profile = intent["/DestOutputProfile"].get_object()
    data = profile.get_data()
    assert profile["/N"] == 4 and data[12:20] == b"prtrCMYK"
    assert data == Path("/usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc").read_bytes()


def test_print_has_a4_trim_and_3mm_bleed_and_no_links(editions):
    reader = PdfReader(editions["print"])
    bleed = round(3 * MM, 2)
    for page in reader.pages:
        assert box(page, "/TrimBox") == [0, 0, 595.28, 841.89]
        assert box(page, "/BleedBox") == [-bleed, -bleed, 595.28 + bleed, 841.89 + bleed]
        assert box(page, "/MediaBox") == box(page, "/BleedBox")  # no marks asked for
        assert "/Annots" not in page  # PDF/X: no annotations inside the bleed box


def test_print_has_no_rgb_anywhere(editions):
    reader = PdfReader(editions["print"])
    assert colour_operators(reader) == {"DeviceCMYK"}
    spaces = reader.pages[0]["/Resources"]["/ColorSpace"]
    assert not any(str(v.get_object()[0]) in ("/CalRGB",) for v in spaces.values())
    with pdfplumber.open(editions["print"]) as pdf:
        colours = {tuple(c["non_stroking_color"]) for page in pdf.pages for c in page.chars}
    assert colours == {(0, 0, 0, 1), (0, 0.8, 0.8, 0)}  # text K100, masthead red M80 Y80


def test_archive_is_pdfa3a_with_the_bulletin_in_its_metadata(editions):
    reader = PdfReader(editions["archive"])
    assert reader.pdf_header == "%PDF-1.7"
    xmp = xmp_of(reader)
    assert xmp_text(xmp, "pdfaid:part") == "3" and xmp_text(xmp, "pdfaid:conformance") == "A"  # tagged (issue 16)
    assert xmp_items(xmp, "dc:title") == ["科技情报参考 2024年第2期"]
    assert xmp_items(xmp, "dc:language") == ["zh-CN"]
    assert xmp_items(xmp, "dc:creator") == ["呼和浩特市科学技术局综合保障中心"]
    assert xmp_items(xmp, "dc:publisher") == ["呼和浩特市科学技术局综合保障中心"]
    assert xmp_items(xmp, "dc:date") == ["2024-02-28"]
    assert xmp_items(xmp, "dc:subject") == SAMPLE_TITLES
    for key, value in {"bulletin": "科技情报参考", "year": "2024", "number": "2", "issueDate": "2024-02-28",
                       "publisher": "呼和浩特市科学技术局综合保障中心", "editor": "李涛", "issueId": "2024-02",
                       "supplement": "False", "edition": "archive", "layout": "jianbao"}.items():
        assert xmp_text(xmp, f"kjb:{key}") == value, key
    assert xmp.find(".//kjb:total", NS) is None  # the sample names no 总第N期
    assert xmp_items(xmp, "kjb:articles") == SAMPLE_TITLES
    texts = page_texts(editions["archive"])
    assert xmp_items(xmp, "kjb:articlePages") == [str(n) for n in contents_numbers(texts, SAMPLE_TITLES).values()]
    # The custom schema is described, as PDF/A requires of any property it does not predefine.
    assert xmp_text(xmp, "pdfaSchema:namespaceURI") == NS["kjb"]
    described = {e.text for e in xmp.iter("{http://www.aiim.org/pdfa/ns/property#}name")}
    used = {e.tag.split("}")[1] for e in xmp.iter() if e.tag.startswith("{" + NS["kjb"])}
    assert used <= described
    # Information dictionary and XMP agree (ISO 19005-3 §6.6.2.3).
    info = reader.metadata
    assert info.title == xmp_items(xmp, "dc:title")[0]
    assert info.author == xmp_items(xmp, "dc:creator")[0]
    assert info.subject == xmp_items(xmp, "dc:description")[0]
    assert info["/Keywords"] == xmp_text(xmp, "pdf:Keywords") == "；".join(SAMPLE_TITLES)
    assert info.producer == xmp_text(xmp, "pdf:Producer") and info.producer.startswith("kjtypeset ")
    assert info.creator == xmp_text(xmp, "xmp:CreatorTool") == "kjtypeset"


def test_archive_colour_is_device_independent(editions):
    reader = PdfReader(editions["archive"])
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert colour_operators(reader) == {"DeviceCMYK"}  # characterised by the CMYK OutputIntent
    spaces = reader.pages[0]["/Resources"]["/ColorSpace"]
    assert spaces["/DefaultRGB"][0] == "/ICCBased"  # for RGB images, should an issue have any
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            assert annot.get_object()["/F"] == 4  # printable, as PDF/A requires


def test_archive_carries_the_issue_sources_and_nothing_else(editions):
    reader = PdfReader(editions["archive"])
    root = reader.trailer["/Root"]
    folder = SAMPLE.parent
    expected = ["issue.yaml"] + [f"articles/{p.name}" for p in sorted((folder / "articles").glob("*.md"))]
    assert sorted(reader.attachments) == sorted(expected)
    for name, [data] in reader.attachments.items():
        assert data == (folder / name).read_bytes(), name
    specs = [spec.get_object() for spec in root["/AF"]]
    assert sorted(str(spec["/UF"]) for spec in specs) == sorted(expected)
    for spec in specs:
        assert spec["/AFRelationship"] == "/Source"
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Subtype"] in ("/text/markdown", "/application/yaml")
        assert "/ModDate" in stream["/Params"] and stream["/Params"]["/Size"] == len(stream.get_data())


def test_page_labels_are_the_printed_folios_in_every_edition(editions):
    for name, path in editions.items():
        texts = page_texts(path)
        labels = PdfReader(path).page_labels
        printed = folios(texts)
        assert printed[0] is None, name  # the masthead page
        assert all(str(f) == label for f, label in zip(printed, labels) if f is not None), name
        assert labels == [str(n) for n in range(1, len(texts) + 1)], name


def test_editions_have_bookmarks_and_a_clean_text_layer(editions):
    for name, path in editions.items():
        reader = PdfReader(path)
        assert [item.title for item in reader.outline] == SAMPLE_TITLES, name
        texts = page_texts(path)
        assert contents_numbers(texts, SAMPLE_TITLES) == title_pages(texts, SAMPLE_TITLES), name
        text = squash("".join(texts))
        assert "全市建有省级孵化器5家、国家级众创空间4家" in text, name
        assert "\ufffd" not in text and "\x00" not in text


@pytest.mark.slow
def test_rebuild_from_the_archive_alone(editions, tmp_path):
    """Unpack the archive's attachments into an empty folder and build again: same issue."""
    from kjtypeset.build import build_issue
    from kjtypeset.pdf.sources import unpack_sources

    folder = tmp_path / "2024-02"
    written = unpack_sources(editions["archive"], folder)
    assert sorted(p.relative_to(folder).as_posix() for p in written) == sorted(PdfReader(editions["archive"]).attachments)
    rebuilt = build_issue(folder / "issue.yaml", tmp_path / "out", editions=("archive",))
    assert page_texts(rebuilt.pdf) == page_texts(editions["archive"])
    texts = page_texts(rebuilt.pdf)
    assert contents_numbers(texts, SAMPLE_TITLES) == contents_numbers(page_texts(editions["archive"]), SAMPLE_TITLES)
    # Same sources, same dates, same layout: the archive reproduces itself byte for byte.
    assert rebuilt.pdf.read_bytes() == editions["archive"].read_bytes()
