"""A small bulletin folder for the desk's tests, and helpers to talk to the desk in-process."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

from kjtypeset import project

MANIFEST = """\
# 2024年第3期：desk 测试用的清单（注释应当留着）
bulletin: 科技情报参考
year: 2024
number: 3          # 当年期号
date: 2024-03-29
publisher: 呼和浩特市科学技术局综合保障中心
editor: 李涛
phone: "4366683"
articles:
  - articles/a.md   # 第一篇
  # 第二篇是转载，来源待核
  - articles/b.md
  - {file: articles/c.md, section: 科技金融}
"""


def article(title: str, body: str) -> str:
    return f"---\ntitle: {title}\n---\n\n{body}\n"


ARTICLES = {
    "articles/a.md": article("鄂尔多斯建成氢能重卡示范线", "今年以来，鄂尔多斯市氢能重卡示范线累计运营里程突破120万公里。"),
    "articles/b.md": article("包头稀土新材料产业园扩容", "包头稀土高新区新增稀土功能材料项目17个，总投资46.5亿元。"),
    "articles/c.md": article("乌海设立科技成果转化基金", "乌海市设立规模2亿元的科技成果转化引导基金，重点支持精细化工。"),
}


def make_project(root: Path, manifest: str = MANIFEST, files: dict[str, str] | None = None,
                 issue: str = "2024-03") -> Path:
    """A bulletin folder at ``root`` with one issue; returns its manifest."""
    (root / project.MARKER).parent.mkdir(parents=True, exist_ok=True)
    (root / project.MARKER).write_text("", encoding="utf-8")
    folder = root / "issue_sources" / issue
    for name, text in {"issue.yaml": manifest, **(ARTICLES if files is None else files)}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder / "issue.yaml"


def client(root: Path, **settings):
    """A TestClient of a desk on ``root`` (no network: the app is called in-process)."""
    from starlette.testclient import TestClient

    from kjtypeset.desk.server import Settings, desk_app

    app = desk_app(Settings(root=root, archive=root / "archive", **settings))
    scheme = "https" if settings.get("tls") else "http"  # a Secure cookie goes back over HTTPS only
    return TestClient(app, base_url=f"{scheme}://127.0.0.1:8080", follow_redirects=False)


def token(http, path: str = "/") -> str:
    """The CSRF token the desk's pages carry (a GET opens the session)."""
    page = http.get(path, headers={"Accept": "text/html"})
    return re.search(r'<meta name="csrf" content="([^"]+)">', page.text).group(1)


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
