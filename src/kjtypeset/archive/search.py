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

The index holds each page's own text. A phrase cut by a page break is found through the
page's ``joint`` (catalogue schema 3): its last RUN_ON characters followed by the first RUN_ON
of the article's next page, where a term that starts on the page and ends on the next one
counts for the page where it starts; a term wholly on the next page never counts for this
one, so nothing is found twice. A term of one or two characters is looked up through the
index's trigrams that begin with it (the fts5vocab table), plus the page's last two
characters (``tail``), where no trigram starts. So a query reads the text of the hits it
shows and of none of the others (issue 15: 50 ms on fifty years of issues).
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
# "http://a.gov.cn/" / "zwgk", it is one word again. Addresses break after / ? & = # ~ : @
# and before a dot, a hyphen or an underscore (typography/cjk.py: a line never ends with an
# address's hyphen), and after "https:"; the white space there is the line break, never part
# of the address.
_ADDRESS = r"(?:https?://|ftp://|www\.|[A-Za-z0-9._%+-]+@)[A-Za-z0-9._~:/?#@!$&'*+=%-]*"
_ADDRESS_CUT = re.compile(rf"({_ADDRESS}[./?&=#_~:@-])\s+(?=[A-Za-z0-9])"
                          rf"|({_ADDRESS}[A-Za-z0-9])\s+(?=[._-][A-Za-z0-9])"
                          r"|((?<![A-Za-z0-9])(?:https?|ftp):)\s+(?=//[A-Za-z0-9])"
                          # an e-mail address's name cut: "kjt-" / "xm@nmg.gov.cn", "kjt" / "-xm@…",
                          # "xm" / "@nmg.gov.cn"
                          r"|([A-Za-z0-9._%+-]*[A-Za-z0-9][._-])\s+(?=[A-Za-z0-9._%+-]*[A-Za-z0-9]@[A-Za-z0-9])"
                          r"|([A-Za-z0-9._%+-]*[A-Za-z0-9])\s+(?=[._-][A-Za-z0-9._%+-]*[A-Za-z0-9]@[A-Za-z0-9])"
                          r"|([A-Za-z0-9._%+-]*[A-Za-z0-9])\s+(?=@[A-Za-z0-9])")


def normalise(text: str) -> str:
    """Text as the catalogue stores it: no white space beside CJK characters, single spaces
    between Latin words, no invisible joiners, web and e-mail addresses whole."""
    text = _INVISIBLE.sub("", text)
    while True:
        joined = _ADDRESS_CUT.sub(lambda m: next(part for part in m.groups() if part is not None), text)
        if joined == text:
            break
        text = joined
    return _SPACES.sub(" ", _SPACE_BY_WIDE.sub("", text)).strip()


def run_on(text: str, following: str) -> str:
    """A page's text with the start of the article's next page, as a page break cuts it."""
    return normalise(text + " " + following[:RUN_ON]) if following else text


