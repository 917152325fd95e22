"""Page makeup on issues unlike the sample (issue 13, round 2): build a sweep of generated
issues and read each back with the independent checkers.

    .venv/bin/python tests/makeup_sweep.py [--count 20] [--only 3,7] [--keep DIR] [--json FILE]
                                           [--layout gongwen] [--tools /work/shared/tools] [--tails]

Every issue is drawn from its own seed (``SEED + n``), so a run is repeatable: 7–12 articles,
sections (with sectionless articles after them), figures of many shapes and resolutions
(several near the end of an article and of the issue), long tables with captions, footnotes,
distribution lists from none to very long, issues ending on odd and even pages. Images are
drawn with Pillow at run time (tests/makeup_issues.py); nothing here is committed but code.

For each issue it prints the pages, pagecheck's verdict (holes, sparse pages; exit 0 wanted),
whether the figures' captions read back in their order and within their articles, after
the lead (misplaced_figures), linecheck's grid share (≥ 0.95 wanted), its lowest facing-page
register and the body lines that face a body line off its baseline (``off``, see
off_register), and pdfcheck's flush ratio and defects. Exit status 1 when any issue fails
pagecheck, the order or place of its figures, or the grid target.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import makeup_issues as mi  # noqa: E402

SEED = 13000
TOOLS = Path("/work/shared/tools")

# (pixels, ppi, kind): a landscape chart, a portrait photograph, a square, a tall narrow
# chart, a panorama wider than the measure, small and low-resolution images, one without ppi,
# one at 600 ppi.
SHAPES = [
    ((1800, 1020), 300, "chart"),
    ((900, 1200), 150, "photo"),
    ((1200, 1200), 300, "chart"),
    ((600, 1500), 200, "chart"),
    ((3000, 800), 300, "photo"),
    ((400, 300), 96, "chart"),
    ((500, 400), 72, "photo"),
    ((1000, 700), None, "chart"),
    ((2400, 1600), 600, "photo"),
    ((1500, 600), 150, "chart"),
]
CAPTIONS = ["全市技术合同成交额（亿元）", "新型研发机构实验室一角", "高新技术企业分布",
            "研发投入强度变化", "科技园区全景", "孵化载体数量", "田间示范现场", "专利授权量",
            "重点实验室外景", "科创贷款余额"]
DISTRIBUTIONS = [
    "",
    "distribution:\n  报: [市委办公室, 市政府办公室]\n  送: [自治区科技厅]\n  发: [各旗县区科技局]\n",
    mi.LONG_DISTRIBUTION,
    mi.VERY_LONG_DISTRIBUTION,
]
SECTIONS = ["政策解读", "创新平台", "科技金融", "成果转化", "区域协同", "农牧科技"]


def table(rows: int) -> str:
    """A long table. Its last column is text: pdfcheck reads rows that end in a number, in the
    first six pages, as contents entries (and their cells as spaces between Han characters)."""
    lines = ["| 序号 | 平台名称 | 2023年服务企业（家次） | 类别 |", "|---:|---|---:|---|"]
    kinds = ["孵化器", "众创空间", "重点实验室", "工程技术研究中心", "新型研发机构"]
    for i in range(1, rows + 1):
        lines.append(f"| {i} | 第{i}号科技创新服务平台 | {120 + 37 * i} | {kinds[i % len(kinds)]} |")
    return "\n".join(lines)


def footnote_paragraph(rnd: random.Random, label: str) -> str:
    """A paragraph calling a footnote, with the footnote's text."""
    text = "".join(rnd.sample(mi.SENTENCES, 2))
    note = "".join(rnd.sample(mi.SENTENCES, rnd.randint(1, 2)))
    return f"{text[:-1]}[^{label}]。\n\n[^{label}]: 资料来源：{note}"


