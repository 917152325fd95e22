"""Search latency on simulated archives: ten years (120 monthly issues × 8 articles) and fifty (600).

The catalogue rows are generated, not typeset: each article gets 1–3 pages of about 850
characters (a page of the jianbao layout: 26 lines of 32 characters), made of sentences from
the sample issue's articles in random order, so the text has real Chinese n-gram statistics.
One article in the whole archive mentions 量子通信试验网, to time a needle in the haystack.
Rows go in through the same function `publish` and `reindex` use (archive.catalogue_issue).

Prints, for each archive and query, the number of hits and the median and worst of 20 runs of
the search itself, then one whole `kjtypeset search` command (process start included), and
``search <years>-year: worst median … ms`` lines, which `make bench` reads. A benchmark, not a
test: nothing fails on speed.

    .venv/bin/python bench/archive_search.py [--keep DIR] [--years 10 50]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kjtypeset.archive.readback import ArticleRecord, IssueRecord, PageText
from kjtypeset.archive.search import normalise, parse_query, search
from kjtypeset.archive.store import catalogue_issue, open_catalogue
from kjtypeset.pdf.xmp import BulletinFields

ROOT = Path(__file__).resolve().parents[1]
ARTICLES, PAGE_CHARS = 8, 850
NEEDLE = "量子通信试验网"
QUERIES = [  # (arguments, year)
    (["宁科贷"], None),
    ([NEEDLE], None),
    (["科创金融 服务驿站"], None),  # a phrase
    (["孵化器", "众创空间"], None),  # AND
    (["科技型"], None),  # on most pages: ranking all of them is the worst case
    (["驿站"], None),  # two characters: LIKE scan, no trigram
    (["科技", "金融"], 2020),  # two short terms and a year
]


def sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "issue_sources" / "2024-02" / "articles").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        body = normalise(re.sub(r"[*#>]", "", body))
        out += [s + "。" for s in body.split("。") if len(s) > 8]
    return out


def simulated(pool: list[str], rng: random.Random, index: int, needle_at: tuple[int, int]) -> IssueRecord:
    year, number = 1975 + index // 12, index % 12 + 1
    articles, page = [], 2
    for position in range(ARTICLES):
        first = page
        pages = []
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
            text = ""
            while len(text) < PAGE_CHARS:
                text += rng.choice(pool)
            if (index, position) == needle_at and not pages:
                text = text[:300] + f"建设{NEEDLE}。" + text[300:]
            pages.append(PageText(page, text))
            page += 1
        title = pool[rng.randrange(len(pool))][:24].rstrip("。，")
        articles.append(ArticleRecord(title, "模拟来源", None, first, page - 1, tuple(pages)))
    fields = BulletinFields(
        issue_id=f"{year}-{number:02d}", bulletin="科技情报参考", year=year, number=number, total=index + 1,
        supplement=False, issue_date=f"{year}-{number:02d}-28", publisher="呼和浩特市科学技术局综合保障中心",
        editor="李涛", reviewer=None, articles=tuple(a.title for a in articles),
        article_pages=tuple(a.first_page for a in articles), edition="archive", layout="jianbao",
        generator="benchmark")
    return IssueRecord(fields, page, tuple(articles))


def run(folder: Path, years: int) -> float:
    """Fill a catalogue with ``years`` of monthly issues (the last ones end in 2024) and time the
    queries; returns the worst median in milliseconds."""
    issues = 12 * years
    rng = random.Random(20240228)
    pool = sentences()
    needle_at = (rng.randrange(issues), rng.randrange(ARTICLES))

    started = time.perf_counter()
    db = open_catalogue(folder, create=True)
    pages = chars = 0
    with db:
        for index in range(12 * 50 - issues, 12 * 50):
            record = simulated(pool, rng, index, (needle_at[0] + 12 * 50 - issues, needle_at[1]))
            pages += sum(len(a.pages) for a in record.articles)
            chars += sum(len(p.text) for a in record.articles for p in a.pages)
            catalogue_issue(db, record, f"{record.fields.year}/{record.fields.issue_id}.pdf", 1, "0" * 64,
                            1_500_000, None, "found")
    filled = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.glob("catalogue.sqlite*"))
    print(f"\n{years} years: {issues} issues × {ARTICLES} articles, {pages} pages, {chars / 1e6:.1f} M characters; "
          f"filled in {filled:.1f} s; {size / 1e6:.1f} MB on disk; SQLite {__import__('sqlite3').sqlite_version}")
    print(f"{'query':<28} {'year':>5} {'hits':>6} {'median ms':>10} {'worst ms':>9}")
    worst = 0.0
    for terms, year in QUERIES:
        query = parse_query(terms)
        times = []
        for _ in range(20):
            t = time.perf_counter()
            result = search(db, query, year=year)
            times.append((time.perf_counter() - t) * 1000)
        shown = " ".join(f'"{t}"' if " " in t else t for t in terms)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"{shown:<28} {year or '':>5} {result.total:>6} {median:>10.1f} {max(times):>9.1f}")
    db.close()

    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kjtypeset", "search", "宁科贷", "--archive", str(folder)],
                          capture_output=True, text=True)
    whole = time.perf_counter() - t
    print(f"whole command `kjtypeset search 宁科贷` (process start included): {whole * 1000:.0f} ms, "
          f"exit {done.returncode}: {done.stdout.splitlines()[0] if done.stdout else done.stderr}")
    print(f"search {years}-year: worst median {worst:.1f} ms (target ≤ 50 ms)")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the archives in folders under this one and keep them")
    parser.add_argument("--years", type=int, nargs="+", default=[10, 50])
    args = parser.parse_args()
    for years in args.years:
        if args.keep:
            folder = args.keep / f"{years}-years"
            folder.mkdir(parents=True, exist_ok=True)
            run(folder, years)
        else:
            with tempfile.TemporaryDirectory(prefix="kjtypeset-bench-") as temp:
                run(Path(temp), years)


if __name__ == "__main__":
    main()
