"""The command line: a thin layer over the library; the only module that prints."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import KjError, display_path

EPILOG = """示例：
  kjtypeset build issue_sources/2024-02/issue.yaml
  kjtypeset build issue_sources/2024-02/issue.yaml --output /tmp/proof
  python -m kjtypeset fonts          # 从 Debian 的 Noto CJK 字体集中提取 SC 字体到 fonts/
"""

# argparse's own phrases, for the few messages an editor is likely to meet.
_ARGPARSE_PHRASES = {
    "the following arguments are required": "缺少参数",
    "unrecognized arguments": "无法识别的参数",
    "invalid choice": "无效的子命令",
    "expected one argument": "应跟一个值",
    "choose from": "可选",
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：")


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
        "build", help="排版一期简报，生成 PDF", description="按期刊清单排版一期简报，生成 PDF。",
        epilog="示例：\n  kjtypeset build issue_sources/2024-02/issue.yaml --output output/2024-02")
    build.add_argument("manifest", type=Path, help="期刊清单 issue.yaml 的路径")
    build.add_argument("--output", type=Path, metavar="目录",
                       help="PDF 的输出目录（默认 output/<年-期>/）")
    build.add_argument("-q", "--quiet", action="store_true", help="只在出错时输出")

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
    from .build import build_issue  # WeasyPrint loads slowly; keep --help instant

    say = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    result = build_issue(args.manifest, args.output, progress=say)
    say(f"已生成 {display_path(result.pdf)}：{result.pages} 页，用时 {result.seconds:.1f} 秒")
    return 0


def _fonts(args) -> int:
    from .fonts import PROJECT_FONTS, install_sc_faces

    written = install_sc_faces(args.dest or PROJECT_FONTS)
    for path in written:
        print(f"已提取 {display_path(path)}")
    if not written:
        print("字体已就绪，无需提取。")
    return 0
