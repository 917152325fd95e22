"""The archive listed by year and issue, with each issue's articles and pages: as text for
the terminal, and as one self-contained HTML page (no network, no JavaScript) linking the PDFs."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import display_path
from ..inputs.issues import issue_label

PAGE_TEMPLATE = Path(__file__).with_name("catalogue.html")


@dataclass(frozen=True)
class ListedArticle:
    title: str
    source: str | None
    section: str | None
    first_page: int
    last_page: int

    @property
    def pages(self) -> str:
        return f"{self.first_page}" if self.first_page == self.last_page else f"{self.first_page}–{self.last_page}"


@dataclass(frozen=True)
class Revision:
    revision: int
    file: str  # relative to the archive folder
    published_at: str | None


@dataclass(frozen=True)
class ListedIssue:
    issue_id: str
    bulletin: str
    year: int
    label: str  # 2024年第2期
    total: int | None
    issue_date: str
    pages: int
    size: int
    current: Revision
    earlier: tuple[Revision, ...]
    articles: tuple[ListedArticle, ...]


def listing(db: sqlite3.Connection) -> tuple[ListedIssue, ...]:
    """The current revision of every issue, by year, then regular issues before supplements."""
    revisions: dict[str, list[Revision]] = {}
    for issue_id, revision, file, published_at in db.execute(
            "SELECT issue_id, revision, file, published_at FROM issues WHERE NOT current ORDER BY revision"):
        revisions.setdefault(issue_id, []).append(Revision(revision, file, published_at))
    out = []
    for row in db.execute("""SELECT id, issue_id, bulletin, year, number, supplement, total, issue_date, pages,
                                    size, revision, file, published_at
                             FROM issues WHERE current ORDER BY year, supplement, number, issue_id""").fetchall():
        (row_id, issue_id, bulletin, year, number, supplement, total, date, pages, size, revision, file,
         published_at) = row
        articles = tuple(ListedArticle(*a) for a in db.execute(
            "SELECT title, source, section, first_page, last_page FROM articles WHERE issue = ? ORDER BY position",
            (row_id,)))
        out.append(ListedIssue(issue_id, bulletin, year, issue_label(year, number, bool(supplement)), total, date,
                               pages, size, Revision(revision, file, published_at),
                               tuple(revisions.get(issue_id, ())), articles))
    return tuple(out)


def by_year(issues: tuple[ListedIssue, ...]) -> list[tuple[int, list[ListedIssue]]]:
    years: dict[int, list[ListedIssue]] = {}
    for issue in issues:
        years.setdefault(issue.year, []).append(issue)
    return list(years.items())


def format_listing(issues: tuple[ListedIssue, ...], folder: Path) -> str:
    articles = sum(len(i.articles) for i in issues)
    lines = [f"档案 {display_path(folder)}：{len(issues)} 期，{articles} 篇文章"]
    for year, group in by_year(issues):
        lines += ["", f"{year} 年"]
        for issue in group:
            total = f"（总第{issue.total}期）" if issue.total else ""
            revision = ""
            if issue.earlier:
                old = "、".join(display_path(folder / r.file) for r in issue.earlier)
                revision = f"（第 {issue.current.revision} 版；旧版 {old}）"
            lines.append(f"  {issue.label}{total}  {issue.issue_date}  {issue.pages} 页  "
                         f"{issue.size / 1e6:.2f} MB  {display_path(folder / issue.current.file)}{revision}")
            width = max((len(a.pages) for a in issue.articles), default=0)
            for article in issue.articles:
                section = f"【{article.section}】" if article.section else ""
                pad = " " * (width - len(article.pages))
                lines.append(f"    第 {article.pages} 页{pad}  {section}{article.title}")
    if not issues:
        lines.append("（还没有存档的期刊：kjtypeset publish <期>）")
    return "\n".join(lines)


def html_page(issues: tuple[ListedIssue, ...], folder: Path, target: Path, generated: str) -> str:
    """The index page to be written at ``target``, linking each PDF relative to it."""
    import jinja2

    def href(file: str, page: int | None = None) -> str:
        relative = Path(os.path.relpath(folder.resolve() / file, target.resolve().parent)).as_posix()
        return quote(relative) + (f"#page={page}" if page else "")  # PDF open parameter: go to page

    template = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(PAGE_TEMPLATE.read_text(encoding="utf-8"))
    bulletins = sorted({i.bulletin for i in issues})
    return template.render(years=by_year(issues), href=href, generated=generated, bulletins=bulletins,
                           articles=sum(len(i.articles) for i in issues), count=len(issues))
