"""Issue 16 items 1–2: the proof (PDF/UA-1) and the archive (PDF/A-3a) are tagged; the print
edition is not. Read back without kjtypeset (tests/tagwalk.py): marked content with pypdf, the
structure tree with pypdf, the text of each marked-content sequence with PDFium.

The test issue is unlike the sample: lists, a footnote, a table with a caption, a figure and
an image without a caption, a paragraph across a page break, a hyphenated English word (the
composer's ActualText), two sections and an article outside them."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from conftest import MANIFEST as TEST_MANIFEST
from conftest import SAMPLE
from kjtypeset.build import build_issue
from tagwalk import mcid_texts, page_marks, parent_tree, structure

SPACE = re.compile(r"[\s\u3000]+")


def squash(text: str) -> str:
    return SPACE.sub("", text)


LONG = [f"第{n}段：" + "衢州市围绕创新创业生态体系建设，聚焦科技企业孵化器、众创空间等平台培育管理，" * 3
        + f"推动各类创新资源向平台集聚，第{n}段到此结束。" for n in range(1, 15)]
FOOTNOTE = "数据来源：市科技局2024年统计公报。"
LATIN = ("在应用层面，大模型正在与RAG（Retrieval-Augmented Generation，检索增强生成）、Agent（智能体）、"
         "MoE（Mixture of Experts，混合专家）等技术结合，加速向金融、医疗、制造、政务等行业渗透。专家提醒，"
         "应高度重视数据安全、算法偏见与知识产权等问题，在“发展”与“安全”之间取得平衡；欧盟已于2024年通过"
         "《人工智能法》（AI Act），我国也出台了《生成式人工智能服务管理暂行办法》。")
TITLES = ["甲：长文、列表与脚注", "乙：表格与图片", "丙：英文连字"]
MANIFEST = TEST_MANIFEST.replace("articles:\n  - articles/a.md\n", """\
distribution:
  发: [各旗县区科技局]
articles:
  - {file: articles/a.md, section: 科技金融}
  - articles/b.md
  - {file: articles/c.md, section: 双创平台}
""")
ARTICLE_A = f"""\
---
title: {TITLES[0]}
---

{LONG[0]}

{LONG[1]}[^1]

[^1]: {FOOTNOTE}

### 主要做法

1. 完善孵化体系，建设众创空间。
2. 强化金融支持，设立风险补偿资金池。

- 人才引进
- 成果转化

""" + "\n\n".join(LONG[2:]) + "\n"
ARTICLE_B = f"""\
---
title: {TITLES[1]}
---

表1　各旗县区入库企业数量

| 旗县区 | 2023年 | 2024年 |
| --- | --- | --- |
| 新城区 | 12 | 18 |
| 回民区 | 9 | 11 |

![图1　各月新增企业数量](chart.png)

正文中还有一个小图标![](dot.png)，没有说明。
"""
ARTICLE_C = f"""\
---
title: {TITLES[2]}
---

