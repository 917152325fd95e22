"""Issue 15's shortcuts change speed, never output: each is compared with the way round it.

Nothing here is timed (the numbers come from `make bench`); every test compares what a
reader gets — PDF bytes, preflight findings, error messages — with and without a shortcut.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream, DecodedStreamObject

from conftest import ARTICLE, MANIFEST, ROOT
from kjtypeset import build as build_module
from kjtypeset.build import build_issue
from kjtypeset.engine import deflate
from kjtypeset.errors import KjError
from kjtypeset.pdf import editions, preflight

STRESS = ROOT / "tests" / "stress" / "2024-99"


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(out, format="PNG", dpi=(300, 300))  # a resolution: no warning
    return out.getvalue()


def _outputs(result) -> dict[str, bytes]:
    return {o.edition: o.path.read_bytes() for o in result.outputs}


@pytest.fixture(scope="module")
def stress_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stress") / "2024-99"
    shutil.copytree(STRESS, folder)
    return folder / "issue.yaml"


def test_the_shortcuts_still_fit_this_weasyprint():
    """Each falls back to WeasyPrint's own way when it no longer fits: slower, never wrong.
    This test is how an upgrade that makes one fall back is noticed."""
    from kjtypeset.engine import fontload

    assert deflate.supported() and fontload.parallel_subsets_supported() and fontload.lazy_fonts_supported()


@pytest.mark.slow
def test_every_shortcut_off_gives_the_same_bytes(stress_copy, tmp_path, monkeypatch):
    """The stress issue, all three editions: the fast build (collector paused, remembered
    deflate, faces subset side by side, cuts in parallel workers) against one with all of
    them switched off."""
    from kjtypeset.engine import fontload

    monkeypatch.setattr(editions, "spare_cores", lambda: 2)  # fork whatever the machine's load
    fast = _outputs(build_issue(stress_copy, tmp_path / "fast"))

    monkeypatch.setattr(editions, "PARALLEL_CUTS", False)
    monkeypatch.setattr(editions, "spare_cores", lambda: 0)
    monkeypatch.setattr(deflate, "supported", lambda: False)
    monkeypatch.setattr(fontload, "parallel_subsets_supported", lambda: False)
    monkeypatch.setattr(build_module, "collector_paused", contextlib.nullcontext)
    plain = _outputs(build_issue(stress_copy, tmp_path / "plain"))
    assert sorted(fast) == ["archive", "print", "proof"]
    for edition in fast:
        assert fast[edition] == plain[edition], edition


@pytest.mark.parametrize("edition", ["proof", "print", "archive"])
def test_one_edition_is_cut_from_the_text_layers_objects_with_the_same_bytes(stress_copy, tmp_path, monkeypatch, edition):
    """A build of one edition cuts it from the pypdf objects the text layer edited (no write and
    parse of the whole master between them); the bytes are those of a cut from the written
    master, as a build of several editions makes."""
    taken = []
    edited = editions._Edited

    def counted(writer):
        taken.append(writer)
        return edited(writer)

    monkeypatch.setattr(editions, "_Edited", counted)
    fast = _outputs(build_issue(stress_copy, tmp_path / "fast", editions=(edition,)))
    assert len(taken) == 1
    taken.clear()
    master = editions._Master.__init__
    monkeypatch.setattr(editions._Master, "__init__",
                        lambda self, pdf, edited, cuts: master(self, pdf, edited, 2))  # as for several
    written = _outputs(build_issue(stress_copy, tmp_path / "written", editions=(edition,)))
    assert not taken and fast == written


def test_the_profile_is_deflated_once_and_written_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(deflate, "_CACHE", tmp_path / "cache")
    monkeypatch.setattr(deflate, "_known", {})
    assert deflate.supported()  # pydyf still deflates the way the shortcut expects
    data = (b"ICC profile stand-in " * 5000) + bytes(range(256)) * 40
    deflate.remember(data)
    cached = list((tmp_path / "cache").glob("deflate-*.bin"))
    assert len(cached) == 1 and zlib.decompress(cached[0].read_bytes()) == data
    import pydyf

    def written(payload: bytes) -> bytes:
        return pydyf.Stream([payload], compress=True).data

    other = b"not remembered " * 300
    plain = written(data), written(other)
    with deflate.known_streams():
        assert pydyf.zlib is not zlib
        assert (written(data), written(other)) == plain
    assert pydyf.zlib is zlib
    # A damaged cache file is not believed: the data is deflated again.
    cached[0].write_bytes(b"garbage")
    monkeypatch.setattr(deflate, "_known", {})
    deflate.remember(data)
    with deflate.known_streams():
        assert written(data) == plain[0]


@pytest.fixture
def illustrated(make_issue):
    return make_issue(files={"articles/a.md": ARTICLE + "\n![图1　红色](red.png)\n",
                             "articles/red.png": _png((200, 30, 30))})


def test_a_check_failing_in_a_worker_fails_the_build_with_its_message(illustrated, monkeypatch):
    monkeypatch.setattr(editions, "spare_cores", lambda: 2)
    monkeypatch.setattr("kjtypeset.pdf.editions.convert_images_to_cmyk", lambda writer: 0)
    monkeypatch.chdir(illustrated.parent.parent)
    with pytest.raises(KjError) as caught:
        build_issue(illustrated, illustrated.parent / "out")
    assert str(caught.value) == ("2024-03/issue.yaml: 印刷版未通过印前检查：颜色：印刷版中有 RGB 颜色（DeviceRGB）："
                                 "第 1 页；印刷版的全部颜色应为 CMYK")
    assert not list((illustrated.parent / "out").glob("*.pdf"))


def test_warnings_from_a_worker_reach_the_build(illustrated, monkeypatch):
    from kjtypeset.errors import warn

    def check(data, edition, origin):
        warn(origin, None, f"{edition.label}的测试警告")

    monkeypatch.setattr(editions, "spare_cores", lambda: 2)
    monkeypatch.setattr(build_module, "_strict_preflight", check)
    result = build_issue(illustrated, illustrated.parent / "out")
    assert sorted(w.message for w in result.warnings) == ["印刷版的测试警告", "存档版的测试警告", "校样版的测试警告"]
    with pytest.raises(KjError, match="印刷版的测试警告|存档版的测试警告|校样版的测试警告"):
        build_issue(illustrated, illustrated.parent / "out", strict=True)


def test_a_worker_that_dies_is_redone_here(illustrated, monkeypatch):
    """A bug in a worker is raised as the serial build raises it, not as a lost worker."""
    real = editions._derive

    def derive(master, edition, *args):
        if edition is editions.ARCHIVE:
            raise ZeroDivisionError("bug in the archive cut")
        return real(master, edition, *args)

    monkeypatch.setattr(editions, "spare_cores", lambda: 2)
    monkeypatch.setattr(editions, "_derive", derive)
    with pytest.raises(ZeroDivisionError, match="bug in the archive cut"):
        build_issue(illustrated, illustrated.parent / "out")


# -- the preflight's operator scan ------------------------------------------------------------

def _scan(reader: PdfReader, fast: bool) -> tuple:
    saved = preflight._operations
    if not fast:
        preflight._operations = lambda content: content.operations
    try:
        scan = preflight._Scan(reader)
    finally:
        preflight._operations = saved
    return scan.spaces, scan.defaulted, scan.images, scan.transparency, scan.group_spaces


def test_the_fast_operator_scan_finds_what_pypdf_finds(make_issue, tmp_path):
    """Images (placed size, so the cm chain), RGB and CMYK, an SVG's vector colour, tables."""
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" '
           b'fill="#3060c0" opacity="0.5"/><circle cx="10" cy="10" r="5" fill="green"/></svg>')
    body = ("\n![图1　红色](red.png)\n\n![图2　矢量](chart.svg)\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n"
            "脚注[^1]。\n\n[^1]: 脚注内容 2024 年。\n")
    path = make_issue(files={"articles/a.md": ARTICLE + body, "articles/red.png": _png((200, 30, 30)),
                             "articles/chart.svg": svg})
    pdfs = [o.path for o in build_issue(path, tmp_path / "out", editions=("proof", "archive")).outputs]
    seen = set()
    for pdf in pdfs:
        fast, slow = _scan(PdfReader(pdf), True), _scan(PdfReader(pdf), False)
        assert fast == slow
        seen |= set(fast[0])
        assert fast[2] and all(image["ppi"] > 0 for image in fast[2])
    assert {"DeviceRGB", "DeviceCMYK"} <= seen


