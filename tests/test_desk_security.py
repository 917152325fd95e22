"""The desk's guards (issue 18 item 7), tried the way an attacker would, in-process (no network):
path traversal, oversized and wrong-type uploads, cross-site POSTs, requests without a session
when a password is set, a rebound DNS name, and the CLI's refusals for other addresses."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from desk_project import client, files_under, make_project, token
from kjtypeset.desk.security import check_password, hash_password, set_password


@pytest.fixture
def desk(tmp_path, monkeypatch):
    root = tmp_path / "简报"
    manifest = make_project(root)
    (tmp_path / "secret.txt").write_text("不该被读到的内容", encoding="utf-8")
    monkeypatch.chdir(root)
    http = client(root)
    return root, manifest, http, token(http)


def test_paths_from_the_client_never_reach_the_disk(desk):
    root, manifest, http, csrf = desk
    for probe in ("/issues/..%2F..%2Fsecret.txt/", "/issues/../../secret.txt", "/issues/2024-03/download/..%2Fissue.yaml",
                  "/issues/2024-03/download/proof", "/archive/pdf/..%2F..%2Fsecret.txt", "/archive/pdf/2024/..%2F..%2Fsecret.pdf",
                  "/static/..%2Fserver.py", "/static/../security.py", "/issues/2024-03/articles/../issue.yaml",
                  "/issues/2024-03/preview/page/..%2F..%2Fissue.yaml.png"):
        answer = http.get(probe)
        assert answer.status_code == 404, probe
        assert "不该被读到" not in answer.text and "bulletin:" not in answer.text
    before = files_under(root)
    # The article list takes files as keys into the list, never as paths.
    moved = http.post("/issues/2024-03/arrange", headers={"X-CSRF-Token": csrf}, json={"articles": [
        {"file": "../../secret.txt", "section": None}, {"file": "articles/b.md", "section": None},
        {"file": "articles/c.md", "section": None}]})
    assert moved.status_code == 409
    assert moved.json()["error"] == ("错误：issue_sources/2024-03/issue.yaml: 文章列表已在别处改动（与网页上的不一致）："
                                     "请刷新网页后再调整")
    gone = http.post("/issues/2024-03/remove", headers={"X-CSRF-Token": csrf}, json={"index": 0, "file": "../../secret.txt"})
    assert gone.status_code == 409
    # An upload's name is only text: the desk chooses where it goes (原稿/ in the issue).
    upload = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf}, files=[
        ("files", ("../../../../evil/赤峰.txt", "赤峰建设农牧业科技园区\n\n赤峰市新建园区3个。\n".encode(), "text/plain"))])
    assert upload.status_code == 200
    after = files_under(root)
    added = sorted(set(after) - set(before))
    assert added == ["issue_sources/2024-03/articles/01-赤峰建设农牧业科技园区.md", "issue_sources/2024-03/原稿/赤峰.txt"]
    assert not (root.parent / "evil").exists()
    assert files_under(root.parent / "secret.txt") == {}  # untouched (a file, not a folder)


def test_imported_html_cannot_read_files_outside_the_upload(desk):
    root, manifest, http, csrf = desk
    page = ("<html><head><title>乌兰察布数据中心集群扩容</title></head><body><h1>乌兰察布数据中心集群扩容</h1>"
            "<p>乌兰察布市新增数据中心机架2万个。</p><img src='../../../../secret.txt'><img src='file:///etc/passwd'>"
            "<img src='/etc/hostname'><p>图1 机房外景</p></body></html>")
    answer = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf},
                       files=[("files", ("集群.html", page.encode(), "text/html"))])
    lines = answer.json()["lines"]
    assert "    注意：找不到网页保存的图片或格式不支持：../../../../secret.txt" in lines
    assert "    注意：找不到网页保存的图片或格式不支持：file:///etc/passwd" in lines
    article = root / "issue_sources/2024-03/articles/01-乌兰察布数据中心集群扩容.md"
    assert "不该被读到" not in article.read_text(encoding="utf-8")
    assert sorted(p.name for p in article.parent.iterdir()) == ["01-乌兰察布数据中心集群扩容.md", "a.md", "b.md", "c.md"]


def test_oversized_uploads_are_refused_and_nothing_is_written(tmp_path, monkeypatch):
    root = tmp_path / "简报"
    make_project(root)
    monkeypatch.chdir(root)
    http = client(root, max_upload=100_000)
    csrf = token(http)
    before = files_under(root)
    big = ("赤峰建设农牧业科技园区\n\n" + "赤峰市新建园区。" * 20_000).encode()
    declared = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf},
                         files=[("files", ("大文件.txt", big, "text/plain"))])
    assert declared.status_code == 413
    assert declared.json()["error"] == "错误：一次上传的文件共 0.5 MB，超过上限 0.1 MB：请分几次上传"

    def chunks():  # no Content-Length: the body is counted as it arrives
        boundary = b"--kjdesk"
        yield boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'
        for _ in range(40):
            yield b"x" * 10_000
        yield b"\r\n" + boundary + b"--\r\n"

    streamed = http.post("/issues/2024-03/import", content=chunks(),
                         headers={"X-CSRF-Token": csrf, "Content-Type": "multipart/form-data; boundary=kjdesk"})
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "错误：一次上传的文件超过上限 0.1 MB：请分几次上传"
    assert files_under(root) == before


def test_uploads_of_the_wrong_type_are_refused_with_the_importers_message(desk):
    root, manifest, http, csrf = desk
    before = files_under(root)
    for name, data, message in (
        ("报告.pdf", b"%PDF-1.7\n", "错误：issue_sources/2024-03/原稿/报告.pdf: 不支持的文件类型 '.pdf'："
                                    "PDF 请先复制其中的文字，存为 .txt 或用 - 从标准输入粘贴"),
        ("setup.exe", b"MZ\x90\x00", "错误：issue_sources/2024-03/原稿/setup.exe: 不支持的文件类型 '.exe'："
                                      "应为 .docx（Word）、.txt（文字）或 .html（网页）"),
        ("旧稿.doc", b"\xd0\xcf\x11\xe0", "错误：issue_sources/2024-03/原稿/旧稿.doc: 不支持的文件类型 '.doc'："
                                          "旧版 Word 文件（.doc）请先在 Word 或 WPS 中“另存为” .docx"),
    ):
        answer = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf},
                           files=[("files", (name, data, "application/octet-stream"))])
        assert (answer.status_code, answer.json()["error"]) == (422, message)
    picture = http.post("/issues/2024-03/import", headers={"X-CSRF-Token": csrf},
                        files=[("files", ("照片.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "application/octet-stream"))])
    assert picture.status_code == 422
    assert picture.json()["error"].startswith("错误：issue_sources/2024-03/原稿/照片.docx: 不是有效的 .docx 文件")
    assert files_under(root) == before


def test_cross_site_posts_and_posts_without_the_token_are_refused(desk):
    root, manifest, http, csrf = desk
    before = files_under(root)
    form = {"number": "4"}
    assert http.post("/issues/2024-03/fields", data=form, headers={"X-CSRF-Token": csrf,
                                                                   "Origin": "http://evil.example"}).json() == {
        "ok": False, "error": "拒绝：这个请求来自别的网站（http://evil.example），不是编辑台自己的网页"}
    for headers in ({}, {"X-CSRF-Token": "guessed"}, {"X-CSRF-Token": ""}):
        refused = http.post("/issues/2024-03/fields", data=form, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["error"] == "拒绝：缺少或不符的表单校验码（网页已过期？请刷新后重试）"
    # A form posted from another site arrives without the session (SameSite=Strict): refused too.
    stranger = client(root)
    assert stranger.post("/issues/new", data={"csrf": csrf, "previous": "2024-03"}).status_code == 403
    assert stranger.post("/issues/2024-03/build").status_code == 403
    assert files_under(root) == before
    # The page's own token, from the page's own origin, works.
    ok = http.post("/issues/2024-03/fields", data={**form, "csrf": csrf}, headers={"Origin": "http://127.0.0.1:8080"})
    assert ok.status_code == 200


def test_a_rebound_dns_name_is_refused_on_loopback(desk):
    _root, _manifest, http, _csrf = desk
    answer = http.get("/", headers={"Host": "attacker.example:8080"})
    assert (answer.status_code, answer.text) == (403, "拒绝：编辑台只接受本机地址（127.0.0.1、localhost）的访问")
    assert http.get("/", headers={"Host": "localhost:8080"}).status_code == 200


@pytest.fixture(scope="module")
def password_hash():
    return hash_password("正确的密码 horse battery")


@pytest.mark.slow
def test_with_a_password_nothing_is_served_without_signing_in(tmp_path, monkeypatch, password_hash):
    root = tmp_path / "简报"
    make_project(root)
    monkeypatch.chdir(root)
    http = client(root, host="0.0.0.0", password=password_hash, tls=True)
    page = http.get("/issues/2024-03/", headers={"Accept": "text/html"})
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2Fissues%2F2024-03%2F")
    before = files_under(root)
    for method, path in (("GET", "/archive"), ("GET", "/issues/2024-03/articles"), ("GET", "/issues/2024-03/download/proof"),
                         ("GET", "/issues/2024-03/preview/events"), ("POST", "/issues/2024-03/fields"),
                         ("POST", "/issues/2024-03/build"), ("POST", "/issues/new")):
        answer = http.request(method, path)
        assert (answer.status_code, answer.text) == (401, "需要先登录编辑台"), path
    assert files_under(root) == before

    login = http.get("/login?next=%2Fissues%2F2024-03%2F")
    csrf = token(http, "/login")
    assert "登录编辑台" in login.text
    wrong = http.post("/login", data={"csrf": csrf, "password": "猜一个"})
    assert wrong.status_code == 401 and "密码不对，请重新输入" in wrong.text
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    right = http.post("/login?next=%2Fissues%2F2024-03%2F", data={"csrf": csrf, "password": "正确的密码 horse battery"})
    assert (right.status_code, right.headers["location"]) == (303, "/issues/2024-03/")
    assert http.get("/issues/2024-03/").status_code == 200
    # Signing in made a new token: the one from before no longer works.
    assert http.post("/issues/2024-03/fields", data={"number": "3"}, headers={"X-CSRF-Token": csrf}).status_code == 403
    assert http.post("/issues/2024-03/fields", data={"number": "3"},
                     headers={"X-CSRF-Token": token(http, "/issues/2024-03/")}).status_code == 200
    # Never sent on to another site after signing in.
    assert http.post("/login?next=//evil.example/", data={"csrf": token(http, "/issues/2024-03/"),
                                                         "password": "x"}).status_code in (303, 401)
    elsewhere = client(root, host="0.0.0.0", password=password_hash, tls=True)
    csrf = token(elsewhere, "/login")
    sent = elsewhere.post("/login?next=//evil.example/", data={"csrf": csrf, "password": "正确的密码 horse battery"})
    assert sent.headers["location"] == "/"


@pytest.mark.slow
def test_the_password_is_stored_as_an_scrypt_hash_only_its_owner_reads(tmp_path):
    path = set_password(tmp_path, "至少八个字符的密码")
    stored = path.read_text(encoding="utf-8")
    assert "至少八个字符的密码" not in stored and '"password": "scrypt$131072$8$1$' in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    import json

    hashed = json.loads(stored)["password"]
    assert check_password(hashed, "至少八个字符的密码") and not check_password(hashed, "至少八个字符的密")


@pytest.mark.slow
def test_the_cli_refuses_other_addresses_without_a_password_and_tls(tmp_path):
    root = tmp_path / "简报"
    make_project(root)

    def desk(*arguments, stdin=""):
        return subprocess.run([sys.executable, "-m", "kjtypeset", "desk", *arguments], cwd=root, input=stdin,
                              capture_output=True, text=True, timeout=60)

    done = desk("--host", "0.0.0.0")
    assert (done.returncode, done.stderr) == (1, "错误：编辑台要在 0.0.0.0 上监听（同一网络中的其他电脑也能访问），"
                                                 "应先设置密码：kjtypeset desk --set-password\n")
    short = desk("--set-password", stdin="短密码\n")
    assert (short.returncode, short.stderr) == (1, "错误：密码太短：应至少 8 个字符，实际为 3 个\n")
    done = desk("--set-password", stdin="长一些的密码12345\n")
    assert done.returncode == 0
    assert done.stderr == "已设置编辑台的密码（.kjtypeset/desk.json，只有你能读取）；下次打开编辑台时生效。\n"
    done = desk("--host", "0.0.0.0")
    assert done.returncode == 1 and done.stderr.startswith(
        "错误：编辑台要在 0.0.0.0 上监听，密码和登录状态不能以明文在网络上传送：应加 HTTPS 证书，--cert 证书.pem --key 私钥.pem")