{LATIN}
"""


def png(size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, "white")
    for x in range(size[0]):  # a grey ramp across the lower half
        for y in range(size[1] // 2, size[1]):
            image.putpixel((x, y), (x * 255 // size[0],) * 3)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(600, 600))
    return out.getvalue()


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tagged") / "2024-03"
    (folder / "articles").mkdir(parents=True)
    (folder / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    for name, text in (("a.md", ARTICLE_A), ("b.md", ARTICLE_B), ("c.md", ARTICLE_C)):
        (folder / "articles" / name).write_text(text, encoding="utf-8")
    (folder / "articles" / "chart.png").write_bytes(png((600, 300)))
    (folder / "articles" / "dot.png").write_bytes(png((30, 30)))
    result = build_issue(folder / "issue.yaml", folder.parent / "out")
    return {"result": result, "folder": folder,
            **{o.edition: o.path for o in result.outputs}}


def tagged_files(tagged, sample_build):
    return [tagged["proof"], tagged["archive"], sample_build.pdf]


def test_every_marked_content_sequence_belongs_to_exactly_one_element(tagged, sample_build):
    for path in tagged_files(tagged, sample_build):
        reader = PdfReader(path)
        marks = page_marks(reader)
        tree = structure(reader)
        claims: dict[tuple[int, int], list] = {}
        for element in tree.walk():
            for kid in element.kids:
                if isinstance(kid, tuple) and kid[0] != "OBJR":
                    claims.setdefault(kid, []).append(element)
        in_content = {(page, mcid) for page, m in enumerate(marks) for mcid in m.mcids}
        for page, m in enumerate(marks):
            assert len(m.mcids) == len(set(m.mcids)), (path.name, page)  # each MCID once a page
        assert in_content and in_content == set(claims), path.name
        assert all(len(owners) == 1 for owners in claims.values()), path.name
        # The ParentTree says the same: MCID → the element that claims it.
        parents = parent_tree(reader)
        for (page, mcid), [owner] in claims.items():
            assert parents[page][mcid] == id(owner.dictionary), (path.name, page, mcid)
        # Each link annotation points back to the Link element whose OBJR names it.
        for element in tree.walk():
            for kid in element.kids:
                if isinstance(kid, tuple) and kid[0] == "OBJR":
                    assert element.type == "Link"
                    assert parents[int(kid[1]["/StructParent"])] == id(element.dictionary)


def test_nesting_is_balanced_and_no_text_is_left_untagged(tagged, sample_build):
    for path in tagged_files(tagged, sample_build):
        marks = page_marks(PdfReader(path))
        for page, m in enumerate(marks, start=1):
            assert not m.unbalanced, (path.name, page, m.unbalanced)
            assert m.text_outside == 0, (path.name, page)
            assert m.actual_text_outside == 0, (path.name, page)  # ActualText sits inside its tag
            assert m.mcid_in_artifact == 0, (path.name, page)
    marks = page_marks(PdfReader(tagged["proof"]))
    assert sum(m.actual_text for m in marks) >= 1  # the hyphenated word: the check is not idle


def test_reading_the_tree_gives_the_articles_in_manifest_order(tagged):
    reader = PdfReader(tagged["proof"])
    texts = mcid_texts(tagged["proof"])
    tree = structure(reader)
    read = squash("".join(texts.get(key, "") for key in tree.content()))
    expected = [TITLES[0], *LONG[:2], FOOTNOTE, "主要做法", "完善孵化体系", "人才引进", *LONG[2:],
                TITLES[1], "表1", "旗县区", "新城区", "图1", "正文中还有一个小图标", TITLES[2], LATIN]
    position = 0
    for piece in expected:
        found = read.find(squash(piece), position)
        assert found >= 0, f"not found in reading order after {read[max(0, position - 40):position]!r}: {piece!r}"
        position = found + len(squash(piece))
    # One Art per article, however many pages it takes, each opening with its title.
    articles = [e for e in tree.walk() if e.type == "Art"]
    assert [squash("".join(texts.get(k, "") for k in a.content()))[:len(squash(t))] for a, t in zip(articles, TITLES)] \
        == [squash(t) for t in TITLES]
    assert len(articles) == 3
    # The paragraph that runs onto the next page is one P, with content on two pages.
    spread = [e for e in tree.walk() if e.type == "P" and len({p for p, _m in e.content()}) > 1]
    assert spread


def elements(tree, kind):
    return [e for e in tree.walk() if e.type == kind]


def text_of(element, texts) -> str:
    return squash("".join(texts.get(k, "") for k in element.content()))


def test_roles_a_screen_reader_needs(tagged):
    reader = PdfReader(tagged["proof"])
    texts = mcid_texts(tagged["proof"])
    tree = structure(reader)
    document = tree.kids[0]
    assert document.type == "Document"
    top = [k for k in document.kids if hasattr(k, "type")]
    assert [k.type for k in top] == ["Sect", "Sect", "Sect", "Art", "Sect", "Sect"]
    assert [str(k.dictionary.get("/T", "")) for k in top] == ["报头", "目录", "", "", "", "版记"]
    # Headings: the bulletin's name is the one H1; no level is skipped.
    headings = [(e.type, text_of(e, texts)) for e in tree.walk() if re.fullmatch(r"H[1-6]", e.type)]
    assert headings == [("H1", "科技情报参考"), ("H2", "目录"), ("H2", "【科技金融】"), ("H3", squash(TITLES[0])),
                        ("H4", "主要做法"), ("H2", squash(TITLES[1])), ("H2", "【双创平台】"), ("H3", squash(TITLES[2]))]
    # Contents: TOC → TOCI (section) → TOC → TOCI → Link, whose annotations carry the title.
    [toc] = [e for e in top[1].kids if getattr(e, "type", None) == "TOC"]
    entries = elements(toc, "TOCI")
    links = elements(toc, "Link")
    assert [text_of(link, texts)[:len(squash(t))] for link, t in zip(links, TITLES)] == [squash(t) for t in TITLES]
    for link, title in zip(links, TITLES):
        annotations = [kid[1] for kid in link.kids if isinstance(kid, tuple) and kid[0] == "OBJR"]
        assert annotations and all(str(a["/Contents"]) == title for a in annotations)
    assert any(e.type == "Lbl" and text_of(e, texts) == "★" for e in entries[1].kids if hasattr(e, "type"))
    # Lists: L → LI → Lbl, LBody.
    lists = elements(tree, "L")
    assert len(lists) == 2
    items = [[(k.type, text_of(k, texts)) for k in li.kids] for li in elements(lists[0], "LI")]
    assert items == [[("Lbl", "1."), ("LBody", "完善孵化体系，建设众创空间。")],
                     [("Lbl", "2."), ("LBody", "强化金融支持，设立风险补偿资金池。")]]
    assert [k.type for k in elements(lists[1], "LI")[0].kids] == ["Lbl", "LBody"]
    # The footnote: a Note with an ID and its number as label, right after the call in its paragraph.
    [note] = elements(tree, "Note")
    assert note.dictionary["/ID"] and note.parent.type == "P"
    assert text_of(note, texts) == "[1]" + squash(FOOTNOTE)
    assert note.parent.kids[-1] is note
    # The table: caption, header cells with a scope, data cells.
    [table] = elements(tree, "Table")
    assert [k.type for k in table.kids] == ["Caption", "THead", "TBody"]
    headers = elements(table, "TH")
    assert [text_of(h, texts) for h in headers] == ["旗县区", "2023年", "2024年"]
    assert all(h.dictionary["/A"]["/Scope"] == "/Column" for h in headers)
    assert len(elements(table, "TD")) == 6
    # Figures: alt text from the caption; the image without one is named as such.
    figures = elements(tree, "Figure")
    assert [str(f.dictionary["/Alt"]) for f in figures] == ["图1　各月新增企业数量", "未加说明的图片"]
    assert [k.type for k in figures[0].kids if hasattr(k, "type")] == ["Caption"]
    assert figures[0].dictionary["/A"]["/BBox"]


def test_folios_and_leaders_are_artifacts(tagged):
    reader = PdfReader(tagged["proof"])
    texts = mcid_texts(tagged["proof"])
    marks = page_marks(reader)
    folios = 0
    for number, m in enumerate(marks[1:], start=2):
        if not m.mcids or number == len(marks):  # a blank page, the end block's page: no folio
            continue
        folios += 1
        assert {"/Type": "/Pagination", "/Subtype": "/Footer"} in m.artifacts, number
        assert not any(f"— {number} —" in t for (page, mcid), t in texts.items() if page == number - 1 and mcid >= 0)
        assert any(f"— {number} —" in t for (page, mcid), t in texts.items() if page == number - 1 and mcid < 0)
    assert folios >= 3
    assert any(a == {"/Type": "/Layout"} for a in marks[0].artifacts)  # the contents' dot leaders
    assert not any("……" in t or "..." in t for (page, mcid), t in texts.items() if page == 0 and mcid >= 0)


def test_an_image_without_a_caption_is_one_warning(tagged):
    assert [(w.path.name, w.line, w.message) for w in tagged["result"].warnings] == [
        ("b.md", 14, "图片 'dot.png' 没有图题（替代文字）：读屏软件只能读出“未加说明的图片”；"
                     "应在方括号中写上图题，如 ![图1　说明](dot.png)")]


def test_what_each_edition_claims(tagged):
    proof, archive, printed = (PdfReader(tagged[name]) for name in ("proof", "archive", "print"))
    for reader in (proof, archive):
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
        assert root["/Lang"] == "zh-CN" and root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
        assert all(page["/Tabs"] == "/S" for page in reader.pages)
    assert b"<pdfuaid:part>1</pdfuaid:part>" in proof.trailer["/Root"]["/Metadata"].get_object().get_data()
    xmp = archive.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp and b"<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert sorted(archive.attachments) == ["articles/a.md", "articles/b.md", "articles/c.md", "articles/chart.png",
                                           "articles/dot.png", "issue.yaml"]
    root = printed.trailer["/Root"]
    assert "/StructTreeRoot" not in root and "/MarkInfo" not in root  # no tags for the press
    assert not any("/StructParents" in page or "/Annots" in page for page in printed.pages)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kjtypeset", *args], capture_output=True, text=True, timeout=120)


def test_check_reports_tagging_and_fails_a_claim_without_it(tagged, tmp_path):
    done = run("check", str(tagged["proof"]), "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["passed"], done.stdout
    assert report["facts"]["identification"]["pdfua"] == "PDF/UA-1"
    facts = report["facts"]["tagging"]
    assert facts["elements"]["Note"] == 1 and facts["elements"]["Figure"] == 2 and facts["elements"]["TOCI"] == 5
    assert any(f["section"] == "标签" and f["level"] == "ok" for f in report["findings"])

    # The same file with its structure tree cut away: it still claims PDF/UA-1.
    writer = PdfWriter(clone_from=tagged["proof"])
    del writer.root_object["/StructTreeRoot"]
    untagged = tmp_path / "untagged.pdf"
    writer.write(untagged)
    done = run("check", str(untagged))
    assert done.returncode == 1
    assert "  [失败] 标签：文件自称 PDF/UA-1，却没有标签（没有结构树 StructTreeRoot）" in done.stdout.splitlines()

    # A figure without its alternative text, a paragraph's MCIDs taken from the tree.
    writer = PdfWriter(clone_from=tagged["archive"])
    tree = writer.root_object["/StructTreeRoot"].get_object()
    stack = list(tree["/K"])
    cut_figure = cut_paragraph = False
    while stack:
        node = stack.pop()
        node = node.get_object()
        if node.get("/S") == "/Figure" and not cut_figure:
            del node[NameObject("/Alt")]
            cut_figure = True
        if node.get("/S") == "/P" and not cut_paragraph and any(isinstance(k, int) for k in node["/K"]):
            node[NameObject("/K")] = type(node["/K"])(k for k in node["/K"] if not isinstance(k, int))
            cut_paragraph = True
        kids = node.get("/K", [])
        stack.extend(k for k in (kids if isinstance(kids, list) else [kids])
                     if isinstance(k.get_object(), DictionaryObject) and k.get_object().get("/Type") == "/StructElem")
    damaged = tmp_path / "damaged-archive.pdf"
    writer.write(damaged)
    lines = run("check", str(damaged)).stdout.splitlines()
    assert "  [失败] 标签：有图片（Figure）没有替代文字 /Alt" in lines
    assert any(line.startswith("  [失败] 标签：有标记内容（MCID）不属于任何结构元素：第 ") for line in lines)


def test_the_text_layer_keeps_the_marked_content_where_it_was(tagged):
    """typography/textlayer.py rewrites the text inside tagged sequences (Han–Latin gaps into
    glyph widths): the marked-content operators and their MCIDs are those WeasyPrint wrote."""
    from kjtypeset.build import _lay_out
    from kjtypeset.errors import collecting_warnings
    from kjtypeset.inputs.manifest import load_manifest
    from kjtypeset.pdf.editions import _master
    from kjtypeset.typography.textlayer import close_spacing_gaps

    manifest = load_manifest(tagged["folder"] / "issue.yaml")
    with collecting_warnings():
        document = _lay_out(manifest, lambda message: None)[2]
        master = _master(document, False, False, manifest.path, tags=True, compress=False)
    closed, _left_open = close_spacing_gaps(master)
    assert closed != master  # gaps were folded: the rewrite ran

    def sequence(pdf: bytes) -> list[list[str]]:
        pages = []
        for page in PdfReader(io.BytesIO(pdf)).pages:
            lines = page.get_contents().get_data().split(b"\n")
            pages.append([line.decode("latin-1") for line in lines
                          if line.endswith((b"BDC", b"BMC", b"EMC")) or b"/MCID" in line or b"ActualText" in line])
        return pages

    assert sequence(closed) == sequence(master)
    assert sum(len(p) for p in sequence(master)) > 100
    assert all(not m.unbalanced and m.text_outside == 0 for m in page_marks(PdfReader(io.BytesIO(closed))))


def test_the_sample_reads_in_manifest_order(sample_build):
    texts = mcid_texts(sample_build.pdf)
    tree = structure(PdfReader(sample_build.pdf))
    titles = [entry.title for entry in sample_build.contents]
    articles = [e for e in tree.walk() if e.type == "Art"]
    assert [text_of(a, texts)[:len(squash(t))] for a, t in zip(articles, titles)] == [squash(t) for t in titles]
    assert len(articles) == len(titles) == 8
    body = SAMPLE.parent / "articles"
    first_paragraph = next(line for line in sorted(body.glob("*.md"))[0].read_text(encoding="utf-8").splitlines()
                           if len(line) > 40 and not line.startswith(("#", "title", "source", "---")))
    assert squash(first_paragraph.replace("**", ""))[:30] in text_of(articles[0], texts)