def test_a_stream_the_fast_scan_cannot_read_safely_takes_pypdfs_parser():
    """A literal string may hold text that looks like an operator: "(1 0 0 rg)" is not colour."""
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf (0 0 1 rg) Tj ET 0 0 0 1 k")
    operations = preflight._operations(ContentStream(stream, None))
    assert [op for _, op in operations if op in (b"rg", b"k")] == [b"k"]
    stream.set_data(b"q 1 0 0 1 0 0 cm /Im0 Do Q 0.2 g")
    assert [(list(map(float, o)) if op == b"cm" else o, op) for o, op in
            preflight._operations(ContentStream(stream, None))] == [
        ([], b"q"), ([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], b"cm"), (["/Im0"], b"Do"), ([], b"Q"), ([], b"g")]


# -- commands that never load the engine --------------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["check", "{pdf}"], ["search", "宁科贷", "--archive", "{archive}"],
                                  ["catalogue", "--archive", "{archive}"], ["verify", "--archive", "{archive}"]])
def test_commands_that_do_not_typeset_never_import_weasyprint(args, sample_build, tmp_path):
    from kjtypeset.archive.store import open_catalogue

    open_catalogue(tmp_path, create=True).close()
    args = [a.format(pdf=sample_build.pdf, archive=tmp_path) for a in args]
    code = ("import sys\nfrom kjtypeset.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf', 'tinycss2')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


# -- the preview's warm rebuilds ----------------------------------------------------------------

LONG_ARTICLE = ARTICLE + "".join(f"\n第{n}段。近年来，衢州市围绕创新创业生态体系建设，聚焦科技企业孵化器、众创空间等"
                                 "“双创”平台培育管理，出台了一系列政策措施，平台数量和质量稳步提升。\n"
                                 for n in range(1, 40))


@pytest.mark.slow
def test_a_warm_rebuild_repaints_only_the_changed_page_and_shows_what_a_build_shows(make_issue, tmp_path):
    from kjtypeset.editor.pageimages import render_pages
    from kjtypeset.editor.preview import Preview

    path = make_issue(files={"articles/a.md": LONG_ARTICLE})
    article = path.parent / "articles" / "a.md"
    preview = Preview(path, tmp_path / "preview")
    try:
        preview.rebuild()
        first = preview.state.rendering
        assert preview.state.error is None and len(first.images) >= 3

        # An edit near the end: its page is repainted, the others are kept as they were.
        article.write_text(LONG_ARTICLE.replace("第39段。", "第39段（改）。"), encoding="utf-8")
        preview.changed({article})
        preview.rebuild()
        second = preview.state.rendering
        assert preview.state.error is None and second.repainted == 1
        changed = [i for i, (a, b) in enumerate(zip(first.images, second.images)) if a.digest != b.digest]
        assert len(changed) == 1 and "第39段（改）" in second.images[changed[0]].text

        # The pages shown are pixel for pixel those of the proof `build` writes.
        built = build_issue(path, tmp_path / "built", editions=("proof",)).pdf.read_bytes()
        proof = render_pages(built, list(range(len(second.images))))
        assert [p.digest for p in proof] == list(second.digests)
        # The PDF the page links to is that proof, byte for byte.
        assert preview.proof_pdf() == built
        assert (tmp_path / "preview" / "2024-03.pdf").read_bytes() == built

        # A change the box tree cannot show (a layout or image file) repaints every page.
        preview.changed({ROOT / "layouts" / "jianbao" / "style.css"})
        preview.rebuild()
        assert preview.state.rendering.repainted == len(second.images)
    finally:
        preview.close()


def test_page_images_in_worker_processes_are_those_made_here(sample_build):
    from kjtypeset.editor.pageimages import Renderer, render_pages

    pdf = sample_build.pdf.read_bytes()
    pages = list(range(5))
    renderer = Renderer(workers=2)
    try:
        assert renderer.render(pdf, pages) == render_pages(pdf, pages)
    finally:
        renderer.close()


@pytest.mark.slow
def test_when_two_cuts_fail_the_build_names_the_one_a_serial_build_would(illustrated, monkeypatch):
    def check(data, edition, origin):
        if edition is not editions.PROOF:
            raise KjError(origin, None, f"{edition.label}不合格")

    monkeypatch.setattr(build_module, "_strict_preflight", check)
    for spare in (0, 1, 2):  # serial; print in a worker, archive here; both in workers
        monkeypatch.setattr(editions, "spare_cores", lambda spare=spare: spare)
        with pytest.raises(KjError, match="印刷版不合格"):
            build_issue(illustrated, illustrated.parent / "out")


# -- title segmentation remembered on this machine ---------------------------------------------

def test_titles_segmented_before_are_set_without_loading_the_dictionary(make_issue, tmp_path):
    """rjieba takes 0.14 s to load its dictionary: a build whose titles and header cells were
    all segmented before on this machine takes their words from the per-user cache, and its
    PDF is the same, byte for byte; a damaged cache is read as empty."""
    import os

    manifest = make_issue()
    code = ("import sys\nfrom pathlib import Path\nfrom kjtypeset.build import build_issue\n"
            "result = build_issue(Path(sys.argv[1]), Path(sys.argv[2]), editions=('proof',))\n"
            "print(result.pdf)\nprint('rjieba' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def build(out: str) -> tuple[bool, bytes]:
        done = subprocess.run([sys.executable, "-c", code, str(manifest), str(tmp_path / out)],
                              capture_output=True, text=True, env=env, check=True)
        pdf, loaded = done.stdout.strip().splitlines()[-2:]
        return loaded == "True", open(pdf, "rb").read()

    cold, warm = build("cold"), build("warm")
    assert cold[0] and not warm[0] and cold[1] == warm[1]
    for cached in (tmp_path / "cache" / "kjtypeset").glob("words-*.json"):
        cached.write_text("{not json", encoding="utf-8")
    damaged = build("damaged")
    assert damaged[0] and damaged[1] == cold[1]


def test_a_page_painted_again_takes_its_widened_fonts_from_the_last_write(make_issue, monkeypatch):
    from kjtypeset.build import laid_out_pages_pdf, lay_out_issue
    from kjtypeset.engine.fontload import SubsetReuse
    from kjtypeset.typography import textlayer

    text = ARTICLE + "\n2023年全市新增高新技术企业128家，R&D经费投入强度达到2.5%，比上年提高0.3个百分点。\n"
    # Two articles: the first opens page 2 under the contents, as written. (One article would
    # follow the masthead on page 1, where pypdf reads "2023 年" though the gap is closed as on
    # page 2 and PDFium reads "2023年": task ct21, to be looked into.)
    second = "---\ntitle: 乙\n---\n\n正文。\n"
    laid = lay_out_issue(make_issue(MANIFEST + "  - articles/b.md\n", files={"articles/a.md": text, "articles/b.md": second}))
    widened = []
    original = textlayer._widened
    monkeypatch.setattr(textlayer, "_widened", lambda *args: widened.append(args[1:]) or original(*args))
    fonts = SubsetReuse()
    first = laid_out_pages_pdf(laid, [1], fonts)
    made = len(widened)
    assert made and len(fonts.twins) == made  # a twin for each font and widening of the page
    widened.clear()
    assert laid_out_pages_pdf(laid, [1], fonts) == first and not widened  # none made again
    # The gaps are closed as in the proof: "2023年" copies without a space.
    page = PdfReader(io.BytesIO(first)).pages[0].extract_text().replace("\n", "")
    assert "2023年" in page and "128家" in page
    # Without a store each write makes its own.
    laid_out_pages_pdf(laid, [1])
    assert len(widened) == made


MALLOC_HEAPS = """
import ctypes, sys
from kjtypeset.cli import main
assert main(["build", sys.argv[1], "--edition", "proof", "-q", "--output", sys.argv[2]]) == 0
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
report = ctypes.c_void_p(libc.fopen(sys.argv[3].encode(), b"w"))
libc.malloc_info(0, report)
libc.fclose(report)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_build_keeps_its_threads_in_one_malloc_arena(make_issue, tmp_path):
    # The faces are subset in threads (engine/fontload.py); arenas of their own would hold
    # memory the rest of the build cannot reuse (kjtypeset/malloc.py).
    manifest = make_issue(files={"articles/a.md": LONG_ARTICLE})
    report = tmp_path / "malloc.xml"
    subprocess.run([sys.executable, "-c", MALLOC_HEAPS, str(manifest), str(tmp_path / "out"), str(report)],
                   check=True, cwd=tmp_path)
    assert (tmp_path / "out" / "2024-03.pdf").exists()
    assert report.read_text().count("<heap nr=") == 1


# -- layout templates compiled before ------------------------------------------------------------

def test_layout_templates_compiled_before_are_loaded_compiled(make_issue, tmp_path, monkeypatch):
    """Compiling the layout's Jinja templates took a build about 20 ms: a build on a machine that
    compiled them before loads them from the per-user cache and writes the same HTML; an edited
    template is compiled again; a cache that cannot be written only costs the time."""
    import dataclasses

    import jinja2

    from kjtypeset.engine.layout import load_layout, render_html
    from kjtypeset.inputs.articles import read_articles
    from kjtypeset.inputs.manifest import load_manifest

    manifest = load_manifest(make_issue())
    layout, articles = load_layout(manifest), tuple(read_articles(manifest))
    compiled = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *rest, **kw:
                        compiled.append(name) or original(self, source, name, *rest, **kw))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cold = render_html(manifest, articles, layout)
    assert compiled
    compiled.clear()
    assert render_html(manifest, articles, layout) == cold and not compiled

    copy = tmp_path / "layout"  # the same layout, its template edited
    shutil.copytree(layout.folder, copy)
    template = copy / layout.template
    template.write_text(template.read_text(encoding="utf-8").replace("</body>", "<p>改</p></body>"),
                        encoding="utf-8")
    edited = render_html(manifest, articles, dataclasses.replace(layout, folder=copy, folders=(copy,)))
    assert compiled and "<p>改</p>" in edited

    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # not a folder
    assert render_html(manifest, articles, layout) == cold
