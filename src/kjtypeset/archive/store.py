"""The archive: every published issue filed once and never overwritten, catalogued, and
checked to be still exactly what was published.

    archive/                      (--archive DIR, or the KJTYPESET_ARCHIVE setting)
      2024/2024-02.pdf            revision 1 of issue 2024-02: the archive edition, read-only
      2024/2024-02.r2.pdf         revision 2, published after a correction; revision 1 stays
      published.jsonl             the ledger: one line per filed PDF (file, SHA-256, size, time)
      catalogue.sqlite            the catalogue (SQLite, WAL): issues, articles, page text, FTS5

The PDFs and the ledger are the record; the catalogue is an index over them. ``publish``
files the PDF, appends to the ledger, then catalogues, in that order, under one lock.
``reindex`` rebuilds the catalogue from the PDFs alone (archivepdf reads each back) and
checks every PDF against the ledger first: a file whose hash differs from the one it was
published with, or that contradicts itself, is reported and left out, never catalogued as
if genuine. A PDF the ledger does not know (the ledger lost too, or a file copied in by
hand) is catalogued as found, and reported, since nothing can vouch for it. ``verify``
re-hashes every file against the catalogue and the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import project
from ..errors import KjError, display_path
from ..files import fsync_folder, written_temp
from ..inputs.issues import issue_label
from .readback import IssueRecord
from .search import TRIGRAM, page_joint

SETTING = "KJTYPESET_ARCHIVE"
CATALOGUE = "catalogue.sqlite"
LEDGER = "published.jsonl"
# 2: page_text ran on into the next page (pages.chars); 3: page_text holds the page's own text,
# pages.joint the window across its break (issue 15: broad queries read no text they do not show)
SCHEMA_VERSION = 3
_FILE_NAME = re.compile(r"(?P<issue>[0-9A-Za-z][0-9A-Za-z._-]*?)(?:\.r(?P<revision>[1-9][0-9]*))?\.pdf")
_BUSY = "另一个存档命令（进程 {holder}）正在使用档案文件夹，等待它完成……"

SCHEMA = """
CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    issue_id TEXT NOT NULL,            -- the issue folder's name, e.g. 2024-02
    revision INTEGER NOT NULL,         -- 1, then 2, 3 … for corrections
    current INTEGER NOT NULL,          -- 1 for the newest revision of the issue
    file TEXT NOT NULL UNIQUE,         -- relative to the archive folder, e.g. 2024/2024-02.pdf
    bulletin TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    total INTEGER,
    supplement INTEGER NOT NULL,
    issue_date TEXT NOT NULL,          -- YYYY-MM-DD
    publisher TEXT NOT NULL,
    editor TEXT NOT NULL,
    pages INTEGER NOT NULL,
    size INTEGER NOT NULL,             -- bytes
    sha256 TEXT NOT NULL,              -- as published
    published_at TEXT,                 -- ISO 8601; NULL when no ledger line records it
    recorded TEXT NOT NULL,            -- ledger: the hash is the published one; found: as reindex found it
    UNIQUE (issue_id, revision)
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    issue INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,         -- 1-based, in issue order
    title TEXT NOT NULL,
    source TEXT,
    section TEXT,
    first_page INTEGER NOT NULL,       -- printed page numbers
    last_page INTEGER NOT NULL
);
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,            -- = page_text.rowid
    article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    tail TEXT NOT NULL,                -- the last two characters of the page's text (no trigram starts there)
    seam TEXT,                         -- lower-cased, the characters either side of the break to the
                                       -- article's next page (NULL on its last page): see search.py
    cut INTEGER NOT NULL               -- page_joints.joint[:cut] is this page's
);
CREATE VIRTUAL TABLE page_text USING fts5(text, tokenize = 'trigram');       -- the page's own text
CREATE VIRTUAL TABLE page_joints USING fts5(joint, tokenize = 'trigram');   -- its last RUN_ON characters and
                                                                            -- the first RUN_ON of the next page
