"""The archive as archive staff meet it: publish, search, catalogue, verify, reindex."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import stat
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfWriter

from conftest import ROOT
from kjtypeset.archive.readback import read_archive_pdf, split_articles
from kjtypeset.archive.search import normalise, parse_query
from kjtypeset.build import build_issue
from kjtypeset.cli import main
from kjtypeset.errors import KjError, display_path
from pdfread import page_texts, squash

NINGBO_TITLE = "南京深化科技金融融合　畅通科技型企业融资渠道"  # the sample's second article
QUZHOU_TITLE = "浙江衢州推动双创平台建设成效显著"  # its first
HANGZHOU_TITLE = "浙江杭州：聚焦校地融合发展“高校经济”"  # its last
NANJING_123_TITLE = "南京着力打造“123”体系　促进“科技—产业—金融”深度融合"
HIT = re.compile(r"\d+\. ")  # the first line of a search hit

# A second issue, from another year: two articles and the end block share its one text page.
SECOND = {
    "issue.yaml": """\
        bulletin: 科技情报参考
        year: 2023
        number: 12
        total: 85
        date: 2023-12-28
        publisher: 呼和浩特市科学技术局综合保障中心
        editor: 李涛
        distribution:
          报: [市委办公室, 市政府办公室]
          送: [自治区科技厅]
        articles:
          - articles/01-ningkedai.md
          - {file: articles/02-hefei.md, section: 金融动态}
        """,
    "articles/01-ningkedai.md": """\
        ---
        title: 南京“宁科贷”年度投放再创新高
        source: 南京市科技局网站
        ---

        2023年，南京持续扩大“宁科贷”覆盖面，全年为科技型中小企业新增贷款超过120亿元，
        首贷企业占比明显提高。合作银行增加到28家，平均贷款利率下降0.3个百分点。
        """,
    "articles/02-hefei.md": """\
        ---
        title: 合肥设立科技成果转化专项基金
        ---

        合肥市近日设立规模10亿元的科技成果转化专项基金，重点支持高校院所成果就地转化，
        首批已签约项目15个。
        """,
}


def write_issue(root: Path, files: dict[str, str], name: str) -> Path:
    for file, text in files.items():
        path = root / name / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root / name / "issue.yaml"


@pytest.fixture(scope="module")
def sample_pdf(sample_build) -> Path:
    return next(o.path for o in sample_build.outputs if o.edition == "archive")


@pytest.fixture(scope="module")
def second_pdf(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("second")
    result = build_issue(write_issue(root, SECOND, "2023-12"), root / "out", editions=("archive",))
    return result.outputs[0].path


@pytest.fixture(scope="module")
def published(tmp_path_factory, sample_pdf, second_pdf) -> Path:
    """An archive holding the sample and the second issue; copy it before changing it."""
    folder = tmp_path_factory.mktemp("published") / "archive"
    for pdf in (sample_pdf, second_pdf):
        assert main(["publish", str(pdf), "--archive", str(folder), "-q"]) == 0
    return folder


@pytest.fixture
def archive(published, tmp_path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(published, copy)
    return copy


@pytest.fixture(scope="module")
def sample(sample_build, sample_pdf):
    """What the sample's archive edition holds, read back from it (the pagination is the
    layout's business: the tests take page numbers from the PDF, never from memory)."""
    texts = page_texts(sample_pdf)
    contents = sample_build.contents
    spans = {}
    for k, entry in enumerate(contents):
        if k + 1 < len(contents):
            following = contents[k + 1]
            page = squash(texts[following.page - 1])
            before = page[:page.find(squash(following.title)[:8])]
            ends_there = bool(re.sub(r"—\d+—|【[^】]*】", "", before))  # its text continues there
            spans[entry.title] = (entry.page, following.page if ends_there else following.page - 1)
        else:
            tail = "年度技术交易额达375亿元。"  # the last article's last words
            spans[entry.title] = (entry.page, next(n for n, text in enumerate(texts, 1) if tail in squash(text)))

    def pages_with(term):
        return sorted(n for n, text in enumerate(texts, 1) if term in squash(text) and n > 1)

    def article_of(page, term):
        """The article that says ``term`` on ``page``."""
        here = [(title, first) for title, (first, last) in spans.items() if first <= page <= last]
        if len(here) == 2:  # the page ends one article and begins the next
            text = squash(texts[page - 1])
            begins = text.find(squash(here[1][0])[:8])
            return here[0][0] if text.find(term) < begins else here[1][0]
        return here[0][0]

    def pages_starting(term):
        """Pages where ``term`` starts, also across a page break (how search counts)."""
        found = set(pages_with(term))
        for n in range(2, len(texts)):
            joined = squash(texts[n - 1]) + squash(re.sub(r"^\s*—\s*\d+\s*—", "", texts[n]))
            if term in joined and term not in squash(texts[n - 1]) and term not in squash(texts[n]):
                found.add(n)
        return sorted(found)

    def pages_label(title):
        first, last = spans[title]
        return f"{first}" if first == last else f"{first}–{last}"

    return SimpleNamespace(texts=texts, pages=len(texts), spans=spans, pages_with=pages_with,
                           article_of=article_of, pages_starting=pages_starting, pages_label=pages_label)


