"""`make bench`: build times, memory and sizes, against a plain WeasyPrint render of the same text.

Cases: the sample issue, a generated issue four times its size, and a 200-page issue (the
sample's articles 19 times). Each build runs in a fresh process, as an editor's `make issue`
does, alternated with the plain render (and, for the sample, with the three-edition build), so
that a slower spell of a shared machine weighs on both; wall time is the median of the runs,
peak RSS the largest seen. The plain render is the same articles as bare HTML paragraphs with
the same fonts: no masthead, contents, typography module or finishing.

Issue 15's targets are checked at the end: proof / plain ≤ 1.25× (sample), 1.4× (4×), 1.5×
(200 pages); three editions / proof ≤ 1.3× (sample). The script exits 1 when a ratio is more
than 20 % above its target (a regression a maintainer should see); within 20 % it only says so.
`--instructions` also counts the instructions of one sample build and one plain render under
valgrind's callgrind (stable where wall time is not; slow).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issue_sources" / "2024-02"


def run(args: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child process. Its
    warnings (the grown issues list each article many times over) go to a file, shown only if
    the command fails. CPU time barely moves when other work shares the machine; wall time
    stretches with the load (two cores shared by five engineers), so both are reported."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(args)}\n{errors.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


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


def measure(name: str, manifest: Path, out: Path, runs: int, warm_up: bool = True,
            with_editions: bool = False) -> dict:
    """The proof against the plain render (and, ``with_editions``, all three editions too),
    alternated run by run. The plain render makes one PDF: it compares with the proof."""
    build = [sys.executable, "-m", "kjtypeset", "build", str(manifest), "--output", str(out), "--quiet"]
    commands = {"proof": build + ["--edition", "proof"],
                "plain": [sys.executable, "-c", PLAIN, str(manifest), str(out / "plain.pdf")]}
    if with_editions:
        commands["editions"] = build
    if warm_up:  # the first run of each pays for cold caches (fonts, modules) once
        for command in commands.values():
            run(command)
    timings: dict[str, list[tuple[float, int, float]]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, command in commands.items():
            timings[key].append(run(command))
    pdf = out / f"{manifest.parent.name}.pdf"
    from pypdf import PdfReader

    def wall(key: str) -> float:
        return statistics.median(t for t, _, _ in timings[key])

    def cpu(key: str) -> float:
        return statistics.median(c for _, _, c in timings[key])

    row = {"case": name, "wall": wall("proof"), "rss": max(r for _, r, _ in timings["proof"]),
           "pages": len(PdfReader(pdf).pages), "bytes": pdf.stat().st_size,
           "plain": wall("plain"), "plain_rss": max(r for _, r, _ in timings["plain"]),
           "ratio": wall("proof") / wall("plain"), "runs": runs,
           "cpu": cpu("proof"), "plain_cpu": cpu("plain"), "cpu_ratio": cpu("proof") / cpu("plain"),
           "load": os.getloadavg()[0]}
    if with_editions:
        row.update(editions=wall("editions"), editions_rss=max(r for _, r, _ in timings["editions"]),
                   editions_ratio=wall("editions") / wall("proof"),
                   editions_cpu=cpu("editions"))
    return row


def instructions(args: list[str]) -> int | None:
    """Instructions executed by a command under callgrind (None without valgrind)."""
    if not shutil.which("valgrind"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.%p", *args],
                              capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found else None


TARGETS = {"sample (2024-02)": 1.25, "4× sample": 1.4, "200-page issue": 1.5}
EDITIONS_TARGET = 1.3
SLACK = 1.2  # a ratio more than 20 % above its target fails `make bench`


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--runs-200", type=int, default=5, help="runs of the 200-page issue")
    parser.add_argument("--skip-200", action="store_true", help="skip the 200-page issue")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions (callgrind) of one sample proof and one plain render")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = [measure("sample (2024-02)", SAMPLE / "issue.yaml", tmp / "s", args.runs, with_editions=True),
                measure("4× sample", grown_issue(tmp, 4), tmp / "x4", args.runs)]
        if not args.skip_200:
            rows.append(measure("200-page issue", grown_issue(tmp, 19), tmp / "x19", args.runs_200, warm_up=False))
        counts = None
        if args.instructions:
            manifest = SAMPLE / "issue.yaml"
            proof = instructions([sys.executable, "-m", "kjtypeset", "build", str(manifest), "--output",
                                  str(tmp / "i"), "--quiet", "--edition", "proof"])
            plain = instructions([sys.executable, "-c", PLAIN, str(manifest), str(tmp / "i" / "plain.pdf")])
            counts = proof, plain
    print("| case | wall (median) | peak RSS | pages | PDF bytes | plain render | plain RSS | ratio | target "
          "| CPU (median) | plain CPU | CPU ratio | load after |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} ({r['runs']} runs) | {r['wall']:.2f} s | {r['rss']} MB | {r['pages']} | {r['bytes']:,} "
              f"| {r['plain']:.2f} s | {r['plain_rss']} MB | {r['ratio']:.2f}× | ≤ {TARGETS[r['case']]}× "
              f"| {r['cpu']:.2f} s | {r['plain_cpu']:.2f} s | {r['cpu_ratio']:.2f}× | {r['load']:.1f} |")
    sample = rows[0]
    print(f"| sample, all three editions | {sample['editions']:.2f} s | {sample['editions_rss']} MB | | | "
          f"proof {sample['wall']:.2f} s | | {sample['editions_ratio']:.2f}× the proof | ≤ {EDITIONS_TARGET}× "
          f"| {sample['editions_cpu']:.2f} s | proof {sample['cpu']:.2f} s | | |")
    if counts and all(counts):
        print(f"\ninstructions (callgrind): sample proof {counts[0] / 1e9:.2f} G, plain render {counts[1] / 1e9:.2f} G, "
              f"ratio {counts[0] / counts[1]:.2f}×")
    checks = [(f"{r['case']}: proof / plain", r["ratio"], TARGETS[r["case"]]) for r in rows]
    checks.append(("sample: three editions / proof", sample["editions_ratio"], EDITIONS_TARGET))
    failed = 0
    print()
    for label, ratio, target in checks:
        verdict = "ok" if ratio <= target else ("over target" if ratio <= target * SLACK else "REGRESSION (> 20 % over)")
        failed += ratio > target * SLACK
        print(f"{label}: {ratio:.2f}× (target ≤ {target}×): {verdict}")
    print(f"peak RSS {max(r['rss'] for r in rows)} MB (target ≤ 350 MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