CREATE INDEX articles_issue ON articles(issue);
CREATE INDEX pages_article ON pages(article);
"""


def archive_folder(given: Path | None = None) -> Path:
    """--archive DIR, else the KJTYPESET_ARCHIVE setting, else archive/ in the project."""
    if given or os.environ.get(SETTING):
        return Path(given or os.environ[SETTING])
    return project.require().archive


def open_catalogue(folder: Path, create: bool = False, any_format: bool = False) -> sqlite3.Connection:
    """The catalogue; ``create`` makes a new one where there is none; ``any_format`` opens one of
    an older format too (reindex, which rebuilds it)."""
    path = folder / CATALOGUE
    if not path.is_file():
        if not create:
            hint = "可用 kjtypeset reindex 从存档的 PDF 重建目录；" if _pdfs_on_disk(folder) else ""
            raise KjError(folder, None, f"档案文件夹中没有目录数据库 {CATALOGUE}：{hint}"
                                        "存档请用 kjtypeset publish <期>（--archive 可指定档案文件夹）")
        folder.mkdir(parents=True, exist_ok=True)
    if sqlite3.sqlite_version_info < (3, 34):
        raise KjError(None, None, f"本机的 SQLite 为 {sqlite3.sqlite_version}，没有 FTS5 的 trigram 分词器："
                                  "需要 3.34 以上（Python 3.11 的官方构建和 Debian 12 都满足）")
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and create:
            db.execute("PRAGMA journal_mode = WAL")  # readers go on while an issue is filed
            db.executescript(SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
        elif 0 < version < SCHEMA_VERSION and not any_format:
            raise KjError(path, None, f"目录数据库是旧格式（第 {version} 版，现为第 {SCHEMA_VERSION} 版）："
                                      "应运行 kjtypeset reindex 从存档的 PDF 重建目录")
        elif version != SCHEMA_VERSION and not (any_format and 0 < version < SCHEMA_VERSION):
            raise KjError(path, None, f"目录数据库的格式版本应为 {SCHEMA_VERSION}，实际为 {version}："
                                      "可用 kjtypeset reindex 从存档的 PDF 重建")
    except sqlite3.DatabaseError as exc:
        db.close()
        raise KjError(path, None, f"目录数据库无法读取（{exc}）：可用 kjtypeset reindex 从存档的 PDF 重建") from exc
    except KjError:
        db.close()
        raise
    return db


def _current_format(db: sqlite3.Connection) -> None:
    """Inside the caller's transaction: an older catalogue's tables dropped and the current
    ones made (reindex fills them); a failed rebuild rolls this back too."""
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    for name, kind in db.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'index') "
                                 "AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'").fetchall():
        if kind == "table" and not name.startswith(("page_text_", "page_joints_")):  # FTS5 drops its shadow tables
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
    statement = ""
    for line in SCHEMA.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# ---- publish ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    path: Path
    issue_id: str
    label: str  # 2024年第2期
    revision: int
    sha256: str
    size: int
    pages: int
    articles: int
    earlier: tuple[Path, ...]  # earlier revisions, kept as they were
    unchanged: bool  # identical to the current revision: nothing was filed


def publish(data: bytes, record: IssueRecord, folder: Path,
            on_wait: Callable[[str], None] = lambda message: None) -> Published:
    """File an archive edition (read back as ``record``) as the issue's next revision."""
    from ..files import output_lock

    fields = record.fields
    digest = sha256(data)
    folder.mkdir(parents=True, exist_ok=True)
    label = issue_label(fields.year, fields.number, fields.supplement)
    with output_lock(folder, "archive", on_wait, busy=_BUSY):
        ledger = read_ledger(folder)
        if not (folder / CATALOGUE).exists() and ledger:
            raise KjError(folder / CATALOGUE, None, "目录数据库不见了，但档案中已有发布记录："
                                                    "应先用 kjtypeset reindex 从存档的 PDF 重建目录，再存档")
        db = open_catalogue(folder, create=True)
        try:
            rows = db.execute("SELECT revision, file, sha256 FROM issues WHERE issue_id = ? ORDER BY revision",
                              (fields.issue_id,)).fetchall()
            if rows and rows[-1][2] == digest:
                revision, file, _digest = rows[-1]
                return Published(folder / file, fields.issue_id, label, revision, digest, len(data),
                                 record.pages, len(record.articles), tuple(folder / r[1] for r in rows[:-1]), True)
            revision = _next_revision(folder, [r[0] for r in rows], ledger, fields.issue_id)
            name = archived_name(fields.year, fields.issue_id, revision)
            published_at = now()
            _file_new(folder, name, data)
            _append_ledger(folder, {"file": name, "issue": fields.issue_id, "revision": revision,
                                    "sha256": digest, "size": len(data), "published_at": published_at})
            with db:
                catalogue_issue(db, record, name, revision, digest, len(data), published_at, "ledger")
            return Published(folder / name, fields.issue_id, label, revision, digest, len(data), record.pages,
                             len(record.articles), tuple(folder / r[1] for r in rows), False)
        finally:
            db.close()


