"""PDF size per layout (issue 17): the sample and the stress issue built in every built-in layout,
the bytes of each edition, and the embedded font programs (subsets) by family.

    .venv/bin/python bench/layout_sizes.py [--json]

Fonts by role must not make a layout's PDFs heavy: each family is subset to the glyphs the
issue prints (a 仿宋 body adds FandolFang's, the titles a Black weight's). A benchmark, not a
test: it prints the table and exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
ISSUES = {"样张 2024-02": ROOT / "issue_sources" / "2024-02",
          "压力样稿 2024-99": ROOT / "tests" / "stress" / "2024-99"}


def font_programs(pdf: Path) -> dict[str, int]:
    """Bytes of the embedded font programs (as stored, compressed) by family."""
    sizes: dict[str, int] = defaultdict(int)
    seen = set()
    reader = PdfReader(pdf)
    for page in reader.pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                program = descriptor.get(key)
                if program is not None and id(program := program.get_object()) not in seen:
                    seen.add(id(program))
                    family = str(font["/BaseFont"]).split("+")[-1].split("-Range")[0]
                    sizes[family] += len(program._data)
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def build(issue: Path, layout: str, work: Path) -> dict:
    from kjtypeset.build import build_issue

    folder = work / layout / issue.name
    shutil.copytree(issue, folder)
    manifest = folder / "issue.yaml"
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if not line.startswith("layout:")]
    manifest.write_text("\n".join(lines).replace("articles:", f"layout: {layout}\narticles:") + "\n",
                        encoding="utf-8")
    result = build_issue(manifest, work / layout / "out" / issue.name)
    return {"pages": result.pages,
            "editions": {output.path.name.removeprefix(issue.name).removesuffix(".pdf") or "proof": output.size
                         for output in result.outputs},
            "fonts": font_programs(result.pdf)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from kjtypeset.engine.layout import available_layouts
    from kjtypeset.project import BUILTIN_LAYOUTS

    layouts = sorted(p.parent.name for p in BUILTIN_LAYOUTS.glob("*/layout.yaml"))
    assert set(layouts) <= set(available_layouts())
    results = {}
    with tempfile.TemporaryDirectory() as temporary:
        for label, issue in ISSUES.items():
            for layout in layouts:
                results[f"{label} / {layout}"] = build(issue, layout, Path(temporary))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    print("PDF 字节数（按版式；字体为嵌入的子集，按字体族）")
    print("| 样稿 / 版式 | 页数 | 校样版 | 印刷版 | 存档版 | 嵌入字体（子集） |")
    print("|---|---|---|---|---|---|")
    for name, result in results.items():
        editions = result["editions"]
        fonts = "；".join(f"{family} {size:,}" for family, size in result["fonts"].items())
        print(f"| {name} | {result['pages']} | {editions.get('proof', 0):,} | {editions.get('-print', 0):,} "
              f"| {editions.get('-archive', 0):,} | {fonts} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