def page_joint(text: str, following: str) -> tuple[str | None, int]:
    """(joint, cut): the end of a page's text run on into the article's next page, where
    ``joint[:cut]`` is the page's own; (None, 0) on an article's last page."""
    if not following:
        return None, 0
    start = max(0, len(text) - RUN_ON)
    return run_on(text, following)[start:], len(text) - start


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
    terms = query.terms
    indexed = [t for t in terms if len(t) >= TRIGRAM]
    short = [t for t in terms if len(t) < TRIGRAM]
    finders = {t: re.compile(re.escape(t), re.IGNORECASE) for t in terms}
    filters = "i.current = 1" + (" AND i.year = ?" if year is not None else "")
    params = [year] if year is not None else []
    pages_of = "pages p JOIN articles a ON a.id = p.article JOIN issues i ON i.id = a.issue"
    keys: dict[int, tuple] = {}  # page id -> (bm25, issue date, page number) of a page the filters allow
    found: set[int] | None = None
    if year is not None:  # a year's pages are few: the terms are looked for among them
        keys = {page: (0.0, date, number) for page, date, number in db.execute(
            f"SELECT p.id, i.issue_date, p.page FROM {pages_of} WHERE {filters}", params)}
        found = set(keys)
    if indexed:
        # Each term as an FTS5 string: its own quotes doubled, so no query syntax gets through.
        # In rank order: bm25 (lower is better), then the newest issue, then the first page.
        scored = {page: (score, date, number) for page, score, date, number in db.execute(
            f"""SELECT t.rowid, bm25(page_text), i.issue_date, p.page FROM page_text t
                JOIN {pages_of.replace("pages p", "pages p ON p.id = t.rowid", 1)}
                WHERE page_text MATCH ? AND {filters}
                ORDER BY 2, 3 DESC, 4, 1""", [" AND ".join(map(_fts_string, indexed)), *params])}
        keys.update(scored)
        found = set(scored)
    texts: dict[int, str] = {}  # own texts read to look for short terms among few pages
    grams: dict[str, list[str] | None] = {}  # a short term's trigrams (None: not used)
    for term in short:
        if found is not None and len(found) <= COUNT_IN_TEXT:
            texts.update(db.execute(f"SELECT rowid, text FROM page_text WHERE rowid IN ({_ids(found - texts.keys())})"))
            found = {page for page in found if finders[term].search(texts.get(page, ""))}
            grams[term] = None
        else:
            pages, grams[term] = _short_term_pages(db, term, finders[term])
            found = pages if found is None else found & pages
    # Terms that start on a page and end on the next: the only hits not found above.
    crossing = _crossing(db, terms, finders)
    extra = set().union(*crossing.values()) - found
    if year is not None:
        extra &= keys.keys()
    if extra:
        own = dict(db.execute(f"SELECT rowid, text FROM page_text WHERE rowid IN ({_ids(extra)})"))
        found |= {page for page in extra
                  if all(page in crossing[t] or finders[t].search(own.get(page, "")) for t in terms)}
    missing = found - keys.keys()
    if missing:
        # A page found only through a term cut by its page break has no bm25 of its own: last.
        keys.update((page, (0.0, date, number)) for page, date, number in db.execute(
            f"SELECT p.id, i.issue_date, p.page FROM {pages_of} WHERE p.id IN ({_ids(missing)}) AND {filters}",
            params))
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    if indexed:
        ranked = [page for page in scored if page in found]  # in rank order already
        if len(ranked) < len(found):
            ranked += sorted(sorted(page for page in found - scored.keys() if page in keys),
                             key=lambda page: (keys[page][1], -keys[page][2]), reverse=True)
    else:
        ranked = sorted(page for page in found if page in keys)  # page order: the last tie-break
        ranked.sort(key=lambda page: (keys[page][1], -keys[page][2]), reverse=True)  # newest issue, first page
        counts = _occurrences(db, ranked, short, grams, pattern, finders, texts)
        for term in terms:
            for page in crossing[term]:
                counts[page] = counts.get(page, 0) + 1
        ranked.sort(key=lambda page: -counts.get(page, 0))  # more occurrences first (stable)
    shown = ranked[:limit]
    texts = _shown_texts(db, shown)
    details = {row[0]: row[1:] for row in db.execute(
        f"""SELECT p.id, i.issue_id, i.bulletin, i.year, i.number, i.supplement, i.issue_date, i.file, a.title,
                   p.page, i.sha256 FROM {pages_of} WHERE p.id IN ({_ids(shown)})""")} if shown else {}
    hits = []
    states: dict[str, str | None] = {}
    for page_id in shown:
        issue_id, bulletin, year_, number, supplement, date, file, title, page, digest = details[page_id]
        excerpt, marks = snippet(texts[page_id], pattern)
        if folder is not None and file not in states:
            states[file] = file_state(folder / file, digest)
        hits.append(Hit(issue_id, bulletin, issue_label(year_, number, bool(supplement)), date, file,
                        title, page, excerpt, marks, states.get(file)))
    return SearchResult(query, tuple(hits), len(ranked))


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _ids(pages) -> str:
    return ",".join(str(int(page)) for page in pages)


MAX_TRIGRAMS = 400  # beyond this many trigrams a one-character term scans the text instead
COUNT_IN_TEXT = 500  # up to this many pages, occurrences are counted in their text