def archived_name(year: int, issue_id: str, revision: int) -> str:
    """2024/2024-02.pdf, then 2024/2024-02.r2.pdf for revision 2."""
    return f"{year}/{issue_id}" + (f".r{revision}" if revision > 1 else "") + ".pdf"


def _next_revision(folder: Path, catalogued: list[int], ledger: dict[str, dict], issue_id: str) -> int:
    # A number once used stays used, even by a file since lost: the ledger keeps it.
    used = catalogued + [e["revision"] for e in ledger.values() if e.get("issue") == issue_id]
    used += [_revision_of(p, issue_id) for p in folder.glob(f"*/{issue_id}*.pdf")]
    return max(used, default=0) + 1


def planned_revision(folder: Path, issue_id: str, year: int) -> tuple[int, str, tuple[str, ...]]:
    """What publishing ``issue_id`` now would file, unless the PDF is the same as the current
    revision: (revision, file relative to the archive, files of the earlier revisions). For
    the desk's confirmation (issue 18); publish decides again under its lock."""
    catalogued: list[tuple[int, str]] = []
    if (folder / CATALOGUE).is_file():
        db = open_catalogue(folder)
        try:
            catalogued = db.execute("SELECT revision, file FROM issues WHERE issue_id = ? ORDER BY revision",
                                    (issue_id,)).fetchall()
        finally:
            db.close()
    revision = _next_revision(folder, [r for r, _f in catalogued], read_ledger(folder), issue_id)
    return revision, archived_name(year, issue_id, revision), tuple(f for _r, f in catalogued)


def _revision_of(path: Path, issue_id: str) -> int:
    """2 for 2024-02.r2.pdf (1 without .rN); 0 for another issue's file."""
    match = _FILE_NAME.fullmatch(path.name)
    if not match or match["issue"] != issue_id:
        return 0
    return int(match["revision"] or 1)


def _file_new(folder: Path, name: str, data: bytes) -> None:
    """Write ``folder/name`` read-only; never replace a file that is already there."""
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file lives in the archive folder, where the lock's cleanup finds it.
    with written_temp(folder, data, prefix=".archive-", mode=0o444) as temp:
        try:
            os.link(temp, target)  # unlike rename, fails if the target exists
        except FileExistsError:
            raise KjError(target, None, "档案中已有同名文件：存档的文件绝不覆盖（目录与文件不一致时，"
                                        "先用 kjtypeset verify 检查）") from None
    fsync_folder(target.parent)


def read_ledger(folder: Path) -> dict[str, dict]:
    """The ledger's lines by file; the first line for a file is its publication."""
    path = folder / LEDGER
    entries: dict[str, dict] = {}
    if not path.is_file():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            file, digest, revision = entry["file"], entry["sha256"], int(entry["revision"])
        except (ValueError, KeyError, TypeError) as exc:
            raise KjError(path, number, f"发布记录应为一行一个 JSON 对象（含 file、sha256、revision），"
                                        f"实际无法读取：{exc}") from exc
        if not isinstance(file, str) or not isinstance(digest, str):
            raise KjError(path, number, "发布记录的 file、sha256 应为文字")
        entry["revision"] = revision
        entries.setdefault(file, entry)
    return entries