def plan(n: int) -> tuple[list[mi.ArticleSpec], str, dict[str, bytes]]:
    """Issue ``n`` of the sweep: its articles, its distribution list, its images."""
    rnd = random.Random(SEED + n)
    count = rnd.randint(7, 12)
    titles = rnd.sample(mi.TITLES, count)
    # Sections: runs of adjacent articles, some followed by sectionless articles.
    sections: list[str | None] = [None] * count
    if rnd.random() < 0.6:
        names, i = rnd.sample(SECTIONS, 4), rnd.randint(0, 2)
        for name in names:
            run = rnd.randint(1, 3)
            for k in range(i, min(count, i + run)):
                sections[k] = name
            i += run + rnd.choice((0, 0, 1))
            if i >= count:
                break
    # The emphasis rotates, so that every kind of issue appears a few times in 20.
    focus = ("end-figures", "table", "footnotes", "figures", "mixed")[n % 5]
    images: dict[str, bytes] = {}
    figure_no = table_no = 0
    specs = []
    for index, (title, section) in enumerate(zip(titles, sections)):
        paragraphs = rnd.randint(2, 8)
        spec = mi.ArticleSpec(title, paragraphs=paragraphs, section=section,
                              source=rnd.choice(["市科技局", "科技日报", None]))
        last_articles = index >= count - 2
        want_figures = {"end-figures": 2 if last_articles else rnd.random() < 0.3,
                        "figures": rnd.random() < 0.6, "mixed": rnd.random() < 0.35,
                        "table": rnd.random() < 0.15, "footnotes": rnd.random() < 0.15}[focus]
        figures = int(want_figures) + (rnd.random() < 0.3 if want_figures else 0)
        # Near the end of the article most of the time (the case that piles up); numbered
        # in the order they are written.
        places = sorted(paragraphs if rnd.random() < 0.6 else rnd.randint(1, paragraphs)
                        for _ in range(figures))
        for after in places:
            figure_no += 1
            pixels, ppi, kind = rnd.choice(SHAPES)
            name = f"f{figure_no}.{'png' if kind == 'chart' else 'jpg'}"
            images[name] = mi.png(pixels, ppi, kind, seed=SEED + 100 * n + figure_no)
            attribute = "{max-height=100%}" if rnd.random() < 0.08 else ""
            spec.extra.append((after, f"![图{figure_no}　{rnd.choice(CAPTIONS)}](images/{name}){attribute}"))
        if (focus in ("table", "mixed") and rnd.random() < 0.4) or rnd.random() < 0.08:
            table_no += 1
            rows = rnd.choice((6, 12, 24, 38, 45))
            spec.extra.append((rnd.randint(1, paragraphs),
                               f"表{table_no}　重点平台服务情况\n\n" + table(rows)))
        if (focus in ("footnotes", "mixed") and rnd.random() < 0.5) or rnd.random() < 0.08:
            for k in range(rnd.randint(1, 3)):
                spec.extra.append((rnd.randint(1, paragraphs), footnote_paragraph(rnd, f"n{k + 1}")))
        if rnd.random() < 0.25 and paragraphs > 2:  # a sub-head, never the article's last block
            spec.extra.append((rnd.randint(1, paragraphs - 1), "## " + rnd.choice(mi.TITLES)[:12]))
        specs.append(spec)
    distribution = DISTRIBUTIONS[rnd.choice((0, 1, 1, 2, 2, 3))]
    return specs, distribution, images


REPO = Path(__file__).resolve().parents[1]


def tail_issue(n: int, folder: Path) -> Path:
    """Tail issue ``n`` (``--tails``): the sample's eight articles, then a ninth made of the
    first 3 + n % 20 paragraphs of the stress issue's articles (real prose, two to eight lines
    each), so that across n the text ends at every place of its last page; a long
    distribution list for even n, a very long one for odd n. The 版记's room at the end of
    real-length articles: the generated issues' paragraphs are three or four lines."""
    import shutil
    shutil.copytree(REPO / "issue_sources" / "2024-02", folder)
    paragraphs = []
    for article in sorted((REPO / "tests" / "stress" / "2024-99" / "articles").glob("*.md")):
        body = article.read_text(encoding="utf-8").split("---", 2)[2]
        paragraphs += [p for p in body.split("\n\n") if p.strip() and not p.lstrip().startswith(("#", "[^", "|", "!"))]
    (folder / "articles" / "99-fill.md").write_text(
        "---\ntitle: 科技创新工作综述（摘编）\nsource: 本刊综合\n---\n\n"
        + "\n\n".join(paragraphs[:3 + n % 20]) + "\n", encoding="utf-8")
    manifest = folder / "issue.yaml"
    distribution = mi.VERY_LONG_DISTRIBUTION if n % 2 else mi.LONG_DISTRIBUTION
    text = manifest.read_text(encoding="utf-8").replace("layout: jianbao\n", "")  # --layout's to set
    manifest.write_text(text + "  - articles/99-fill.md\n" + distribution, encoding="utf-8")
    return manifest


