"""The command line: a thin layer over the library; the only module that prints."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import KjError, display_path

EPILOG = """示例：
  kjtypeset build issue_sources/2024-02/issue.yaml                    # 校样版、印刷版、存档版
  kjtypeset build issue_sources/2024-02/issue.yaml --edition print --marks --booklet
  kjtypeset check output/2024-02/2024-02-print.pdf                    # 印前检查
  kjtypeset unpack output/2024-02/2024-02-archive.pdf /tmp/rebuild    # 从存档版取回源文件
  python -m kjtypeset fonts          # 从 Debian 的 Noto CJK 字体集中提取 SC 字体到 fonts/
"""

# argparse's own phrases, for the few messages an editor is likely to meet.
_ARGPARSE_PHRASES = {
    "the following arguments are required": "缺少参数",
    "unrecognized arguments": "无法识别的参数",
    "invalid choice": "无效的值",  # a sub-command or a value such as --edition's
    "argument ": "参数 ",
    "expected one argument": "应跟一个值",
    "choose from": "可选",
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message):
        for english, chinese in _ARGPARSE_PHRASES.items():
            message = message.replace(english, chinese)
        self.exit(2, f"{self.prog}：{message}（用 --help 查看用法）\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kjtypeset", description="kjtypeset：科技情报简报排版工具。", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"kjtypeset {__version__}",
                        help="显示版本号并退出")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的调用栈（供开发者排查）")
    commands = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)
    commands.required = True

    build = commands.add_parser(
        "build", help="排版一期简报，生成 PDF",
        description="按期刊清单排版一期简报，生成三个版本的 PDF：\n"
                    "  校样版 <期>.pdf          屏幕阅读、电子邮件\n"
                    "  印刷版 <期>-print.pdf    交印刷厂：PDF/X-4，CMYK（FOGRA39），3 mm 出血\n"
                    "  存档版 <期>-archive.pdf  归档：PDF/A-3b，附带本期全部源文件",
        epilog="示例：\n  kjtypeset build issue_sources/2024-02/issue.yaml --output output/2024-02\n"
               "  kjtypeset build issue_sources/2024-02/issue.yaml --edition print --saddle-stitch --marks")
    build.add_argument("manifest", type=Path, help="期刊清单 issue.yaml 的路径")
    build.add_argument("--output", type=Path, metavar="目录",
                       help="PDF 的输出目录（默认 output/<年-期>/）")
    build.add_argument("--edition", choices=["proof", "print", "archive"], metavar="版本",
                       help="只生成一个版本：proof（校样版）、print（印刷版）或 archive（存档版）；默认三个都生成")
    build.add_argument("--marks", action="store_true", help="印刷版：在出血以外加裁切标记（套准色）")
    build.add_argument("--saddle-stitch", action="store_true",
                       help="印刷版：骑马订，在报尾前补空白页使总页数为 4 的倍数（报尾单独成页）")
    build.add_argument("--booklet", action="store_true",
                       help="印刷版：另生成骑马订拼版 <期>-booklet.pdf（A3 双联，印刷顺序；含 --saddle-stitch）")
    build.add_argument("-q", "--quiet", action="store_true", help="只在出错时输出")

    check = commands.add_parser(
        "check", help="印前检查：回读 PDF，报告能否交付",
        description="回读任一版本的 PDF 并逐项报告：页数与尺寸、成品框与出血框、字体（是否嵌入、子集化）、\n"
                    "颜色空间、输出意图、PDF/X 与 PDF/A 标识、附件、页码标签、目录与正文页、图片分辨率。\n"
                    "有失败项时退出码为 1。",
        epilog="示例：\n  kjtypeset check output/2024-02/2024-02-print.pdf\n"
               "  kjtypeset check output/2024-02/2024-02-archive.pdf --json")
    check.add_argument("pdf", type=Path, help="要检查的 PDF 文件")
    check.add_argument("--json", action="store_true", help="以 JSON 输出（供程序读取）")

    unpack = commands.add_parser(
        "unpack", help="从存档版 PDF 中取出本期源文件",
        description="把存档版 PDF 附带的源文件（issue.yaml、文章、图片）写到一个空文件夹，以便重新排版。",
        epilog="示例：\n  kjtypeset unpack output/2024-02/2024-02-archive.pdf /tmp/2024-02\n"
               "  kjtypeset build /tmp/2024-02/issue.yaml")
    unpack.add_argument("pdf", type=Path, help="存档版 PDF")
    unpack.add_argument("dest", type=Path, metavar="目录", help="写入的文件夹（应为空或不存在）")

    fonts = commands.add_parser(
        "fonts", help="准备字体：从 Debian 的 Noto CJK 字体集中提取简体中文（SC）字体",
        description="从 /usr/share/fonts/opentype/noto 的 Noto CJK 字体集中提取 SC 字面到 fonts/。",
        epilog="示例：\n  python -m kjtypeset fonts")
    fonts.add_argument("--dest", type=Path, metavar="目录", help="字体输出目录（默认项目的 fonts/）")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "fonts":
            return _fonts(args)
        if args.command == "check":
            return _check(args)
        if args.command == "unpack":
            return _unpack(args)
    except KjError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断，未写出任何文件。", file=sys.stderr)
        return 130
    return 2


def _build(args) -> int:
    from .build import ALL_EDITIONS, build_issue  # WeasyPrint loads slowly; keep --help instant
    from .editions import PrintOptions

    editions = (args.edition,) if args.edition else ALL_EDITIONS
    if (args.marks or args.saddle_stitch or args.booklet) and "print" not in editions:
        option = "--marks" if args.marks else "--saddle-stitch" if args.saddle_stitch else "--booklet"
        print(f"kjtypeset build：{option} 只用于印刷版（--edition print）（用 --help 查看用法）", file=sys.stderr)
        return 2
    say = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    options = PrintOptions(marks=args.marks, saddle_stitch=args.saddle_stitch, booklet=args.booklet)
    result = build_issue(args.manifest, args.output, progress=say, editions=editions, options=options)
    for output in result.outputs:
        say(f"已生成 {display_path(output.path)}：{output.pages} 页，{output.size / 1e6:.2f} MB")
    say(f"用时 {result.seconds:.1f} 秒")
    return 0


def _check(args) -> int:
    import json

    from .preflight import format_report, preflight_file

    report = preflight_file(args.pdf, name=display_path(args.pdf))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 1 if report.failures else 0


def _unpack(args) -> int:
    from .sources import unpack_sources

    written = unpack_sources(args.pdf, args.dest)
    for path in written:
        print(f"已取出 {display_path(path)}")
    manifest = args.dest / "issue.yaml"
    print(f"重新排版：kjtypeset build {display_path(manifest)}")
    return 0


def _fonts(args) -> int:
    from .fonts import PROJECT_FONTS, install_sc_faces

    written = install_sc_faces(args.dest or PROJECT_FONTS)
    for path in written:
        print(f"已提取 {display_path(path)}")
    if not written:
        print("字体已就绪，无需提取。")
    return 0
