"""Full-text search of the archive: the text as the catalogue keeps it, queries, ranked hits.

Text extracted from our PDFs carries the spacing the typesetter put between Han and Latin
characters ("2023 年") and line breaks inside Chinese sentences. ``normalise`` removes white
space next to any CJK character (Han, kana, CJK and full-width punctuation, Chinese quotes
and dashes), so "2023年", "宁科贷" and a title broken over two lines are found as written;
white space between two Latin words stays, as one space. Pages and queries go through the
same function, so they always agree.

The catalogue's FTS5 table uses the trigram tokenizer: any substring of three or more
characters is found without a Chinese word segmenter. A query is a list of terms, all of
which must occur (AND); "double quotes" make a phrase, one term in which spaces between
Chinese characters do not matter. A term of one or two characters cannot use the trigram
index, so it is matched with LIKE over the text instead (a scan, still milliseconds for ten
years of issues). Hits are ranked by FTS5's bm25 when any term uses the index, otherwise by
how often the terms occur.

Each page is indexed with the first RUN_ON characters of the article's next page after its
own text, so a phrase cut by a page break is found (on the page where it starts); a term
must start in the page's own text for the page to count, so nothing is found twice.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import KjError
from ..inputs.issues import issue_label

# CJK characters and the punctuation used in Chinese text, around which spaces are layout.
_WIDE = ("\u00b7\u1100-\u11ff\u2010-\u2027\u2030-\u205e\u2e80-\u2fdf\u2ff0-\u303f\u3040-\u9fff"
         "\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff")
_SPACE_BY_WIDE = re.compile(rf"(?<=[{_WIDE}])\s+|\s+(?=[{_WIDE}])")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")  # word joiners, soft hyphens
TRIGRAM = 3  # the shortest term the trigram index can find
RUN_ON = 60  # characters of the next page indexed with a page: the longest phrase across a break
_TERMS = re.compile(r'"([^"]*)"?|(\S+)')


# A web or e-mail address that a line break cut (issue 14): printed "www.nxkjd." / "cn", or
# "http://a.gov.cn/" / "zwgk", it is one word again. Addresses break after / ? & - = # _ ~ : @
# and before a dot; the white space there is the line break, never part of the address.
_ADDRESS = r"(?:https?://|ftp://|www\.|[A-Za-z0-9._%+-]+@)[A-Za-z0-9._~:/?#@!$&'*+=%-]*"
_ADDRESS_CUT = re.compile(rf"({_ADDRESS}[./?&=#_~:@-])\s+(?=[A-Za-z0-9])|({_ADDRESS}[A-Za-z0-9])\s+(?=\.[A-Za-z0-9])"
                          # an e-mail address cut before its "@": "kjt-" / "xm@nmg.gov.cn"
                          r"|([A-Za-z0-9._%+-]*[A-Za-z0-9][._-])\s+(?=[A-Za-z0-9._%+-]*[A-Za-z0-9]@[A-Za-z0-9])")


def normalise(text: str) -> str:
    """Text as the catalogue stores it: no white space beside CJK characters, single spaces
    between Latin words, no invisible joiners, web and e-mail addresses whole."""
    text = _INVISIBLE.sub("", text)
    while True:
        joined = _ADDRESS_CUT.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)
        if joined == text:
            break
        text = joined
    return _SPACES.sub(" ", _SPACE_BY_WIDE.sub("", text)).strip()


def run_on(text: str, following: str) -> str:
    """A page's text as indexed: its own, then the start of the article's next page."""
    return normalise(text + " " + following[:RUN_ON]) if following else text


@dataclass(frozen=True)
class Query:
    text: str  # as typed
    terms: tuple[str, ...]  # normalised; each must occur as written


def parse_query(arguments: list[str]) -> Query:
    """Each argument is one term, a phrase if it holds spaces: ``search 宁科贷 余额`` is two
    terms, both of which must occur; ``search "科创金融 服务驿站"`` (quoted for the shell) is one.
    Double quotes inside an argument mark phrases too: ``'宁科贷 "科创金融 服务驿站"'``."""
    terms: list[str] = []
    for argument in arguments:
        parts = ([m.group(1) if m.group(1) is not None else m.group(2) for m in _TERMS.finditer(argument)]
                 if '"' in argument else [argument])
        for term in map(normalise, parts):
            if term and term not in terms:
                terms.append(term)
    text = " ".join(arguments)
    if not terms:
        raise KjError(None, None, f"搜索词为空：应写至少一个词，如 kjtypeset search 宁科贷，实际为“{text}”")
    return Query(text, tuple(terms))


@dataclass(frozen=True)
class Hit:
    issue_id: str
    bulletin: str
    issue_label: str  # 2024年第2期
    issue_date: str
    file: str  # the PDF, relative to the archive folder
    title: str
    page: int  # printed page number
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) of each matched term in the snippet
    file_state: str | None = None  # "changed" or "missing" when the PDF is not as published


@dataclass(frozen=True)
class SearchResult:
    query: Query
    hits: tuple[Hit, ...]  # the best ``limit`` hits, best first
    total: int  # hits before the limit


def search(db: sqlite3.Connection, query: Query, year: int | None = None, limit: int = 20,
           folder: Path | None = None) -> SearchResult:
    """Pages of the current revision of every archived issue that contain every term.

    ``folder``: the archive; each hit's PDF is re-hashed, as verify does, and a hit whose file
    was changed or lost since it was published is marked (issue 14)."""
    indexed = [t for t in query.terms if len(t) >= TRIGRAM]
    short = [t for t in query.terms if len(t) < TRIGRAM]
    where, params = ["i.current = 1"], []
    if indexed:
        # Each term as an FTS5 string: its own quotes doubled, so no query syntax gets through.
        where.append("page_text MATCH ?")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in indexed))
    for term in short:
        where.append(r"t.text LIKE ? ESCAPE '\'")
        params.append("%" + re.sub(r"([\\%_])", r"\\\1", term) + "%")
    if year is not None:
        where.append("i.year = ?")
        params.append(year)
    rows = db.execute(
        f"""SELECT i.issue_id, i.bulletin, i.year, i.number, i.supplement, i.issue_date, i.file,
                   a.title, p.page, t.text, {'bm25(page_text)' if indexed else '0'}, p.chars, i.sha256
            FROM page_text t JOIN pages p ON p.id = t.rowid JOIN articles a ON a.id = p.article
                 JOIN issues i ON i.id = a.issue
            WHERE {' AND '.join(where)}""", params).fetchall()
    pattern = re.compile("|".join(re.escape(t) for t in sorted(query.terms, key=len, reverse=True)),
                         re.IGNORECASE)
    # Every term must start on the page itself, not in the next page's start indexed with it.
    starts = [re.compile(re.escape(t), re.IGNORECASE) for t in query.terms]
    rows = [row for row in rows if all((m := p.search(row[9])) and m.start() < row[11] for p in starts)]
    if indexed:
        score = lambda row: row[10]  # noqa: E731  bm25: lower is better
    else:
        score = lambda row: -len(pattern.findall(row[9]))  # noqa: E731  more occurrences first
    rows.sort(key=lambda row: (row[5], -row[8]), reverse=True)  # among equals: newest issue, then page
    rows.sort(key=score)  # stable
    hits = []
    states: dict[str, str | None] = {}
    for issue_id, bulletin, year_, number, supplement, date, file, title, page, text, _, _, digest in rows[:limit]:
        excerpt, marks = snippet(text, pattern)
        if folder is not None and file not in states:
            states[file] = file_state(folder / file, digest)
        hits.append(Hit(issue_id, bulletin, issue_label(year_, number, bool(supplement)), date, file,
                        title, page, excerpt, marks, states.get(file)))
    return SearchResult(query, tuple(hits), len(rows))


def file_state(path: Path, digest: str) -> str | None:
    """None when the file is the one published (same SHA-256), else "changed" or "missing"."""
    try:
        data = path.read_bytes()
    except OSError:
        return "missing"
    return None if hashlib.sha256(data).hexdigest() == digest else "changed"


STATE_NOTES = {
    "changed": "这个 PDF 已与存档时不同（被改动或损坏），上面的结果取自存档时的目录，文件本身不可信："
               "请运行 kjtypeset verify",
    "missing": "这个 PDF 已不在档案中：请运行 kjtypeset verify",
}


def snippet(text: str, pattern: re.Pattern, before: int = 20, width: int = 72) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of ``text`` around the first match, with the [start, end) of every match in it."""
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - before)
    if first:  # begin with the sentence the match is in, when it starts close enough
        sentence = max(text.rfind(mark, start, first.start()) for mark in "。！？；")
        start = sentence + 1 if sentence >= 0 else start
    end = min(len(text), start + width)
    if first and first.end() > end:  # a very long phrase: show all of it
        end = first.end()
    lead = "…" if start > 0 else ""
    marks = tuple((m.start() - start + len(lead), m.end() - start + len(lead))
                  for m in pattern.finditer(text, start, end))
    return lead + text[start:end] + ("…" if end < len(text) else ""), marks


def marked(hit: Hit, open_: str = "【", close: str = "】") -> str:
    """The snippet with each match wrapped in ``open_`` … ``close``."""
    out, at = [], 0
    for start, end in hit.highlights:
        out += [hit.snippet[at:start], open_, hit.snippet[start:end], close]
        at = end
    out.append(hit.snippet[at:])
    return "".join(out)
