"""The whole month at the desk in a real browser (issue 18 item 8): `kjtypeset desk` as an
editor starts it, driven by Playwright in Debian's Chromium. New issue, a .docx and a .txt
uploaded, articles reordered, a field error fixed, the preview following, build, publish,
the archive searched and the hit opened.

Each screen is saved as a small PNG (palette, a few tens of KB). They go to a temporary
folder; ``KJ_DESK_SCREENSHOTS=docs/desk make test`` (or ``make screenshots``) writes them
where the README shows them.
"""

from __future__ import annotations

import base64
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desk_project import docx_bytes, make_project
from test_preview import CHROMIUM, CHROMIUM_FLAGS, free_port

ALTS = "() => [...document.querySelectorAll('#pages figure img')].map(i => i.alt.replace(/\\s/g, '')).join('|')"


@pytest.fixture
def desk_process(tmp_path):
    root = tmp_path / "科技情报参考"
    make_project(root)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kjtypeset", "desk", "--port", str(port)], cwd=root,
                               stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        deadline = time.monotonic() + 30
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("编辑台地址："):
                assert line.strip() == f"编辑台地址：http://127.0.0.1:{port}/（按 Ctrl+C 退出）"
                break
        yield root, f"http://127.0.0.1:{port}", lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def screenshot(page, name: str, folder: Path) -> Path:
    """A small PNG of the screen: 256 colours are plenty for text on flat colours."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / f"{name}.raw.png"
    page.screenshot(path=str(raw))
    target = folder / f"{name}.png"
    with Image.open(raw) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    raw.unlink()
    return target


@pytest.mark.browser
def test_a_month_at_the_desk(desk_process, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("需要 Debian 的 chromium：请运行 make setup")
    root, url, _lines = desk_process
    shots = Path(os.environ.get("KJ_DESK_SCREENSHOTS") or tmp_path / "shots")
    sources = tmp_path / "稿件"
    sources.mkdir()
    (sources / "通辽种业.docx").write_bytes(docx_bytes("通辽推进玉米种业创新", [
        "通辽市建成玉米育种联合实验室，汇聚育种专家40余名。", "今年新审定玉米品种5个，推广面积超过200万亩。"]))
    (sources / "赤峰园区.txt").write_text(
        "赤峰建设农牧业科技园区\n\n赤峰市新建农牧业科技园区3个,引进企业28家。\n\n园区年产值达到15亿元 。\n", encoding="utf-8")
    started = time.monotonic()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, timeout=30_000)
        try:
            context = browser.new_context(viewport={"width": 1180, "height": 760}, bypass_csp=True)
            page = context.new_page()
            page.set_default_timeout(60_000)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            # 1. The issues; a new one, as `kjtypeset new` makes it.
            page.goto(url + "/")
            assert page.locator("table.issues td a").all_inner_texts() == ["2024-03"]
            page.fill("input[name=date]", "2024-04-26")
            screenshot(page, "01-各期", shots)
            page.click("#new-issue button[type=submit]")
            page.wait_for_url(url + "/issues/2024-04/?new=1")
            assert page.locator("h1").first.inner_text().startswith("2024年第4期")
            # The empty issue's preview says what the build says.
            page.locator("#error").wait_for(state="visible")
            assert page.locator("#error").inner_text() == ("错误：issue_sources/2024-04/issue.yaml:17: "
                                                           "articles（文章列表）应至少列出一篇文章，实际为空列表")

            # 2. A .docx and a .txt dropped in at once.
            # Dropped as a file manager drops them: a drop event carrying both files.
            dropped = page.evaluate_handle(
                """(files) => { const transfer = new DataTransfer();
                   for (const [name, data] of files) {
                     transfer.items.add(new File([Uint8Array.from(atob(data), c => c.charCodeAt(0))], name)); }
                   return transfer; }""",
                [[name, base64.b64encode((sources / name).read_bytes()).decode()]
                 for name in ("通辽种业.docx", "赤峰园区.txt")])
            page.dispatch_event("#dropzone", "dragover", {"dataTransfer": dropped})
            page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
            page.wait_for_function("document.getElementById('import-report').dataset.kind === 'ok'")
            report = page.locator("#import-report").inner_text()
            assert "通辽种业.docx：找到 1 篇文章" in report and "赤峰园区.txt：找到 1 篇文章" in report
            titles = page.locator("#articles .title")
            assert titles.all_inner_texts() == ["通辽推进玉米种业创新", "赤峰建设农牧业科技园区"]
            # The banner at the top no longer says the list is empty.
            assert page.locator("#manifest-state .error").count() == 0
            page.wait_for_function(f"({ALTS})().includes('通辽推进玉米种业创新')")
            screenshot(page, "02-收稿", shots)

            # 3. Reordered by dragging the second article above the first.
            page.locator("#articles li").nth(1).drag_to(page.locator("#articles li").nth(0),
                                                        target_position={"x": 40, "y": 4})
            page.wait_for_function("document.getElementById('article-message').textContent.startsWith('已调整文章顺序')")
            assert titles.all_inner_texts() == ["赤峰建设农牧业科技园区", "通辽推进玉米种业创新"]
            manifest = (root / "issue_sources" / "2024-04" / "issue.yaml").read_text(encoding="utf-8")
            assert manifest.index("02-赤峰建设农牧业科技园区.md") < manifest.index("01-通辽推进玉米种业创新.md")
            # The preview follows: the contents now list 赤峰 first.
            page.wait_for_function(f"(({ALTS})().split('|')[0].indexOf('赤峰建设') > -1) && "
                                   f"(({ALTS})().split('|')[0].indexOf('赤峰建设') < ({ALTS})().split('|')[0].indexOf('通辽推进'))")

            # 4. A field error, as the CLI says it, then fixed.
            page.fill("#f-number", "四")
            page.fill("#f-reviewer", "王芳")
            page.click("#fields button[type=submit]")
            error = page.locator(".field[data-field=number] .field-error")
            error.wait_for(state="visible")
            assert error.inner_text() == "错误：issue_sources/2024-04/issue.yaml:10: number（期号）应为正整数，实际为“四”"
            screenshot(page, "03-改正错误", shots)
            page.fill("#f-number", "4")
            page.click("#fields button[type=submit]")
            error.wait_for(state="hidden")
            assert page.locator("#fields .saved").inner_text() == "已保存：审核（已写入 issue.yaml）"
            page.wait_for_function(f"({ALTS})().includes('王芳')")  # the end block, in the preview

            # 5. Build: progress, then the three editions to download.
            page.click("#build")
            page.wait_for_function("document.getElementById('job-log').dataset.kind === 'ok'", timeout=120_000)
            assert page.locator("#downloads a").all_inner_texts()[:3] == [
                f"{label} 2024-04{suffix}.pdf（{size}）" for label, suffix, size in
                zip(("校样版", "印刷版", "存档版"), ("", "-print", "-archive"),
                    [page.locator("#downloads a").nth(i).inner_text().rsplit("（", 1)[1][:-1] for i in range(3)])]
            with page.expect_download() as download:
                page.locator("#downloads a").first.click()
            assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
            screenshot(page, "04-排版", shots)

            # 6. Publish, after saying which revision it will be.
            page.click("#publish")
            page.locator("#publish-dialog").wait_for(state="visible")
            assert page.locator("#publish-text").inner_text().startswith(
                "将排出存档版，存为 archive/2024/2024-04.pdf：2024年第4期第 1 版。")
            screenshot(page, "05-存档", shots)
            page.click("#publish-confirm")
            page.wait_for_function("document.getElementById('job-log').textContent.startsWith('存档中') && "
                                   "document.getElementById('job-log').dataset.kind === 'ok'", timeout=120_000)
            assert "已存档 archive/2024/2024-04.pdf：2024年第4期第 1 版" in page.locator("#job-log").inner_text()

            # 7. The archive room: search, and open the hit at its page.
            page.goto(url + "/archive?q=" + "玉米育种")
            hit = page.locator("a.hit").first
            assert hit.locator(".title").inner_text() == "《通辽推进玉米种业创新》"
            assert page.locator(".snippet mark").first.inner_text() == "玉米育种"
            href = hit.get_attribute("href")
            assert href.startswith("/archive/pdf/2024/2024-04.pdf#page=")
            screenshot(page, "06-档案室", shots)
            opened = page.request.get(url + href.split("#")[0])
            assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
            assert opened.body() == (root / "archive" / "2024" / "2024-04.pdf").read_bytes()
            with context.expect_page() as popup:
                hit.click()
            assert popup.value.url == url + href
            page.goto(url + "/archive")
            assert page.locator(".shelf-issue .verify .badge").first.inner_text() == "核对无误：与存档时相同"
            assert errors == []
        finally:
            browser.close()
    print(f"a month at the desk: {time.monotonic() - started:.1f} s")
