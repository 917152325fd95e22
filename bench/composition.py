"""Line composition read back with the independent checker, on the sample, the stress issue and
generated issues unlike either (tests/corpus/prose.py): the figures of issue 12.

    .venv/bin/python bench/composition.py [--seeds 5] [--json]

For each PDF: linecheck.py's Han–Han extra advance per line (median, p95, max), Han–Latin gap
max, the share of lone ，。、；： set under 0.75 em, lines squeezed, flush lines, violations.
linecheck.py is ../shared/tools/linecheck.py when present (the team's read-back checker);
without it the bench says so and stops.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# The checker lives beside the repository (../shared/tools); KJ_SHARED_TOOLS may point elsewhere.
CHECKER = next((folder / "linecheck.py" for folder in
                [Path(p) for p in filter(None, [__import__("os").environ.get("KJ_SHARED_TOOLS")])]
                + [parent / "shared" / "tools" for parent in ROOT.parents]
                if (folder / "linecheck.py").is_file()), ROOT.parent / "shared" / "tools" / "linecheck.py")


def generated_issue(folder: Path, seed: int, articles: int = 4) -> Path:
    from corpus.prose import article

    (folder / "articles").mkdir(parents=True, exist_ok=True)
    entries = []
    for k in range(articles):
        name = f"articles/{k + 1:02d}.md"
        (folder / name).write_text(f"---\ntitle: 生成的测试文章第{seed}-{k + 1}篇：数字、西文和标点\n---\n\n"
                                   + article(seed * 100 + k), encoding="utf-8")
        entries.append(f"  - {name}\n")
    (folder / "issue.yaml").write_text(
        "bulletin: 科技情报参考\nyear: 2024\nnumber: 98\ndate: 2024-12-30\n"
        "publisher: 测试编印单位\neditor: 测试\narticles:\n" + "".join(entries), encoding="utf-8")
    return folder / "issue.yaml"


def measure(pdf: Path) -> dict:
    report = json.loads(subprocess.run([sys.executable, str(CHECKER), str(pdf)], capture_output=True,
                                       text=True, check=True).stdout)
    han = report["han_han_extra_em_per_line"]
    lone = report["punctuation"]["lone_stop_adv_mid"]
    return {
        "pages": report["pages"], "justified": report["justified_lines"],
        "ragged": report["ragged_justified_lines"],
        "han_median": han["median"], "han_p95": han["p95"], "han_max": han["max"],
        "han_latin_max": report["han_latin_gap_em"]["justified_lines"]["max"],
        "lone_under_075": round(lone["below_0.75"] / lone["n"], 3) if lone["n"] else None,
        "squeezed_lines": report["added_width_em_per_line"]["lines_squeezed(<-0.05)"],
        "violations": sum(report["violations"]["counts"].values()) if report["violations"]["counts"] else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not CHECKER.is_file():
        print(f"linecheck.py not found at {CHECKER}: nothing to measure", file=sys.stderr)
        return 1
    from kjtypeset.build import build_issue

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("sample 2024-02", ROOT / "issue_sources/2024-02/issue.yaml"),
                 ("stress 2024-99", ROOT / "tests/stress/2024-99/issue.yaml")]
        cases += [(f"generated seed {seed}", generated_issue(Path(tmp) / f"g{seed}", seed))
                  for seed in range(1, args.seeds + 1)]
        for name, manifest in cases:
            result = build_issue(manifest, Path(tmp) / "out" / name.replace(" ", "-"), editions=("proof",))
            rows.append({"case": name, **measure(result.pdf)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