def _append_ledger(folder: Path, entry: dict) -> None:
    with open(folder / LEDGER, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        stream.flush()
        os.fsync(stream.fileno())


def catalogue_issue(db: sqlite3.Connection, record: IssueRecord, file: str, revision: int, digest: str,
                    size: int, published_at: str | None, recorded: str) -> None:
    """One archived PDF into the catalogue (inside the caller's transaction), and which
    revision of its issue is now current."""
    f = record.fields
    issue = db.execute(
        """INSERT INTO issues (issue_id, revision, current, file, bulletin, year, number, total, supplement,
                               issue_date, publisher, editor, pages, size, sha256, published_at, recorded)
           VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (f.issue_id, revision, file, f.bulletin, f.year, f.number, f.total, int(f.supplement), f.issue_date,
         f.publisher, f.editor, record.pages, size, digest, published_at, recorded)).lastrowid
    for position, article in enumerate(record.articles, start=1):
        article_id = db.execute(
            "INSERT INTO articles (issue, position, title, source, section, first_page, last_page) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (issue, position, article.title, article.source, article.section, article.first_page,
             article.last_page)).lastrowid
        for page, following in zip(article.pages, (*article.pages[1:], None)):
            joint, cut = page_joint(page.text, following.text if following else "")
            seam = joint[max(0, cut - 1):cut + 1].lower() if joint else None
            page_id = db.execute("INSERT INTO pages (article, page, tail, seam, cut) VALUES (?, ?, ?, ?, ?)",
                                 (article_id, page.page, page.text[-(TRIGRAM - 1):], seam, cut)).lastrowid
            db.execute("INSERT INTO page_text (rowid, text) VALUES (?, ?)", (page_id, page.text))
            if joint:
                db.execute("INSERT INTO page_joints (rowid, joint) VALUES (?, ?)", (page_id, joint))
    db.execute("""UPDATE issues SET current = (revision = (SELECT max(revision) FROM issues AS other
                                                           WHERE other.issue_id = issues.issue_id))
                  WHERE issue_id = ?""", (f.issue_id,))


# ---- verify and reindex -----------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    file: Path
    message: str  # complete, in Chinese, for the user


@dataclass(frozen=True)
class CheckReport:
    checked: int  # PDFs found and hashed
    catalogued: int  # files in the catalogue afterwards
    articles: int
    problems: tuple[Finding, ...]  # missing, changed, contradicting itself, unknown: exit 1
    notes: tuple[Finding, ...]  # catalogued, but nothing vouches for the file


def verify(folder: Path) -> CheckReport:
    """Every archived PDF re-hashed against the catalogue and the ledger."""
    db = open_catalogue(folder)
    try:
        catalogued = {file: (digest, recorded) for file, digest, recorded in
                      db.execute("SELECT file, sha256, recorded FROM issues")}
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        db.close()
    ledger = read_ledger(folder)
    problems, notes = [], []
    on_disk = _pdfs_on_disk(folder)
    for file in sorted(set(catalogued) | set(ledger) | set(on_disk)):
        path = folder / file
        expected = catalogued[file][0] if file in catalogued else ledger[file]["sha256"] if file in ledger else None
        if file not in on_disk:
            problems.append(Finding(path, f"缺失：{display_path(path)} 已存档，文件却不在了"))
        elif expected is None:
            problems.append(Finding(path, f"未编目：{display_path(path)} 不在目录和发布记录中"
                                          "（不是 kjtypeset publish 存入的？）"))
        elif (found := sha256(path.read_bytes())) != expected:
            problems.append(Finding(path, _changed(path, found, expected)))
        elif file in catalogued and file in ledger and ledger[file]["sha256"] != expected:
            problems.append(Finding(path, f"不一致：{display_path(path)} 在目录中的 SHA-256 与发布记录不同"))
        elif file not in catalogued:
            problems.append(Finding(path, f"未编目：{display_path(path)} 与发布记录相符，但不在目录中："
                                          "用 kjtypeset reindex 重建目录"))
        elif catalogued[file][1] == "found":
            notes.append(Finding(path, _unrecorded(path)))
    return CheckReport(len(on_disk), len(catalogued), articles, tuple(problems), tuple(notes))


def reindex(folder: Path, on_wait: Callable[[str], None] = lambda message: None,
            on_file: Callable[[Path], None] = lambda path: None) -> CheckReport:
    """Rebuild the catalogue from the archived PDFs alone, in one transaction."""
    from ..files import output_lock
    from .readback import read_archive_pdf

    if not folder.is_dir():
        raise KjError(folder, None, "找不到档案文件夹（--archive 可指定档案文件夹）")
    with output_lock(folder, "archive", on_wait, busy=_BUSY):
        ledger = read_ledger(folder)
        on_disk = _pdfs_on_disk(folder)
        problems, notes, found = [], [], []
        for file in sorted(set(ledger) - set(on_disk)):
            problems.append(Finding(folder / file, f"缺失：{display_path(folder / file)} 已存档（见发布记录），文件却不在了"))
        for file in sorted(on_disk):
            path = folder / file
            on_file(path)
            data = path.read_bytes()
            digest = sha256(data)
            entry = ledger.get(file)
            if entry is not None and entry["sha256"] != digest:
                problems.append(Finding(path, _changed(path, digest, entry["sha256"]) + "；未编入目录"))
                continue
            match = _FILE_NAME.fullmatch(path.name)
            if match is None:
                problems.append(Finding(path, f"文件名不对：{display_path(path)} 应为 <年>/<期>.pdf 或 "
                                              "<年>/<期>.r<版次>.pdf；未编入目录"))
                continue
            try:
                record = read_archive_pdf(data, path)
            except KjError as exc:
                problems.append(Finding(path, f"内容不一致：{exc}；未编入目录"))
                continue
            fields = record.fields
            if (match["issue"], path.parent.name) != (fields.issue_id, str(fields.year)):
                problems.append(Finding(path, f"文件名不对：{display_path(path)} 的元数据是 {fields.year} 年的 "
                                              f"{fields.issue_id}，应存为 {fields.year}/{fields.issue_id}.pdf；未编入目录"))
                continue
            if entry is None:
                notes.append(Finding(path, _unrecorded(path)))
            found.append((record, file, int(match["revision"] or 1), digest, len(data),
                          entry.get("published_at") if entry else None, "ledger" if entry else "found"))

        db = _fresh_catalogue(folder)
        try:
            with db:
                db.execute("BEGIN")
                _current_format(db)
                for table in ("page_text", "page_joints", "pages", "articles", "issues"):
                    db.execute(f"DELETE FROM {table}")
                for row in found:
                    catalogue_issue(db, *row)
        finally:
            db.close()
    return CheckReport(len(on_disk), len(found), sum(len(row[0].articles) for row in found),
                       tuple(problems), tuple(notes))


def _fresh_catalogue(folder: Path) -> sqlite3.Connection:
    """The catalogue to rebuild: the existing one, or a new one if it is unreadable (the
    unreadable file is kept beside it, renamed, in case anyone wants to look at it)."""
    try:
        return open_catalogue(folder, create=True, any_format=True)
    except KjError:
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            old = folder / (CATALOGUE + suffix)
            if old.exists():
                old.rename(folder / f"{CATALOGUE}{suffix}.damaged-{stamp}")
        return open_catalogue(folder, create=True)


def _pdfs_on_disk(folder: Path) -> set[str]:
    """Every PDF one level below the archive folder, as catalogue file names."""
    return {p.relative_to(folder).as_posix() for p in folder.glob("*/*.pdf") if p.is_file()}


def _changed(path: Path, found: str, expected: str) -> str:
    return (f"已改动：{display_path(path)} 的 SHA-256 为 {found[:16]}…，"
            f"存档时为 {expected[:16]}…（文件在存档后被修改或损坏）")


def _unrecorded(path: Path) -> str:
    return (f"无发布记录：{display_path(path)} 不在发布记录 {LEDGER} 中，按文件现状编入目录，"
            "无法确认它与发布时相同")