def tool(name: str, tools: Path, pdf: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(tools / name), str(pdf), *args],
                          capture_output=True, text=True, check=False)


def figure_order(pdf: Path) -> list[int]:
    """The figure numbers of the captions, page by page, top to bottom, as read back."""
    import re

    import pdfplumber
    numbers = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for line in (page.extract_text() or "").splitlines():
                if (found := re.match(r"图\s*(\d+)\s", line.strip() + " ")) and len(line.strip()) < 20:
                    numbers.append(int(found.group(1)))
    return numbers


def misplaced_figures(pdf: Path, specs: list) -> list[str]:
    """Figures read back outside their article (before its title or after the next
    article's) or before its lead (fewer than two body lines between its title and the
    image), as "图N pP: …". Issue 13: a figure stays within its article, after the text that
    introduces it; pagecheck does not look. Titles are found as lines larger than the body
    size starting with the title's first eight characters (the contents' entries are
    smaller); the body size is the commonest."""
    import collections
    import re

    import pdfplumber
    items = []  # (page, top, text or None for an image, size)
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            rows: dict[int, list] = {}
            for char in page.chars:
                if char["text"].strip():
                    rows.setdefault(round(char["top"]), []).append(char)
            for top, chars in rows.items():
                chars.sort(key=lambda c: c["x0"])
                items.append((number, top, "".join(c["text"] for c in chars), round(max(c["size"] for c in chars), 1)))
            items += [(number, image["top"], None, 0) for image in page.images]
    items.sort(key=lambda item: (item[0], item[1]))
    body = collections.Counter(size for _p, _t, text, size in items if text).most_common(1)[0][0]
    titles, start = [], 0
    for spec in specs:
        key = spec.title.replace(" ", "")[:8]
        at = next((n for n in range(start, len(items)) if items[n][2] and items[n][3] > body + 0.5
                   and items[n][2].replace(" ", "").startswith(key)), None)
        titles.append(at)
        start = at + 1 if at is not None else start
    article_of = {int(found.group(1)): a for a, spec in enumerate(specs) for _after, text in spec.extra
                  if (found := re.match(r"!\[图(\d+)", text))}
    problems = []
    for n, (page, _top, text, _size) in enumerate(items):
        found = re.match(r"图(\d+)\s*\S", text or "")
        if not found or len(text) > 25 or int(found.group(1)) not in article_of:
            continue
        figure, a = int(found.group(1)), article_of[int(found.group(1))]
        image = max((m for m in range(n) if items[m][2] is None), default=n)
        title = titles[a]
        following = next((t for t in titles[a + 1:] if t is not None), len(items))
        if title is None:
            continue
        if not title < image < following:
            problems.append(f"图{figure} p{page} outside its article")
        elif sum(1 for m in range(title, image) if items[m][2] and items[m][3] == body) < 2:
            problems.append(f"图{figure} p{page} before its lead")
    return problems


def off_register(lines: list[dict]) -> int:
    """Body lines of a left page that face a body line of the right page (within 20 pt) but
    not on its baseline (0.5 pt). linecheck's register share also counts the lines that face
    a figure, a title or white, which the content decides, not the grid."""
    bases: dict[int, list[float]] = {}
    for line in lines:
        bases.setdefault(line["page"], []).append(line["base"])
    off = 0
    for page in range(2, max(bases, default=0) + 1, 2):
        for y in bases.get(page, []):
            nearest = min((abs(y - z) for z in bases.get(page + 1, [])), default=math.inf)
            off += 0.5 < nearest < 20
    return off