def _short_term_pages(db: sqlite3.Connection, term: str, finder: re.Pattern) -> tuple[set[int], list[str] | None]:
    """(ids of the pages whose own text holds a term too short for the trigram index, the
    index's trigrams that begin with it): every trigram that begins with the term is in the
    index's vocabulary, and a page's last two characters, where no trigram begins, are its
    tail. A character so common that hundreds of trigrams begin with it: a scan (grams None)."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.page_trigrams USING fts5vocab(main, page_text, 'row')")
    # The index folds case as the term is folded here; a range of the sorted vocabulary is cheap.
    folded = term.lower()
    grams = [row[0] for row in db.execute("SELECT term FROM temp.page_trigrams WHERE term >= ? AND term < ?",
                                          (folded, folded + "\U0010ffff")) if row[0].startswith(folded)]
    if len(grams) > MAX_TRIGRAMS:
        return {page for page, text in db.execute(
            r"SELECT rowid, text FROM page_text WHERE text LIKE ? ESCAPE '\'", (_like_pattern(term),))
            if finder.search(text)}, None
    pages = {page for page, tail in _tails(db, term) if finder.search(tail)}
    if grams:
        pages.update(row[0] for row in db.execute("SELECT rowid FROM page_text WHERE page_text MATCH ?",
                                                  (" OR ".join(map(_fts_string, grams)),)))
    return pages, grams


def _occurrences(db: sqlite3.Connection, pages: list[int], terms: list[str], grams: dict,
                 pattern: re.Pattern, finders: dict, texts: dict[int, str]) -> dict[int, int]:
    """How often the (short) terms occur on each page's own text: counted in the text of a few
    pages (``texts``: those already read), from the index's trigram positions (and the tail)
    for many."""
    if len(pages) <= COUNT_IN_TEXT or any(grams[t] is None for t in terms):
        unread = [page for page in pages if page not in texts]
        for start in range(0, len(unread), 5000):
            texts.update(db.execute(f"SELECT rowid, text FROM page_text WHERE rowid IN "
                                    f"({_ids(unread[start:start + 5000])})"))
        return {page: len(pattern.findall(texts.get(page, ""))) for page in pages}
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.page_trigram_instances "
               "USING fts5vocab(main, page_text, 'instance')")
    wanted = set(pages)
    counts: dict[int, int] = {}
    for term in terms:
        if grams[term]:
            for page, count in db.execute(f"SELECT doc, count(*) FROM temp.page_trigram_instances WHERE term IN "
                                          f"({','.join('?' * len(grams[term]))}) GROUP BY doc", grams[term]):
                if page in wanted:
                    counts[page] = counts.get(page, 0) + count
        for page, tail in _tails(db, term):
            if page in wanted:
                counts[page] = counts.get(page, 0) + _starts(finders[term], tail, 0, len(tail))
    return counts


def _like_pattern(term: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"


def _tails(db: sqlite3.Connection, term: str):
    """(page id, tail) of the pages whose last two characters may hold ``term``. SQLite's LIKE
    folds ASCII letters only: for a term with other cased letters every tail is read
    (re.IGNORECASE decides)."""
    if term.isascii() or term.lower() == term.upper():
        return db.execute(r"SELECT id, tail FROM pages WHERE tail LIKE ? ESCAPE '\'", (_like_pattern(term),))
    return db.execute("SELECT id, tail FROM pages")


def _starts(finder: re.Pattern, text: str, start: int, end: int) -> int:
    """Occurrences of the term in ``text`` that begin in [start, end), overlapping ones too."""
    count = 0
    while (match := finder.search(text, start)) and match.start() < end:
        count += 1
        start = match.start() + 1
    return count


def _crossing(db: sqlite3.Connection, terms: tuple[str, ...], finders: dict) -> dict[str, set[int]]:
    """{term: ids of the pages where it starts and the article's next page ends it}: a term of
    two characters is the page's seam; a longer one is found in the joints' own index."""
    out: dict[str, set[int]] = {term: set() for term in terms}
    for term in terms:
        if len(term) == 2:
            out[term] = {row[0] for row in db.execute("SELECT id FROM pages WHERE seam = ?", (term.lower(),))}
        elif len(term) > 2:
            for page, joint, cut in db.execute(
                    "SELECT j.rowid, j.joint, p.cut FROM page_joints j JOIN pages p ON p.id = j.rowid "
                    "WHERE page_joints MATCH ?", (_fts_string(term),)):
                if _starts(finders[term], joint, max(0, cut - len(term) + 1), cut):
                    out[term].add(page)
    return out


def _shown_texts(db: sqlite3.Connection, pages: list[int]) -> dict[int, str]:
    """The text of each page shown, run on into the next page as far as its joint reaches (a
    phrase cut by the break is shown whole)."""
    if not pages:
        return {}
    ids = _ids(pages)
    texts = dict(db.execute(f"SELECT rowid, text FROM page_text WHERE rowid IN ({ids})"))
    for page, joint, cut in db.execute(f"SELECT j.rowid, j.joint, p.cut FROM page_joints j "
                                       f"JOIN pages p ON p.id = j.rowid WHERE j.rowid IN ({ids})"):
        texts[page] += joint[cut:]
    return texts


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
