"""The desk (issue 18 items 1, 2, 4, 5) through its web app, in-process (Starlette's TestClient).

What the editor sees: the issue list and its states, a new issue with the CLI's checks and
confirmation, masthead fields with the CLI's messages beside the right field, the article
list reordered, sectioned and pruned with issue.yaml changed only where it must (comments
kept), imports with their report, the archive room's search and shelves.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from pathlib import Path

import pytest

from desk_project import ARTICLES, MANIFEST, client, docx_bytes, files_under, make_project, token
from kjtypeset.errors import collecting_warnings
from kjtypeset.inputs.manifest import load_manifest


@pytest.fixture
def desk(tmp_path, monkeypatch):
    root = tmp_path / "科技情报参考"
    manifest = make_project(root)
    monkeypatch.chdir(root)  # messages name files relative to here, as the CLI's do
    http = client(root)
    yield root, manifest, http, token(http)


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# -- the issue list --------------------------------------------------------------------------

def test_the_issue_list_shows_each_issue_with_its_state(desk, tmp_path):
    from PIL import Image

    root, manifest, http, _csrf = desk
    make_project(root, MANIFEST.replace("number: 3 ", "number: 4 ").replace("2024-03-29", "2024-04-26"),
                 issue="2024-04")
    output = root / "output" / "2024-03"
    output.mkdir(parents=True)
    pages = [Image.new("RGB", (210, 297), "white") for _ in range(3)]
    pages[0].save(output / "2024-03.pdf", save_all=True, append_images=pages[1:])
    later = (output / "2024-03.pdf").stat().st_mtime + 60
    os.utime(root / "issue_sources" / "2024-03" / "articles" / "a.md", (later, later))  # edited after the build

    page = http.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    rows = re.findall(r'<tr class="state-(\w+)">\s*<td><a href="/issues/([^/]+)/">.*?</tr>', page.text, re.S)
    assert rows == [("draft", "2024-04"), ("built", "2024-03")]  # newest first
    built = page.text[page.text.index("state-built"):]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", built[:built.index("</tr>")], re.S)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in cells] == [
        "2024-03", "2024年第3期", "2024-03-29", "3 篇", "已排版", "3", "排版之后又有改动"]


# -- a new issue -----------------------------------------------------------------------------

def test_a_new_issue_is_made_as_kjtypeset_new_makes_it_after_the_same_confirmation(desk):
    root, manifest, http, csrf = desk
    # Two months after the previous issue: `new` asks first (a missing issue?), so does the desk.
    form = {"csrf": csrf, "previous": "2024-03", "date": "2024-05-30"}
    asked = http.post("/issues/new", data=form)
    assert asked.status_code == 200
    question = re.search(r'<p class="question" role="alert">(.*?)</p>', asked.text, re.S).group(1)
    assert question == ("新一期将是 2024年第4期，印发日期 2024-05-30（在上面指定）：距上一期 2024-03"
                        "（2024-03-29）已有 62 天，而各期通常相隔约 31 天，中间像是少了几期。日期不对时请改正印发日期后再创建。")
    assert not (root / "issue_sources" / "2024-04").exists()

    made = http.post("/issues/new", data={**form, "confirmed": "2024-04"})
    assert made.status_code == 303 and made.headers["location"] == "/issues/2024-04?new=1"
    new = root / "issue_sources" / "2024-04" / "issue.yaml"
    text = new.read_text(encoding="utf-8")
    assert "由 kjtypeset new 从 2024-03 生成" in text  # the same manifest `new` writes
    with collecting_warnings():
        made_issue = load_manifest(new, with_articles=False)
    assert (made_issue.number, made_issue.date, made_issue.phone) == (4, dt.date(2024, 5, 30), "4366683")

    # The folder the next issue would take is there already (say, copied in by hand): refused.
    (root / "issue_sources" / "2024-05").mkdir()
    again = http.post("/issues/new", data={"csrf": csrf, "previous": "2024-04", "date": "2024-06-28"})
    assert again.status_code == 400
    message = re.search(r'<p class="error" role="alert">(.*?)</p>', again.text, re.S).group(1)
    assert message == ("错误：issue_sources/2024-05: 这一期的文件夹已经存在，不会覆盖：应先确认是否已建过这一期"
                       "（确要重写其中的 issue.yaml，加 --force；文章文件不会动）")
    assert list((root / "issue_sources" / "2024-05").iterdir()) == []


def test_a_new_issue_dated_before_the_previous_one_is_refused_with_the_clis_message(desk):
    root, _manifest, http, csrf = desk
    refused = http.post("/issues/new", data={"csrf": csrf, "previous": "2024-03", "date": "2024-02-01"})
    assert refused.status_code == 400
    message = re.search(r'<p class="error" role="alert">(.*?)</p>', refused.text, re.S).group(1)
    assert message == ("错误：issue_sources/2024-03/issue.yaml:5: 新一期的印发日期 2024-02-01 早于这一期的印发日期 "
                       "2024-03-29：应用 --date 指定不早于它的日期")
    assert sorted(p.name for p in (root / "issue_sources").iterdir()) == ["2024-03"]


# -- the masthead --------------------------------------------------------------------------------

FORM = {"bulletin": "科技情报参考", "year": "2024", "number": "3", "total": "", "date": "2024-03-29",
        "publisher": "呼和浩特市科学技术局综合保障中心", "editor": "李涛", "reviewer": "", "phone": "4366683",
        "copies": "", "classification": "", "distribution": "", "layout": ""}


def test_a_field_error_is_the_clis_message_beside_its_field_and_nothing_is_written(desk):
    root, manifest, http, csrf = desk
    before = manifest.read_bytes()
    answer = http.post("/issues/2024-03/fields", data={**FORM, "number": "二"}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 422
    result = answer.json()
    assert result["ok"] is False
    assert result["errors"] == {"number": "错误：issue_sources/2024-03/issue.yaml:4: number（期号）应为正整数，实际为“二”"}
    assert manifest.read_bytes() == before

    emptied = http.post("/issues/2024-03/fields", data={**FORM, "editor": " "}, headers={"X-CSRF-Token": csrf}).json()
    assert emptied["errors"] == {"editor": "错误：issue_sources/2024-03/issue.yaml:7: editor（编辑）应为文本，实际为空值"}
    bad_date = http.post("/issues/2024-03/fields", data={**FORM, "date": "2024-02-30"},
                         headers={"X-CSRF-Token": csrf}).json()
    assert bad_date["errors"] == {
        "date": "错误：issue_sources/2024-03/issue.yaml:5: date（印发日期）应为日期（如 2024-02-28），实际为“2024-02-30”："
                "2024年2月只有29天"}
    assert manifest.read_bytes() == before


def test_saving_fields_changes_only_their_lines_and_keeps_comments_and_quotes(desk):
    root, manifest, http, csrf = desk
    before = manifest.read_text(encoding="utf-8")
    result = http.post("/issues/2024-03/fields", headers={"X-CSRF-Token": csrf},
                       data={**FORM, "phone": "4366684", "total": "87", "copies": "150",
                             "distribution": "报：市委办公室、市政府办公室\n送：自治区科技厅"}).json()
    assert result["ok"] is True and sorted(result["changed"]) == ["copies", "distribution", "phone", "total"]
    after = manifest.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "+total: 87", '-phone: "4366683"', '+phone: "4366684"', "+copies: 150",
        "+distribution:", "+  报: [市委办公室, 市政府办公室]", "+  送: [自治区科技厅]"]
    # Saving the same values again writes nothing.
    again = http.post("/issues/2024-03/fields", headers={"X-CSRF-Token": csrf},
                      data={**FORM, "phone": "4366684", "total": "87", "copies": "150",
                            "distribution": "报：市委办公室、市政府办公室\n送：自治区科技厅"}).json()
    assert again["ok"] is True and again["changed"] == []
    # Emptying an optional field takes its line out, nothing else.
    http.post("/issues/2024-03/fields", headers={"X-CSRF-Token": csrf},
              data={**FORM, "phone": "4366684", "total": "", "copies": "150",
                    "distribution": "报：市委办公室、市政府办公室\n送：自治区科技厅"})
    assert changed_lines(after, manifest.read_text(encoding="utf-8")) == ["-total: 87"]


def test_a_warning_is_shown_beside_its_field_as_the_cli_prints_it_and_the_change_is_saved(desk):
    root, manifest, http, csrf = desk
    result = http.post("/issues/2024-03/fields", data={**FORM, "year": "2025"}, headers={"X-CSRF-Token": csrf}).json()
    assert result["ok"] is True and result["changed"] == ["year"]
    with collecting_warnings() as printed:  # what `kjtypeset build` prints for the saved file
        load_manifest(manifest)
    assert [f"警告：{w}" for w in printed] == result["warnings"]["year"]
    assert result["warnings"]["year"][0].startswith("警告：issue_sources/2024-03/issue.yaml:3: year（年份）为 2025")


# -- the article list --------------------------------------------------------------------------

def test_reordering_and_sections_move_entries_with_their_comments(desk):
    root, manifest, http, csrf = desk
    answer = http.post("/issues/2024-03/arrange", headers={"X-CSRF-Token": csrf}, json={"articles": [
        {"file": "articles/c.md", "section": None}, {"file": "articles/a.md", "section": "科技金融"},
        {"file": "articles/b.md", "section": "科技金融"}]})
    assert answer.json() == {"ok": True, "changed": True}
    assert manifest.read_text(encoding="utf-8").split("articles:\n")[1] == (
        "  - articles/c.md\n"
        "  - {file: articles/a.md, section: 科技金融} # 第一篇\n"
        "  # 第二篇是转载，来源待核\n"
        "  - {file: articles/b.md, section: 科技金融}\n")
    with collecting_warnings():
        listed = load_manifest(manifest).articles
    assert [(ref.path.name, ref.section) for ref in listed] == [("c.md", None), ("a.md", "科技金融"), ("b.md", "科技金融")]
    # The list on the page follows.
    fragment = http.get("/issues/2024-03/articles").text
    assert re.findall(r'data-file="([^"]+)"', fragment) == ["articles/c.md", "articles/a.md", "articles/b.md"]
    assert re.findall(r'<span class="title">(.*?)</span>', fragment) == [
        "乌海设立科技成果转化基金", "鄂尔多斯建成氢能重卡示范线", "包头稀土新材料产业园扩容"]


def test_removing_an_article_moves_its_file_to_the_trash_and_never_deletes_it(desk):
    root, manifest, http, csrf = desk
    folder = manifest.parent
    answer = http.post("/issues/2024-03/remove", headers={"X-CSRF-Token": csrf},
                       json={"index": 1, "file": "articles/b.md"}).json()
    assert answer == {"ok": True, "message": "已从文章列表中移去 articles/b.md，文件移到了 "
                                             "issue_sources/2024-03/回收站/b.md（没有删除）"}
    assert not (folder / "articles" / "b.md").exists()
    assert (folder / "回收站" / "b.md").read_text(encoding="utf-8") == ARTICLES["articles/b.md"]
    assert "b.md" not in manifest.read_text(encoding="utf-8")
    assert "# 第一篇" in manifest.read_text(encoding="utf-8")
    # A stale page (the list changed meanwhile) changes nothing.
    stale = http.post("/issues/2024-03/remove", headers={"X-CSRF-Token": csrf}, json={"index": 1, "file": "articles/b.md"})
    assert stale.status_code == 409 and "请刷新网页后再删除" in stale.json()["error"]


# -- imports --------------------------------------------------------------------------------------

def test_dropped_files_are_imported_with_the_import_report(desk):
    root, manifest, http, csrf = desk
    text = "赤峰建设农牧业科技园区\n\n赤峰市新建农牧业科技园区3个,引进企业28家。\n\n园区年产值达到15亿元 。\n"
    word = docx_bytes("通辽推进玉米种业创新", ["通辽市建成玉米育种联合实验室。", "今年新审定品种5个。"])
    answer = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf}, files=[
        ("files", ("赤峰 园区.txt", text.encode("gb18030"), "text/plain")),
        ("files", ("通辽种业.docx", word, "application/octet-stream"))])
    result = answer.json()
    assert answer.status_code == 200 and result["ok"] is True
    lines = result["lines"]
    assert lines[:2] == ["赤峰 园区.txt：找到 1 篇文章",
                         "  《赤峰建设农牧业科技园区》2 段 → issue_sources/2024-03/articles/01-赤峰建设农牧业科技园区.md"]
    assert "通辽种业.docx：找到 1 篇文章" in lines
    assert "  《通辽推进玉米种业创新》2 段 → issue_sources/2024-03/articles/02-通辽推进玉米种业创新.md" in lines
    assert "  注意：文件不是 UTF-8 编码，已按 GBK（GB18030） 读取" in lines
    body = (manifest.parent / "articles" / "01-赤峰建设农牧业科技园区.md").read_text(encoding="utf-8")
    assert "引进企业28家。" in body and "达到15亿元。" in body  # repaired as `import` repairs text
    assert manifest.read_text(encoding="utf-8").endswith(
        "  - articles/01-赤峰建设农牧业科技园区.md\n  - articles/02-通辽推进玉米种业创新.md\n")
    assert sorted(p.name for p in (manifest.parent / "原稿").iterdir()) == ["赤峰园区.txt", "通辽种业.docx"]


def test_an_import_that_fails_leaves_the_issue_as_it_was(desk):
    root, manifest, http, csrf = desk
    before = files_under(manifest.parent)
    twice = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf}, files=[
        ("files", ("新稿.txt", "赤峰建设农牧业科技园区\n\n赤峰市新建农牧业科技园区3个。\n".encode(), "text/plain")),
        ("files", ("a.txt", "鄂尔多斯建成氢能重卡示范线\n\n今年以来，鄂尔多斯市氢能重卡示范线累计运营里程突破120万公里。\n".encode(),
                   "text/plain"))])
    assert twice.status_code == 422
    assert twice.json()["error"] == ("错误：issue_sources/2024-03/原稿/a.txt: 《鄂尔多斯建成氢能重卡示范线》本期已经有了："
                                     "issue_sources/2024-03/articles/a.md（同一稿件导入了两次？）：没有导入任何文件；"
                                     "确要再导入一份，加 --again")
    assert files_under(manifest.parent) == before


# -- the archive room --------------------------------------------------------------------------

def catalogue(archive: Path) -> None:
    """Three issues over two years, catalogued as publish does (the PDFs stand in)."""
    import hashlib

    from kjtypeset.archive.readback import ArticleRecord, IssueRecord, PageText
    from kjtypeset.archive.store import catalogue_issue, open_catalogue
    from kjtypeset.pdf.xmp import BulletinFields

    texts = {
        ("2023-11", 1): ["呼和浩特市新认定科技企业孵化器4家、众创空间6家，孵化面积超过10万平方米。"],
        ("2024-02", 1): ["南京不断扩大“宁科贷”政策覆盖面，扶持对象扩大至科技型中小企业。",
                         "科创金融服务驿站在各区设立，为企业提供融资对接。"],
        ("2024-02", 2): ["合肥市众创空间数量居全省首位，孵化器在孵企业超过2000家。"],
        ("2024-03", 1): ["赤峰建设农牧业科技园区3个，引进企业28家。"],
    }
    db = open_catalogue(archive, create=True)
    with db:
        for issue_id in ("2023-11", "2024-02", "2024-03"):
            year, number = int(issue_id[:4]), int(issue_id[5:])
            articles = tuple(ArticleRecord(f"{issue_id} 第{n}篇", None, None, 2 * n, 2 * n,
                                           tuple(PageText(2 * n + i, t) for i, t in enumerate(texts[(issue_id, n)])))
                             for n in (1, 2) if (issue_id, n) in texts)
            fields = BulletinFields(issue_id, "科技情报参考", year, number, None, False, f"{issue_id}-20", "编印单位",
                                    "李涛", None, tuple(a.title for a in articles), (), "archive", "jianbao", "test")
            data = f"%PDF-1.7 {issue_id}".encode()
            file = f"{year}/{issue_id}.pdf"
            (archive / file).parent.mkdir(parents=True, exist_ok=True)
            (archive / file).write_bytes(data)
            catalogue_issue(db, IssueRecord(fields, 6, articles), file, 1, hashlib.sha256(data).hexdigest(),
                            len(data), "2024-03-01T10:00:00+08:00", "found")
    db.close()


def hits(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="hit" href="([^"]+)".*?<span class="title">(.*?)</span>', page, re.S)


def test_the_archive_room_searches_as_the_cli_does(desk):
    root, _manifest, http, _csrf = desk
    catalogue(root / "archive")
    found = http.get("/archive", params={"q": "宁科贷"}).text
    assert hits(found) == [("/archive/pdf/2024/2024-02.pdf#page=2", "《2024-02 第1篇》")]
    snippet = re.search(r'<p class="snippet">(.*?)</p>', found).group(1)
    # As the CLI's: the page's text runs on into the article's next page (archive/search.py).
    assert snippet == "南京不断扩大“<mark>宁科贷</mark>”政策覆盖面，扶持对象扩大至科技型中小企业。科创金融服务驿站在各区设立，为企业提供融资对接。"
    # Words separated by spaces must all occur; a quoted phrase ignores spaces between Han.
    both = hits(http.get("/archive", params={"q": "孵化器 众创空间"}).text)
    assert sorted(both) == [("/archive/pdf/2023/2023-11.pdf#page=2", "《2023-11 第1篇》"),
                            ("/archive/pdf/2024/2024-02.pdf#page=4", "《2024-02 第2篇》")]
    assert hits(http.get("/archive", params={"q": "孵化器 众创空间", "year": "2023"}).text) == [
        ("/archive/pdf/2023/2023-11.pdf#page=2", "《2023-11 第1篇》")]
    assert hits(http.get("/archive", params={"q": '"科创金融 服务驿站"'}).text) == [
        ("/archive/pdf/2024/2024-02.pdf#page=3", "《2024-02 第1篇》")]
    none = http.get("/archive", params={"q": "宁科贷 赤峰"}).text
    assert hits(none) == [] and "没有找到 “宁科贷” “赤峰”" in none
    # The hit opens the PDF the desk serves.
    pdf = http.get("/archive/pdf/2024/2024-02.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.7 2024-02"


def test_the_archive_room_browses_by_year_with_each_files_verify_state(desk):
    root, _manifest, http, _csrf = desk
    catalogue(root / "archive")
    (root / "archive" / "2024" / "2024-03.pdf").chmod(0o644)
    (root / "archive" / "2024" / "2024-03.pdf").write_bytes(b"%PDF-1.7 changed")
    shelf = http.get("/archive").text  # the newest year
    titles = re.findall(r'<section class="card shelf-issue">\s*<h2><a [^>]+>(.*?)</a>', shelf)
    assert titles == ["2024年第2期", "2024年第3期"]
    states = re.findall(r'<p class="verify">\s*<span class="badge (\w+)">(.*?)</span>', shelf)
    assert states[0] == ("note", "无发布记录：archive/2024/2024-02.pdf 不在发布记录 published.jsonl 中，按文件现状编入目录，"
                                 "无法确认它与发布时相同")
    assert states[1][0] == "bad" and states[1][1].startswith("已改动：archive/2024/2024-03.pdf 的 SHA-256 为")
    older = http.get("/archive", params={"year": "2023"}).text
    assert re.findall(r'<section class="card shelf-issue">\s*<h2><a [^>]+>(.*?)</a>', older) == ["2023年第11期"]


def test_the_supplement_box_writes_and_takes_out_one_line(desk):
    root, manifest, http, csrf = desk
    before = manifest.read_text(encoding="utf-8")
    checked = http.post("/issues/2024-03/fields", headers={"X-CSRF-Token": csrf},
                        data={**FORM, "supplement": ["", "true"]}).json()  # the hidden "", then the box
    assert checked["ok"] is True and checked["changed"] == ["supplement"]
    assert changed_lines(before, manifest.read_text(encoding="utf-8")) == ["+supplement: true"]
    assert checked["warnings"]["supplement"] == [
        "警告：issue_sources/2024-03/issue.yaml:5: supplement: true（增刊），但文件夹名 2024-03 是正刊的写法："
        "增刊的文件夹应为 <年>-zk<期>，如 2024-zk01"]
    unchecked = http.post("/issues/2024-03/fields", headers={"X-CSRF-Token": csrf},
                          data={**FORM, "supplement": ""}).json()
    assert unchecked["changed"] == ["supplement"] and manifest.read_text(encoding="utf-8") == before
    # A form that does not send the box leaves it alone.
    assert http.post("/issues/2024-03/fields", headers={"X-CSRF-Token": csrf}, data={"number": "3"}).json()["changed"] == []
