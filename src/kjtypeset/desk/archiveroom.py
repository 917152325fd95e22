"""The archive room (issue 18 item 5): search with the CLI's semantics, browse by year, and
each archived file's state as `kjtypeset verify` finds it.

Search goes through archive/search.py unchanged: a search box holds what the CLI takes as
its arguments. Words separated by spaces must all occur (as ``search 孵化器 众创空间``);
"double quotes" make a phrase (as the shell's quotes do for the CLI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from ..archive.search import SearchResult
from ..errors import KjError


def query_arguments(text: str) -> list[str]:
    """The box's text as the CLI's argument list: a quoted phrase is one argument."""
    text = text.strip()
    if '"' in text:
        return [text]  # parse_query splits it into words and "phrases" (Chinese quotes are text)
    return text.split()


def run_search(folder: Path, text: str, year: int | None, limit: int = 50) -> tuple[SearchResult, float]:
    import time

    from ..archive.search import parse_query, search
    from ..archive.store import open_catalogue

    query = parse_query(query_arguments(text))
    db = open_catalogue(folder)
    try:
        started = time.perf_counter()
        result = search(db, query, year=year, limit=limit, folder=folder)
        return result, time.perf_counter() - started
    finally:
        db.close()


def highlighted(hit) -> Markup:
    """The snippet with each match in <mark>, everything else escaped."""
    out, at = [], 0
    for start, end in hit.highlights:
        out += [escape(hit.snippet[at:start]), Markup("<mark>"), escape(hit.snippet[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(hit.snippet[at:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class Shelf:
    years: list[int]
    issues: tuple  # ListedIssue of the chosen year (archive/listing.py)
    states: dict[str, str]  # file → what verify says about it; absent: as published
    notes: dict[str, str]
    problems: list[str]  # verify's findings about files the catalogue does not list


def catalogue_years(folder: Path) -> list[int]:
    from ..archive.store import open_catalogue

    db = open_catalogue(folder)
    try:
        return [year for (year,) in db.execute("SELECT DISTINCT year FROM issues WHERE current ORDER BY year DESC")]
    finally:
        db.close()


def shelf(folder: Path, year: int | None) -> Shelf:
    """The issues of ``year`` (the newest year when None) and verify's word on every file."""
    from ..archive.listing import listing
    from ..archive.store import open_catalogue, verify

    db = open_catalogue(folder)
    try:
        issues = listing(db)
    finally:
        db.close()
    years = sorted({i.year for i in issues}, reverse=True)
    chosen = year if year in years else (years[0] if years else None)
    report = verify(folder)
    files = {i.current.file for i in issues} | {r.file for i in issues for r in i.earlier}
    states, notes, problems = {}, {}, []
    for finding in report.problems:
        relative = _relative(folder, finding.file)
        if relative in files:
            states[relative] = finding.message
        else:
            problems.append(finding.message)
    for finding in report.notes:
        notes[_relative(folder, finding.file)] = finding.message
    return Shelf(years, tuple(i for i in issues if i.year == chosen), states, notes, problems)


def _relative(folder: Path, path: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.as_posix()


_ARCHIVED = re.compile(r"[0-9]{4}/[0-9A-Za-z][0-9A-Za-z._-]*\.pdf")


def archived_pdf(folder: Path, file: str) -> Path | None:
    """The archived PDF ``file`` (as the catalogue names it, e.g. 2024/2024-02.pdf), only if
    the catalogue lists it: the client's text is a key to look up, never a path to open."""
    from ..archive.store import CATALOGUE, open_catalogue

    if not _ARCHIVED.fullmatch(file) or not (folder / CATALOGUE).is_file():
        return None
    try:
        db = open_catalogue(folder)
    except KjError:
        return None
    try:
        known = db.execute("SELECT file FROM issues WHERE file = ?", (file,)).fetchone()
    finally:
        db.close()
    if known is None:
        return None
    path = (folder / known[0]).resolve()
    return path if path.is_relative_to(folder.resolve()) and path.is_file() else None