def kj(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def writable(path: Path) -> Path:
    path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return path


def tamper(path: Path, offset: int = 5000) -> None:
    data = bytearray(writable(path).read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def catalogue_rows(folder: Path) -> dict:
    """The catalogue's content, without row ids."""
    db = sqlite3.connect(folder / "catalogue.sqlite")
    try:
        return {
            "issues": db.execute("SELECT issue_id, revision, current, file, bulletin, year, number, total, "
                                 "supplement, issue_date, publisher, editor, pages, size, sha256, published_at, "
                                 "recorded FROM issues ORDER BY file").fetchall(),
            "articles": db.execute("SELECT i.file, position, title, source, section, first_page, last_page "
                                   "FROM articles a JOIN issues i ON i.id = a.issue ORDER BY i.file, position").fetchall(),
            "pages": db.execute("SELECT i.file, a.position, p.page, t.text FROM pages p JOIN page_text t "
                                "ON t.rowid = p.id JOIN articles a ON a.id = p.article JOIN issues i ON i.id = a.issue "
                                "ORDER BY i.file, a.position, p.page").fetchall(),
        }
    finally:
        db.close()


# ---- publish ----------------------------------------------------------------------------

def test_publish_files_the_archive_edition_and_catalogues_it(sample_build, sample_pdf, sample, tmp_path, capsys):
    folder = tmp_path / "archive"
    code, _out, err = kj(capsys, "publish", str(sample_pdf), "--archive", str(folder))
    assert code == 0, err
    filed = folder / "2024" / "2024-02.pdf"
    data = sample_pdf.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert err.splitlines()[-1] == (f"已存档 {display_path(filed)}：2024年第2期第 1 版，{sample.pages} 页，8 篇文章，"
                                    f"{len(data) / 1e6:.2f} MB，SHA-256 {digest[:16]}…")
    assert filed.read_bytes() == data  # exactly what was built
    assert not filed.stat().st_mode & 0o222  # read-only

    ledger = [json.loads(line) for line in (folder / "published.jsonl").read_text().splitlines()]
    assert [(e["file"], e["issue"], e["revision"], e["sha256"], e["size"]) for e in ledger] == [
        ("2024/2024-02.pdf", "2024-02", 1, digest, len(data))]

    rows = catalogue_rows(folder)
    (issue,) = rows["issues"]
    assert issue[:15] == ("2024-02", 1, 1, "2024/2024-02.pdf", "科技情报参考", 2024, 2, None, 0, "2024-02-28",
                          "呼和浩特市科学技术局综合保障中心", "李涛", sample.pages, len(data), digest)
    assert issue[15] == ledger[0]["published_at"] and issue[16] == "ledger"
    assert [(a[2], a[5]) for a in rows["articles"]] == [(e.title, e.page) for e in sample_build.contents]
    assert [(a[2], a[5:]) for a in rows["articles"]] == list(sample.spans.items())
    db = sqlite3.connect(folder / "catalogue.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    # The same file again: identical to the current revision, so nothing new is filed.
    code, _out, err = kj(capsys, "publish", str(sample_pdf), "--archive", str(folder))
    assert code == 0
    assert err.splitlines()[-1] == f"2024年第2期与已存档的第 1 版 {display_path(filed)} 完全相同，未重复存档。"
    assert sorted(p.name for p in folder.rglob("*.pdf")) == ["2024-02.pdf"]
    assert not list(folder.rglob("*.lock"))  # the archive's lock goes with its holder (issue 16)


def test_publish_refuses_what_is_not_a_genuine_archive_edition(sample_build, sample_pdf, tmp_path, capsys):
    folder = tmp_path / "archive"
    proof = sample_build.pdf
    printed = next(o.path for o in sample_build.outputs if o.edition == "print")
    assert kj(capsys, "publish", str(proof), "--archive", str(folder), "-q")[2] == (
        f"错误：{display_path(proof)}: 应为存档版（XMP kjb:edition 为 archive），实际为 'proof'\n")  # PDF/UA-1 XMP
    assert kj(capsys, "publish", str(printed), "--archive", str(folder), "-q")[2] == (
        f"错误：{display_path(printed)}: 应为存档版（XMP kjb:edition 为 archive），实际为 'print'\n")
    # XMP edited (same length, the packet is not compressed): it no longer agrees with the
    # manifest embedded beside it.
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(sample_pdf.read_bytes().replace(b"<kjb:year>2024<", b"<kjb:year>2025<"))
    code, _out, err = kj(capsys, "publish", str(forged), "--archive", str(folder), "-q")
    assert code == 1
    assert err == (f"错误：{display_path(forged)}: XMP 元数据与附带的清单不符：year 在 XMP 中为 2025，"
                   "在清单中为 2024\n")
    assert not folder.exists() or not list(folder.rglob("*.pdf"))


@pytest.mark.slow
def test_republish_after_a_correction_files_a_second_revision(make_issue, tmp_path, capsys):
    manifest = make_issue()
    folder, out = tmp_path / "archive", tmp_path / "out"
    assert kj(capsys, "publish", str(manifest.parent), "--archive", str(folder), "--output", str(out))[0] == 0
    first = folder / "2024" / "2024-03.pdf"
    original = first.read_bytes()
    assert (out / "2024-03-archive.pdf").read_bytes() == original

    article = manifest.parent / "articles" / "a.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "培育管理。", "培育管理。更正：补充说明孵化器数量为十二家。"), encoding="utf-8")
    code, _out, err = kj(capsys, "publish", str(manifest), "--archive", str(folder), "--output", str(out))
    assert code == 0, err
    second = folder / "2024" / "2024-03.r2.pdf"
    assert err.splitlines()[-2].startswith(f"已存档 {display_path(second)}：2024年第3期第 2 版，")
    assert err.splitlines()[-1] == f"现行版本为第 2 版；旧版 {display_path(first)} 原样保留。"
    assert first.read_bytes() == original  # byte for byte
    assert second.read_bytes() != original

    rows = catalogue_rows(folder)
    assert [(r[0], r[1], r[2], r[3]) for r in rows["issues"]] == [
        ("2024-03", 1, 0, "2024/2024-03.pdf"), ("2024-03", 2, 1, "2024/2024-03.r2.pdf")]
    assert [e["file"] for e in map(json.loads, (folder / "published.jsonl").read_text().splitlines())] == [
        "2024/2024-03.pdf", "2024/2024-03.r2.pdf"]
    # Search sees the current revision only; the listing names the old one.
    code, out_text, _ = kj(capsys, "search", "孵化器数量", "--archive", str(folder))
    assert "1. 2024年第3期  第 1 页  《测试文章标题》" in out_text  # one article: under the masthead
    assert f"   {display_path(second)}" in out_text.splitlines()
    assert kj(capsys, "search", "双创", "--archive", str(folder))[1].count("2024年第3期") == 1
    listing = kj(capsys, "catalogue", "--archive", str(folder))[1]
    assert f"（第 2 版；旧版 {display_path(first)}）" in listing


# ---- search -----------------------------------------------------------------------------

def test_search_finds_a_term_on_its_page_with_its_article(published, sample, capsys):
    code, out, _ = kj(capsys, "search", "宁科贷", "--archive", str(published))
    assert code == 0
    lines = out.splitlines()
    pages = sample.pages_with("宁科贷")
    assert len(pages) >= 2 and lines[0].startswith(f"找到 “宁科贷” {len(pages) + 1} 处（用时 ")
    hits = {line.split(". ", 1)[1]: index for index, line in enumerate(lines) if HIT.match(line)}
    # bm25: the short page that says it twice, in its title too, first
    assert list(hits)[0] == "2023年第12期  第 2 页  《南京“宁科贷”年度投放再创新高》"
    assert set(list(hits)[1:]) == {f"2024年第2期  第 {n} 页  《{sample.article_of(n, '宁科贷')}》"
                                   for n in pages}
    ningbo = min(n for n in pages if sample.article_of(n, "宁科贷") == NINGBO_TITLE)
    hit = hits[f"2024年第2期  第 {ningbo} 页  《{NINGBO_TITLE}》"]
    assert "不断扩大“【宁科贷】”政策覆盖面" in lines[hit + 1]
    assert lines[hit + 2] == f"   {display_path(published / '2024' / '2024-02.pdf')}"


def test_text_on_a_shared_page_belongs_to_the_article_printed_there(published, sample, capsys):
    # A page that ends one article and begins the next: each part is found under its own title.
    [page] = sample.pages_with("强化分类指导")
    out = kj(capsys, "search", "强化分类指导", "--archive", str(published))[1]
    assert f"1. 2024年第2期  第 {page} 页  《{QUZHOU_TITLE}》" in out.splitlines()
    out = kj(capsys, "search", "宁科贷", "--year", "2024", "--json", "--archive", str(published))[1]
    results = json.loads(out)["results"]
    assert {(r["issue"], r["page"], r["title"]) for r in results} == {
        ("2024-02", n, sample.article_of(n, "宁科贷")) for n in sample.pages_with("宁科贷")}
    assert {r["title"] for r in results} == {NINGBO_TITLE, NANJING_123_TITLE}
    first = results[0]
    start, end = first["highlights"][0]
    assert first["snippet"][start:end] == "宁科贷"
    assert first["file"] == display_path(published / "2024" / "2024-02.pdf")


def test_a_phrase_cut_by_a_page_break_is_found_on_the_page_where_it_starts(published, capsys):
    db = sqlite3.connect(published / "catalogue.sqlite")
    # The catalogue keeps each page's own text (schema 3).
    rows = db.execute("SELECT a.title, p.page, t.text FROM pages p JOIN page_text t ON t.rowid = p.id "
                      "JOIN articles a ON a.id = p.article JOIN issues i ON i.id = a.issue "
                      "WHERE i.issue_id = '2024-02' ORDER BY a.position, p.page").fetchall()
    db.close()
    pairs = [(a, b) for a, b in zip(rows, rows[1:]) if a[0] == b[0]]
    assert pairs, "the sample has an article running over a page break"
    (title, page, text), (_, next_page, next_text) = pairs[0]
    chars = len(text)
    phrase = text[chars - 4:chars] + next_text[:4]
    assert phrase not in text and phrase not in next_text  # only across the break
    out = kj(capsys, "search", phrase, "--json", "--archive", str(published))[1]
    found = [(r["issue"], r["page"], r["title"]) for r in json.loads(out)["results"]]
    assert found == [("2024-02", page, title)]
    # A term on the next page alone is found there, not also on the page before.
    word = next_text[5:10]
    out = kj(capsys, "search", word, "--json", "--archive", str(published))[1]
    pages = [(r["issue"], r["page"]) for r in json.loads(out)["results"] if r["issue"] == "2024-02"]
    assert ("2024-02", next_page) in pages and ("2024-02", page) not in pages or word in text[:chars]


def test_han_latin_spacing_does_not_hide_a_page(published, sample, capsys):
    # The ¼ em Han–Latin spacing is folded into glyph widths: the text layer reads "2023年".
    assert not any("2023 年" in text for text in sample.texts)
    pages = [n for n in sample.pages_with("宁科贷") if "2023年" in squash(sample.texts[n - 1])]
    assert pages
    out = kj(capsys, "search", "2023年", "宁科贷", "--year", "2024", "--archive", str(published))[1]
    assert sorted(line.split(". ", 1)[1] for line in out.splitlines() if HIT.match(line)) == sorted(
        f"2024年第2期  第 {n} 页  《{sample.article_of(n, '宁科贷')}》" for n in pages)


def test_phrases_and_short_terms(published, sample, capsys):
    # A phrase: spaces between Chinese characters do not count; the words must be adjacent.
    phrase = json.loads(kj(capsys, "search", "科创金融 服务驿站", "--json", "--archive", str(published))[1])
    assert phrase["terms"] == ["科创金融服务驿站"]
    assert phrase["total"] == len(sample.pages_starting("科创金融服务驿站")) >= 2
    apart = json.loads(kj(capsys, "search", "宁科贷 发放贷款", "--json", "--archive", str(published))[1])
    assert apart["total"] == 0
    both = json.loads(kj(capsys, "search", "宁科贷", "发放贷款", "--json", "--archive", str(published))[1])
    assert {(r["issue"], r["page"]) for r in both["results"]} == {
        ("2024-02", n) for n in sample.pages_with("宁科贷") if "发放贷款" in squash(sample.texts[n - 1])}

    # Two characters: no trigram, a scan; the same pages a reader finds in the PDF's text.
    texts = page_texts(published / "2024" / "2024-02.pdf")
    expected = {n for n, text in enumerate(texts, start=1) if "驿站" in squash(text) and n > 1}
    short = json.loads(kj(capsys, "search", "驿站", "--year", "2024", "--json", "--archive", str(published))[1])
    assert {r["page"] for r in short["results"]} == expected and len(expected) >= 3
    assert all(r["snippet"][s:e] == "驿站" for r in short["results"] for s, e in r["highlights"])


def test_front_matter_and_end_block_are_not_article_text(published, capsys):
    # Masthead (page 1), the section heading 【金融动态】 and the end block are nobody's article.
    for term in ("综合保障中心", "金融动态", "市政府办公室"):
        assert kj(capsys, "search", term, "--archive", str(published))[1].startswith(f"没有找到 “{term}”")
    out = kj(capsys, "search", "成果转化专项基金", "--archive", str(published))[1]
    assert "1. 2023年第12期  第 2 页  《合肥设立科技成果转化专项基金》" in out.splitlines()


def test_search_errors(published, tmp_path, capsys):
    assert kj(capsys, "search", '""', "--archive", str(published))[2] == (
        '错误：搜索词为空：应写至少一个词，如 kjtypeset search 宁科贷，实际为“""”\n')
    code, _out, err = kj(capsys, "search", "宁科贷", "--archive", str(tmp_path / "none"))
    assert code == 1
    assert err == (f"错误：{display_path(tmp_path / 'none')}: 档案文件夹中没有目录数据库 catalogue.sqlite："
                   "存档请用 kjtypeset publish <期>（--archive 可指定档案文件夹）\n")


# ---- catalogue --------------------------------------------------------------------------

def test_catalogue_lists_years_issues_articles_and_pages(published, sample, capsys):
    out = kj(capsys, "catalogue", "--archive", str(published))[1]
    lines = out.splitlines()
    assert lines[0] == f"档案 {display_path(published)}：2 期，10 篇文章"
    assert lines[2] == "2023 年"
    assert lines[3].startswith("  2023年第12期（总第85期）  2023-12-28  2 页  ")
    assert lines[4:6] == ["    第 2 页  南京“宁科贷”年度投放再创新高", "    第 2 页  【金融动态】合肥设立科技成果转化专项基金"]
    assert lines[7] == "2024 年"
    width = max(len(sample.pages_label(title)) for title in sample.spans)
    assert lines[9:] == [f"    第 {sample.pages_label(title)} 页{' ' * (width - len(sample.pages_label(title)))}"
                         f"  {title}" for title in sample.spans]


def test_catalogue_html_is_self_contained_and_links_the_pdfs(archive, sample, capsys):
    code, _out, err = kj(capsys, "catalogue", "--html", "--archive", str(archive))
    page = archive / "index.html"
    assert code == 0 and err == f"已写出 {display_path(page)}：2 期，10 篇文章\n"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http:" not in html and "https:" not in html and "@import" not in html
    assert '<a href="2024/2024-02.pdf">2024年第2期</a>' in html
    first, _last = sample.spans[NINGBO_TITLE]
    assert f'<a href="2024/2024-02.pdf#page={first}">第 {sample.pages_label(NINGBO_TITLE)} 页</a>' in html
    assert '<a href="2023/2023-12.pdf">2023年第12期（总第85期）</a>' in html
    assert html.index('id="y2023"') < html.index('id="y2024"')
    # Written elsewhere, the links still reach the PDFs.
    elsewhere = archive.parent / "pages" / "目录.html"
    assert kj(capsys, "catalogue", "--html", str(elsewhere), "--archive", str(archive))[0] == 0
    assert '<a href="../archive/2024/2024-02.pdf">' in elsewhere.read_text(encoding="utf-8")


# ---- verify and reindex -----------------------------------------------------------------

def test_verify_reports_changed_missing_and_unknown_files(archive, capsys):
    code, out, _ = kj(capsys, "verify", "--archive", str(archive))
    assert (code, out) == (0, f"已核对档案 {display_path(archive)} 中的 2 个 PDF（目录中 2 个）：全部与存档时相同。\n")

    sample = archive / "2024" / "2024-02.pdf"
    digest = hashlib.sha256(sample.read_bytes()).hexdigest()
    tamper(sample)
    found = hashlib.sha256(sample.read_bytes()).hexdigest()
    (archive / "2023" / "2023-12.pdf").unlink()
    shutil.copy(sample, archive / "2024" / "stray.pdf")
    code, out, _ = kj(capsys, "verify", "--archive", str(archive))
    assert code == 1
    assert out.splitlines() == [
        f"已核对档案 {display_path(archive)} 中的 2 个 PDF（目录中 2 个）；3 个问题：",
        f"  缺失：{display_path(archive / '2023' / '2023-12.pdf')} 已存档，文件却不在了",
        f"  已改动：{display_path(sample)} 的 SHA-256 为 {found[:16]}…，存档时为 {digest[:16]}…（文件在存档后被修改或损坏）",
        f"  未编目：{display_path(archive / '2024' / 'stray.pdf')} 不在目录和发布记录中（不是 kjtypeset publish 存入的？）",
    ]


def test_reindex_rebuilds_a_lost_catalogue_from_the_pdfs(archive, capsys):
    before = catalogue_rows(archive)
    search_before = kj(capsys, "search", "宁科贷", "--json", "--archive", str(archive))[1]
    for lost in archive.glob("catalogue.sqlite*"):
        lost.unlink()
    code, out, _ = kj(capsys, "reindex", "--archive", str(archive))
    assert (code, out) == (0, f"已从 2 个 PDF 重建目录 {display_path(archive / 'catalogue.sqlite')}："
                              "编入 2 个文件，10 篇文章：全部与存档时相同。\n")
    assert catalogue_rows(archive) == before  # nothing lost, published times included
    after = json.loads(kj(capsys, "search", "宁科贷", "--json", "--archive", str(archive))[1])
    assert after["results"] == json.loads(search_before)["results"]
    assert kj(capsys, "verify", "--archive", str(archive))[0] == 0


def test_reindex_never_catalogues_a_tampered_file(archive, capsys):
    sample = archive / "2024" / "2024-02.pdf"
    tamper(sample)
    (archive / "catalogue.sqlite").unlink()
    code, out, _ = kj(capsys, "reindex", "--archive", str(archive))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (f"已从 2 个 PDF 重建目录 {display_path(archive / 'catalogue.sqlite')}："
                        "编入 1 个文件，2 篇文章；1 个问题：")
    assert lines[1].startswith(f"  已改动：{display_path(sample)} 的 SHA-256 为 ")
    assert lines[1].endswith("（文件在存档后被修改或损坏）；未编入目录")
    assert [r[3] for r in catalogue_rows(archive)["issues"]] == ["2023/2023-12.pdf"]
    assert "2024年第2期" not in kj(capsys, "search", "宁科贷", "--archive", str(archive))[1]
    code, out, _ = kj(capsys, "verify", "--archive", str(archive))
    assert code == 1 and f"  已改动：{display_path(sample)} 的 SHA-256 为 " in out


def test_reindex_without_a_ledger_checks_each_file_against_itself(archive, sample_pdf, capsys):
    (archive / "published.jsonl").unlink()
    # An editor's "save" in a PDF program appends an incremental update.
    edited = archive / "2024" / "2024-05.pdf"
    writer = PdfWriter(sample_pdf, incremental=True)
    writer.add_metadata({"/Title": "改过的标题"})
    writer.write(edited)
    code, out, _ = kj(capsys, "reindex", "--archive", str(archive))
    assert code == 1
    unrecorded = ("  注意：无发布记录：{} 不在发布记录 published.jsonl 中，按文件现状编入目录，"
                  "无法确认它与发布时相同")
    assert out.splitlines()[1:] == [
        f"  内容不一致：{display_path(edited)}: 文件在生成后被增量修改过（最后的交叉引用表有 /Prev）："
        "不是 kjtypeset 写出的原样；未编入目录",
        unrecorded.format(display_path(archive / "2023" / "2023-12.pdf")),
        unrecorded.format(display_path(archive / "2024" / "2024-02.pdf")),
    ]
    assert [(r[3], r[16], r[15]) for r in catalogue_rows(archive)["issues"]] == [
        ("2023/2023-12.pdf", "found", None), ("2024/2024-02.pdf", "found", None)]
    code, out, _ = kj(capsys, "verify", "--archive", str(archive))
    assert code == 1 and f"  未编目：{display_path(edited)} 不在目录和发布记录中" in out
    assert unrecorded.format(display_path(archive / "2024" / "2024-02.pdf")) in out.splitlines()


def test_publish_after_losing_the_catalogue_asks_for_reindex(archive, sample_pdf, capsys):
    (archive / "catalogue.sqlite").unlink()
    code, _out, err = kj(capsys, "publish", str(sample_pdf), "--archive", str(archive), "-q")
    assert code == 1
    assert err == (f"错误：{display_path(archive / 'catalogue.sqlite')}: 目录数据库不见了，但档案中已有发布记录："
                   "应先用 kjtypeset reindex 从存档的 PDF 重建目录，再存档\n")


def test_an_old_catalogue_is_told_to_reindex_and_reindex_brings_it_up_to_date(archive, capsys):
    """Catalogue format 2 (page text run on into the next page) before issue 15's format 3."""
    before = catalogue_rows(archive)
    search_before = json.loads(kj(capsys, "search", "宁科贷", "--json", "--archive", str(archive))[1])
    for old in archive.glob("catalogue.sqlite*"):
        old.unlink()
    db = sqlite3.connect(archive / "catalogue.sqlite")
    db.executescript("""PRAGMA journal_mode = WAL;
        CREATE TABLE issues (id INTEGER PRIMARY KEY, issue_id TEXT NOT NULL, file TEXT NOT NULL UNIQUE);
        CREATE TABLE articles (id INTEGER PRIMARY KEY, issue INTEGER NOT NULL, title TEXT NOT NULL);
        CREATE TABLE pages (id INTEGER PRIMARY KEY, article INTEGER NOT NULL, page INTEGER NOT NULL,
                            chars INTEGER NOT NULL);
        CREATE VIRTUAL TABLE page_text USING fts5(text, tokenize = 'trigram');
        INSERT INTO issues VALUES (1, '2024-02', '2024/2024-02.pdf');
        PRAGMA user_version = 2;""")
    db.close()
    path = display_path(archive / "catalogue.sqlite")
    for command in (["search", "宁科贷"], ["catalogue"], ["publish", str(archive / "2024" / "2024-02.pdf")]):
        code, _out, err = kj(capsys, *command, "--archive", str(archive))
        assert (code, err.splitlines()[-1]) == (1, f"错误：{path}: 目录数据库是旧格式（第 2 版，现为第 3 版）："
                                                   "应运行 kjtypeset reindex 从存档的 PDF 重建目录"), command
    code, out, _ = kj(capsys, "reindex", "--archive", str(archive))
    assert (code, out) == (0, f"已从 2 个 PDF 重建目录 {path}：编入 2 个文件，10 篇文章：全部与存档时相同。\n")
    assert catalogue_rows(archive) == before
    assert json.loads(kj(capsys, "search", "宁科贷", "--json", "--archive", str(archive))[1])["results"] \
        == search_before["results"]
    assert not list(archive.glob("catalogue.sqlite.*"))  # rebuilt in place, not set aside as damaged


def _simulated_archive(folder: Path, issues: int = 30):
    """A catalogue of generated issues (bench/archive_search.py's way: sentences of the sample in
    random order, pages cut anywhere), with Latin words, an address and repeated characters."""
    import random

    from kjtypeset.archive.readback import ArticleRecord, IssueRecord, PageText
    from kjtypeset.archive.store import catalogue_issue, open_catalogue
    from kjtypeset.pdf.xmp import BulletinFields

    rng = random.Random(15)
    pool = []
    for path in sorted((ROOT / "issue_sources" / "2024-02" / "articles").glob("*.md")):
        body = normalise(re.sub(r"[*#>]", "", path.read_text(encoding="utf-8").split("---", 2)[2]))
        pool += [s + "。" for s in body.split("。") if len(s) > 8]
    pool += [normalise(s) for s in ("采用 Hugging Face 平台的 GPT-4 模型。", "网址为 www.nxkjd.cn 的平台。",
                                    "ÉCOLE Polytechnique 与 école 合作。", "哈哈哈大笑。", "5G 基站 5g 建设。")]
    db = open_catalogue(folder, create=True)
    records = []
    with db:
        for index in range(issues):
            year, number = 2000 + index // 6, index % 6 + 1
            articles, page = [], 2
            for position in range(3):
                first, pages = page, []
                for _ in range(rng.choice((1, 2, 3))):
                    text = ""
                    while len(text) < rng.randrange(80, 400):
                        text += rng.choice(pool)
                    pages.append(PageText(page, text[:rng.randrange(60, len(text) + 1)]))
                    page += 1
                articles.append(ArticleRecord(f"第{index}期文章{position}", "来源", None, first, page - 1, tuple(pages)))
            fields = BulletinFields(
                issue_id=f"{year}-{number:02d}", bulletin="科技情报参考", year=year, number=number, total=index + 1,
                supplement=False, issue_date=f"{year}-{number:02d}-28", publisher="编印单位", editor="编辑",
                reviewer=None, articles=tuple(a.title for a in articles),
                article_pages=tuple(a.first_page for a in articles), edition="archive", layout="jianbao",
                generator="test")
            record = IssueRecord(fields, page, tuple(articles))
            records.append(record)
            catalogue_issue(db, record, f"{year}/{fields.issue_id}.pdf", 1, "0" * 64, 1, None, "found")
    return db, records


@pytest.mark.parametrize("counted, scanned", [(500, 400), (0, 400), (0, 0)],
                         ids=["as-shipped", "counts-from-index", "short-terms-scanned"])
def test_search_finds_exactly_the_pages_a_plain_reading_finds(tmp_path, monkeypatch, counted, scanned):
    """Search reads the index, the trigram vocabulary, page tails and seams (issue 15); the hits
    must be those of reading every page: each term starts on the page's own text, and may run
    on into the article's next page. Short terms, page ends, phrases across breaks, a year."""
    import random

    from kjtypeset.archive import search as module
    from kjtypeset.archive.search import RUN_ON, run_on, search

    # The ways a query may take, whatever the archive's size: occurrences counted in the text or
    # from the index's trigram positions, short terms through the trigrams or by a scan.
    monkeypatch.setattr(module, "COUNT_IN_TEXT", counted)
    monkeypatch.setattr(module, "MAX_TRIGRAMS", scanned)
    db, records = _simulated_archive(tmp_path)
    pages = []  # (issue, page, year, own text, own text run on into the next page)
    for record in records:
        for article in record.articles:
            for page, following in zip(article.pages, (*article.pages[1:], None)):
                pages.append((record.fields.issue_id, page.page, record.fields.year, page.text,
                              run_on(page.text, following.text if following else "")))

    def read(terms, year):
        found = set()
        for issue, number, year_, own, whole in pages:
            if year in (None, year_) and all(
                    (m := re.search(re.escape(t), whole, re.I)) and m.start() < len(own) for t in terms):
                found.add((issue, number))
        return found

    rng = random.Random(99)
    queries = [(["哈"], None), (["哈哈"], None), (["5g"], None), (["hugging face"], None), (["école"], None),
               (["www.nxkjd.cn"], None), (["科技", "金融"], 2003), (["科技型"], None), (["的"], 2001)]
    for _issue, _number, year, own, whole in rng.sample(pages, 60):
        cut = len(own)
        for length in (1, 2, 3, 5):
            start = rng.randrange(0, max(1, cut - length))
            queries.append(([own[start:start + length]], rng.choice((None, year))))
        if whole != own:  # across the break, and wholly on the next page
            for before, after in ((1, 1), (1, 2), (2, 3), (4, 4)):
                queries.append(([whole[cut - before:cut + after]], None))
            queries.append(([whole[cut + 1:cut + 3]], None))
        queries.append(([own[-2:]], None))
        queries.append(([own[-1:], own[:3]], None))
    checked = 0
    for terms, year in queries:
        query = parse_query(terms)
        if any(len(t) > RUN_ON for t in query.terms):
            continue
        result = search(db, query, year=year, limit=10 ** 6)
        assert {(h.issue_id, h.page) for h in result.hits} == read(query.terms, year), (terms, year)
        assert result.total == len(result.hits)
        checked += 1
        if len(query.terms) == 1 and len(query.terms[0]) < 3 and result.hits:
            # Ranked by how often the term occurs on the page (a term cut by the break counts once).
            texts = {(i, n): w[:len(o) + len(query.terms[0]) - 1] for i, n, _y, o, w in pages}
            counts = [len(re.findall(re.escape(query.terms[0]), texts[(h.issue_id, h.page)], re.I))
                      for h in result.hits]
            assert counts == sorted(counts, reverse=True), terms
    assert checked > 400
    db.close()


# ---- the pieces -------------------------------------------------------------------------

def test_normalise_removes_layout_spaces_only():
    assert normalise("2023 年，“宁科\n贷”余额 6.2 亿元") == "2023年，“宁科贷”余额6.2亿元"
    assert normalise("推出“鑫 e 科企”与 IPO 前期\u2060筹备") == "推出“鑫e科企”与IPO前期筹备"
    assert normalise("Smart\n  City 计划") == "Smart City计划"
    # Addresses cut where the composer breaks them: after "https:", before a hyphen, a dot or an
    # e-mail's "@" (typography/cjk.py), not two words; a name before an address stays a word.
    assert normalise("见https:\n//ec.europa.eu/info/funding\n-tenders，邮箱RTD-HORIZON\n-EUROPE-INFO\n@ec.europa.eu") \
        == "见https://ec.europa.eu/info/funding-tenders，邮箱RTD-HORIZON-EUROPE-INFO@ec.europa.eu"
    assert normalise("write to John smith@example.com") == "write to John smith@example.com"
    assert parse_query(['宁科贷 "科创金融 服务驿站"', "2023 年"]).terms == ("宁科贷", "科创金融服务驿站", "2023年")
    assert parse_query(["科创金融 服务驿站"]).terms == ("科创金融服务驿站",)


def test_split_articles_shares_pages_and_stops_at_the_end_block():
    pages = ["目录 甲文章……2", "甲文章\n甲的正文。\n【栏目】\n乙文章\n乙的正文\n— 2 —",
             "乙的续文。\n编印：某单位 2024年1月1日印发\n— 3 —"]
    parts = split_articles(pages, ("甲文章", "乙文章"), (2, 2), [None, "栏目"], ["编印：某单位"])
    assert [[(p.page, p.text) for p in part] for part in parts] == [
        [(2, "甲文章甲的正文。")], [(2, "乙文章乙的正文"), (3, "乙的续文。")]]
    with pytest.raises(ValueError, match="《乙文章》的起始页 4 不在本文件的 3 页之内"):
        split_articles(pages, ("甲文章", "乙文章"), (2, 4), [None, None], [])


def test_read_archive_pdf_checks_the_embedded_sources(sample_build, sample_pdf, sample, tmp_path):
    record = read_archive_pdf(sample_pdf.read_bytes(), sample_pdf)
    assert record.fields.issue_id == "2024-02" and record.pages == sample.pages
    assert record.fields.edition == "archive"
    assert record.fields.articles == tuple(e.title for e in sample_build.contents)
    assert record.fields.article_pages == tuple(e.page for e in sample_build.contents)
    # The file rewritten whole (no incremental update) with one attachment's content changed:
    # the MD5 recorded beside the attachment gives it away.
    writer = PdfWriter(clone_from=sample_pdf)
    for spec in writer.root_object["/AF"]:
        spec = spec.get_object()
        if spec["/UF"] == "issue.yaml":
            stream = spec["/EF"]["/F"].get_object()
            stream.set_data(stream.get_data().replace("editor: 李涛".encode(), "editor: 王五".encode()))
    forged = tmp_path / "forged.pdf"
    writer.write(forged)
    with pytest.raises(KjError) as failure:
        read_archive_pdf(forged.read_bytes(), forged)
    assert str(failure.value) == (f"{display_path(forged)}: 附件 'issue.yaml' 的内容与其记录的大小或校验和不符："
                                  "文件已损坏或被改动")