def check(pdf: Path, tools: Path, specs: list | None = None) -> dict:
    page = tool("pagecheck.py", tools, pdf, "--json")
    pages = json.loads(page.stdout)
    lines = json.loads(tool("linecheck.py", tools, pdf, "--lines").stdout)
    quality = json.loads(tool("pdfcheck.py", tools, pdf, "--json").stdout)
    grid = lines["grid"]
    spreads = [s["share"] for s in grid["facing_pages_register"]]
    problems = [f"hole p{h['page']} {h['empty_share']:.0%}" for h in pages["holes"]]
    problems += [f"{s['why']} p{s['page']}" + (f" ({s['lines']})" if s["why"] != "blank" else "")
                 for s in pages["sparse"]]
    # Figures keep their order (issue 13): pagecheck does not look, so this is read back here.
    order = figure_order(pdf)
    in_order = order == sorted(order)
    if not in_order:
        problems.append("figures " + ",".join(map(str, order)))
    # … nor whether they stay within their articles, after the lead (issue 13).
    misplaced = misplaced_figures(pdf, specs) if specs else []
    problems += misplaced
    return {"pages": pages["pages"], "pagecheck_ok": page.returncode == 0 and in_order and not misplaced,
            "pagecheck": problems, "misplaced": len(misplaced),
            "end_block_page": pages.get("end_block_page"),
            "grid": grid["share_of_body_lines_on_grid"], "register_min": min(spreads, default=None),
            "off_register": off_register(lines["lines"]),
            "flush": quality["justify"]["ratio"], "pdfcheck": quality["defects"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--only", help="issue numbers, comma-separated")
    parser.add_argument("--keep", type=Path, help="write the issues and PDFs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--layout", help="set the issues in this layout (default: the manifest's default, jianbao)")
    parser.add_argument("--tools", type=Path, default=TOOLS)
    parser.add_argument("--tails", action="store_true",
                        help="the tail issues instead (tail_issue: the sample and real-length paragraphs)")
    args = parser.parse_args()
    from kjtypeset.build import build_issue

    numbers = [int(x) for x in args.only.split(",")] if args.only else range(args.count)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        print(f"{'issue':<6}{'arts':>5}{'pages':>6}{'build s':>8}  {'pagecheck':<44}{'grid':>6}{'reg':>6}{'off':>4}{'flush':>7}  pdfcheck")
        for n in numbers:
            folder = root / f"sweep-{n:02d}"
            if args.tails:
                specs, manifest = [None] * 9, tail_issue(n, folder)
            else:
                specs, distribution, images = plan(n)
                manifest = mi.write_issue(folder, specs, number=n + 1, seed=SEED + n,
                                          distribution=distribution, images=images)
            if args.layout:
                text = manifest.read_text(encoding="utf-8")
                manifest.write_text(text.replace("articles:\n", f"layout: {args.layout}\narticles:\n", 1),
                                    encoding="utf-8")
            started = time.perf_counter()
            try:
                result = build_issue(manifest, folder / "out", editions=("proof",))
            except Exception as exc:  # noqa: BLE001 - a sweep reports a failed build and goes on
                print(f"{n:<6}{len(specs):>5}  build failed: {exc!r}", flush=True)
                results.append({"issue": n, "articles": len(specs), "error": repr(exc),
                                "pagecheck_ok": False, "grid": None, "pdfcheck": ["build failed"]})
                continue
            seconds = time.perf_counter() - started
            row = {"issue": n, "articles": len(specs), "seconds": round(seconds, 1),
                   **check(result.pdf, args.tools, None if args.tails else specs)}
            results.append(row)
            verdict = "ok" if row["pagecheck_ok"] else "; ".join(row["pagecheck"])
            print(f"{n:<6}{len(specs):>5}{row['pages']:>6}{seconds:>8.1f}  {verdict:<44}"
                  f"{row['grid']:>6}{row['register_min'] or 0:>6}{row['off_register']:>4}{row['flush']:>7}  "
                  f"{'; '.join(row['pdfcheck']) or '-'}", flush=True)
    failed = [r for r in results if not r["pagecheck_ok"] or (r["grid"] or 0) < 0.95]
    print(f"{len(results) - len(failed)}/{len(results)} issues pass pagecheck and the grid "
          f"(≥ 95 %); {sum(1 for r in results if not r['pdfcheck'])} have no pdfcheck defect")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
