"""`make bench`: build times, memory and sizes, against a plain WeasyPrint render of the same text.

Cases: the sample issue, a generated issue four times its size, and (once) a 200-page issue.
Each build runs in a fresh process, as an editor's `make issue` does; wall time is the median
of the runs, peak RSS the largest seen. The plain render is the same articles as bare HTML
paragraphs with the same fonts: no masthead, contents, typography module or finishing.
It is a benchmark, not a test: nothing here fails on speed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issue_sources" / "2024-02"


def run(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return elapsed, usage.ru_maxrss // 1024


def grown_issue(folder: Path, times: int) -> Path:
    """The sample issue with its article list repeated ``times`` times."""
    issue = folder / f"2024-{times:02d}"
    shutil.copytree(SAMPLE, issue)
    manifest = (issue / "issue.yaml").read_text(encoding="utf-8")
    head, _, articles = manifest.partition("articles:\n")
    entries = [line for line in articles.splitlines() if line.strip().startswith("- ")]
    (issue / "issue.yaml").write_text(head + "articles:\n" + "\n".join(entries * times) + "\n",
                                      encoding="utf-8")
    return issue / "issue.yaml"


PLAIN = """
import sys
from pathlib import Path
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from kjtypeset.inputs.articles import read_articles
from kjtypeset.engine.fonts import font_face_css
from kjtypeset.engine.layout import load_layout
from kjtypeset.inputs.manifest import load_manifest

manifest = load_manifest(Path(sys.argv[1]))
layout = load_layout(manifest)
body = "".join(f"<h1>{a.title}</h1>{a.body_html}" for a in read_articles(manifest))
fonts = FontConfiguration()
css = weasyprint.CSS(string=font_face_css(layout.fonts, layout.roles) + '''
  @page { size: A4; margin: 37mm 26mm 35mm 28mm }
  html { font-family: var(--font-song); font-size: 4.875mm; line-height: 8.654mm }
  p { margin: 0; text-indent: 2em; text-align: justify }''', font_config=fonts)
html = weasyprint.HTML(string=f'<html lang="zh-CN"><body>{body}</body></html>')
html.write_pdf(sys.argv[2], stylesheets=[css], font_config=fonts)
"""


def measure(name: str, manifest: Path, out: Path, runs: int, editions: str = "proof",
            warm_up: bool = True) -> dict:
    # The plain render makes one PDF: compare it with the proof edition (the one PDF the
    # foundation made); the row for all three editions shows what `make issue` costs.
    build = [sys.executable, "-m", "kjtypeset", "build", str(manifest), "--output", str(out), "--quiet"]
    if editions != "all":
        build += ["--edition", editions]
    plain = [sys.executable, "-c", PLAIN, str(manifest), str(out / "plain.pdf")]
    if warm_up:  # the first run of each pays for cold caches (fonts, modules) once
        run(build), run(plain)
    # Interleaved, so that a slower spell of a shared machine weighs on both sides alike.
    timings, plains = [], []
    for _ in range(runs):
        timings.append(run(build))
        plains.append(run(plain))
    pdf = out / f"{manifest.parent.name}.pdf"
    from pypdf import PdfReader

    wall = statistics.median(t for t, _ in timings)
    plain_wall = statistics.median(t for t, _ in plains)
    return {"case": name, "wall": wall, "rss": max(r for _, r in timings),
            "pages": len(PdfReader(pdf).pages), "bytes": pdf.stat().st_size,
            "plain": plain_wall, "plain_rss": max(r for _, r in plains), "ratio": wall / plain_wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-200", action="store_true", help="skip the 200-page issue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = [measure("sample (2024-02)", SAMPLE / "issue.yaml", tmp / "s", args.runs),
                measure("4× sample", grown_issue(tmp, 4), tmp / "x4", args.runs),
                measure("sample, all three editions", SAMPLE / "issue.yaml", tmp / "s3", args.runs, "all")]
        if not args.skip_200:
            rows.append(measure("200-page issue", grown_issue(tmp, 19), tmp / "x19", 1, warm_up=False))
    print("| case | wall (median) | peak RSS | pages | PDF bytes | plain render | plain RSS | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['wall']:.2f} s | {r['rss']} MB | {r['pages']} | {r['bytes']:,} "
              f"| {r['plain']:.2f} s | {r['plain_rss']} MB | {r['ratio']:.2f}× |")
    sample, bigger = rows[0], rows[1]
    print(f"\n4× issue / sample: {bigger['wall'] / sample['wall']:.2f}× (target ≤ 2.5×); "
          f"sample / plain: {sample['ratio']:.2f}× (target ≤ 1.5×); "
          f"peak RSS {max(r['rss'] for r in rows)} MB (target ≤ 350 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
