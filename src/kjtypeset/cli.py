"""The command line: a thin layer over the library; the only module that prints."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from . import __version__, project
from .errors import KjError, collecting_warnings, display_path

# pypdf chooses its AES/RC4 provider when first imported: the `cryptography` package where it is
# installed, else its own. kjtypeset does not depend on it (a development environment has it only
# for the tests' pdfminer) and reads and writes no encrypted PDF: the command line takes pypdf's
# own provider, as an installed kjtypeset does, instead of loading a package it never uses
# (issue 15: about 20 ms of CPU a command, several times that in wall time on a busy machine).
sys.modules.setdefault("pypdf._crypt_providers._cryptography", None)

EPILOG = """示例：
  kjtypeset init 我的简报                         # 新建一个简报文件夹（含第一期的清单）
  kjtypeset new                                  # 从最新一期生成下一期的文件夹
  kjtypeset import 稿件.docx 网页.html 文字.txt --issue 2024-03
  kjtypeset preview 2024-03                      # 浏览器打开 http://127.0.0.1:8000/
  kjtypeset desk                                 # 编辑台：在浏览器中做这一切，http://127.0.0.1:8080/
  kjtypeset build issue_sources/2024-02/issue.yaml                    # 校样版、印刷版、存档版
  kjtypeset build issue_sources/2024-02/issue.yaml --edition print --marks --booklet
  kjtypeset check output/2024-02/2024-02-print.pdf                    # 印前检查
  kjtypeset unpack output/2024-02/2024-02-archive.pdf /tmp/rebuild    # 从存档版取回源文件
  kjtypeset build --all                          # 排版 issue_sources/ 下的全部各期（多进程）
  kjtypeset publish 2024-02                      # 存档：archive/2024/2024-02.pdf，并编入目录
  kjtypeset search 宁科贷 --year 2024             # 全文检索存档的全部文章
  kjtypeset catalogue --html                     # 档案目录；--html 写出 archive/index.html
  kjtypeset verify                               # 核对存档的 PDF 是否与存档时相同
  kjtypeset reindex                              # 从存档的 PDF 重建目录数据库
  kjtypeset fonts                                # 准备简体中文字体（排版时缺字体也会自动提取）

命令在简报文件夹中运行：从当前文件夹向上，第一个含 issue_sources/ 或 kjtypeset.yaml 的文件夹；
--project 目录或环境变量 KJTYPESET_PROJECT 可另行指定。
每个子命令都有自己的帮助，如 kjtypeset import --help。
"""

# argparse's own phrases, for the few messages an editor is likely to meet.
_ARGPARSE_PHRASES = {
    "the following arguments are required": "缺少参数",
    "unrecognized arguments": "无法识别的参数",
    "invalid choice": "无效的值",  # a sub-command or a value such as --edition's
    "argument ": "参数 ",
    "expected one argument": "应跟一个值",
    "choose from": "可选",
    "invalid int value": "应为整数，实际为",
    "not allowed with argument": "不能与此参数同时使用：",
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # prefix "" is argparse computing a sub-command's prog name: no label there.
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


def _common(parser: argparse.ArgumentParser, in_project: bool = True) -> None:
    """-q, -v, --debug and (``in_project``) --project on every sub-command (SUPPRESS:
    kjtypeset --debug build … works too)."""
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                          help="只在出错时输出")
    loudness.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                          help="输出详细信息（各阶段用时、目录页码、修复明细）")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="出错时显示完整的调用栈（供开发者排查）")
    if in_project:
        _project_option(parser)


def _project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, metavar="目录", default=argparse.SUPPRESS,
                        help="简报文件夹（默认从当前文件夹向上找含 issue_sources/ 或 kjtypeset.yaml 的文件夹；"
                             "也可用环境变量 KJTYPESET_PROJECT 设置）")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写作 YYYY-MM-DD（如 2024-03-28），实际为 '{text}'") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kjtypeset", description="kjtypeset：科技情报简报排版工具。", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"kjtypeset {__version__}",
                        help="显示版本号并退出")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的调用栈（供开发者排查）")
    _project_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)
    commands.required = True

    init = commands.add_parser(
        "init", help="新建一个简报文件夹（含第一期的清单和一篇示例文章）",
        description="新建一个简报文件夹：kjtypeset.yaml（标记）、README.md、.gitignore，以及第一期\n"
                    "issue_sources/<年>-01/ 的清单和一篇示例文章，建好即可排版。已有的文件不会被覆盖。",
        epilog="示例：\n  kjtypeset init 科技情报参考\n"
               "  kjtypeset init . --bulletin 科技情报参考 --publisher 某某局综合保障中心 --editor 李涛")
    init.add_argument("folder", type=Path, nargs="?", default=Path("."), metavar="目录",
                      help="新简报文件夹的位置（默认当前文件夹；不存在时新建）")
    init.add_argument("--bulletin", default="科技情报参考", metavar="名称", help="报头名称（默认“科技情报参考”）")
    init.add_argument("--publisher", default="编印单位名称", metavar="单位", help="编印单位（之后可在清单中修改）")
    init.add_argument("--editor", default="编辑姓名", metavar="姓名", help="编辑（之后可在清单中修改）")
    init.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="第一期的印发日期（默认今天）")
    _common(init, in_project=False)

    build = commands.add_parser(
        "build", help="排版一期简报，生成 PDF",
        description="按期刊清单排版一期简报，生成三个版本的 PDF：\n"
                    "  校样版 <期>.pdf          屏幕阅读、电子邮件：PDF/UA-1（带标签），sRGB\n"
                    "  印刷版 <期>-print.pdf    交印刷厂：PDF/X-4，CMYK（FOGRA39），3 mm 出血\n"
                    "  存档版 <期>-archive.pdf  归档：PDF/A-3a（带标签），附带本期全部源文件",
        epilog="示例：\n  kjtypeset build issue_sources/2024-02/issue.yaml --output output/2024-02\n"
               "  kjtypeset build issue_sources/2024-02/issue.yaml --edition print --saddle-stitch --marks\n"
               "  kjtypeset build --all                 # issue_sources/ 下的全部各期，每个核一个进程\n"
               "  kjtypeset build --all --jobs 2 -q     # 两个进程，不显示进度")
    build.add_argument("manifest", type=Path, nargs="?", help="期刊清单 issue.yaml 的路径（用 --all 时不写）")
    build.add_argument("--output", type=Path, metavar="目录",
                       help="PDF 的输出目录（默认 output/<年-期>/；与 --all 同用时各期写在 <目录>/<年-期>/）")
    build.add_argument("--all", action="store_true",
                       help="排版 issue_sources/ 下的全部各期：多个进程同时排版，某一期出错不影响其他各期，"
                            "最后列出出错的各期（退出码 1）")
    build.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="与 --all 同用：同时排版的进程数（默认为 CPU 核数）")
    build.add_argument("--sources", type=Path, metavar="目录",
                       help="与 --all 同用：各期文件夹所在的目录（默认 issue_sources/）")
    build.add_argument("--edition", choices=["proof", "print", "archive"], metavar="版本",
                       help="只生成一个版本：proof（校样版）、print（印刷版）或 archive（存档版）；默认三个都生成")
    build.add_argument("--marks", action="store_true", help="印刷版：在出血以外加裁切标记（套准色）")
    build.add_argument("--saddle-stitch", action="store_true",
                       help="印刷版：骑马订，在报尾前补空白页使总页数为 4 的倍数（报尾单独成页）")
    build.add_argument("--booklet", action="store_true",
                       help="印刷版：另生成骑马订拼版 <期>-booklet.pdf（A3 双联，印刷顺序；含 --saddle-stitch）")
    build.add_argument("--strict", action="store_true",
                       help="把警告当作错误：有任何警告就不生成 PDF（退出码 1），适合放进自动检查")
    _common(build)

    new = commands.add_parser(
        "new", help="开始新的一期：从上一期生成下一期的文件夹",
        description="从上一期的清单生成下一期的文件夹 issue_sources/<年-期>/：期号顺延（新的一年从第1期起），\n"
                    "总第N期顺延，增刊单独编号；日期为今天；编辑信息和分送范围沿用上一期；文章列表为空。\n"
                    "已有的文件夹不会被覆盖。",
        epilog="示例：\n  kjtypeset new                       # 从最新一期生成下一期\n"
               "  kjtypeset new --from 2024-02 --date 2024-03-28\n"
               "  kjtypeset new --from 2024-02 --supplement   # 增刊")
    new.add_argument("--from", dest="previous", metavar="期",
                     help="上一期：issue_sources/ 下的文件夹名、文件夹或 issue.yaml 的路径（默认最新一期）")
    new.add_argument("--supplement", action="store_true", help="新的一期是增刊（单独编号，不占总期号）")
    new.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="印发日期（默认今天）")
    new.add_argument("--force", action="store_true",
                     help="这一期的文件夹已存在时，仍重写其中的 issue.yaml（文章文件不动）")
    new.add_argument("-y", "--yes", action="store_true",
                     help="不用确认：新一期跨了年份或与上一期相隔不止一期时，也直接创建（默认先询问）")
    _common(new)

    imp = commands.add_parser(
        "import", help="导入文章：Word（.docx）、网页（.html）、文字（.txt 或粘贴）",
        description="把 Word 文件、保存的网页和文字转成本期的文章文件 articles/NN-标题.md，并加到清单的文章列表末尾\n"
                    "（清单中的注释和格式保持不变）。文字会修复从 PDF 或网页复制带来的问题：被分页截断的段落、\n"
                    "汉字与数字之间的空格、中文里的半角标点、页眉页脚和页码。一份文字中有多篇文章时（如整期简报），\n"
                    "按单独成行的标题拆成多篇。",
        epilog="示例：\n  kjtypeset import 衢州双创.docx 南京科技金融.html --issue 2024-03\n"
               "  kjtypeset import 整期简报.txt --issue 2024-03      # 一份文字中的几篇文章分别导入\n"
               "  kjtypeset import - --issue 2024-03 --title 文章标题   # 粘贴文字，以 Ctrl+D 结束")
    imp.add_argument("files", nargs="+", metavar="文件", help="要导入的文件；- 表示从标准输入读取文字")
    imp.add_argument("--issue", required=True, metavar="期",
                     help="导入到哪一期：issue_sources/ 下的文件夹名（如 2024-03）、文件夹或 issue.yaml 的路径")
    imp.add_argument("--title", metavar="标题", help="文章标题（来源中找不到标题，或要改用别的标题时）")
    imp.add_argument("--again", action="store_true",
                     help="本期已有同一篇文章（标题或开头相同）时仍再导入一份（默认拒绝，以免重复）")
    _common(imp)

    preview = commands.add_parser(
        "preview", help="实时预览：在浏览器中查看排版结果，保存即刷新",
        description="在本机启动一个网页，按页显示这一期排出的样子；清单、文章、图片或版式一保存，\n"
                    "就自动重排并刷新。出错时网页上显示错误，仍保留上一次成功的结果。按 Ctrl+C 退出。",
        epilog="示例：\n  kjtypeset preview 2024-03\n  kjtypeset preview 2024-03 --port 8001")
    preview.add_argument("issue", metavar="期", help="issue_sources/ 下的文件夹名、文件夹或 issue.yaml 的路径")
    preview.add_argument("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000）")
    preview.add_argument("--host", default="127.0.0.1", metavar="地址",
                         help="监听地址（默认 127.0.0.1，只有本机能访问）")
    preview.add_argument("--output", type=Path, metavar="目录",
                         help="预览 PDF 的输出目录（默认 output/<年-期>/preview/）")
    _common(preview)

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

    fix = commands.add_parser(
        "fix-encoding", help="改存为 UTF-8：把 GBK、UTF-16 等编码的清单和文章改存为 UTF-8（保留备份）",
        description="记事本、WPS 常把文字存为 GBK（“ANSI”），Word 的“Unicode 文本”是 UTF-16。kjtypeset 都能读，\n"
                    "排版时会提示；这个命令把它们改存为 UTF-8（行尾不变），原文件另存为 <文件名>.<编码>.bak。\n"
                    "写一期时，处理其中的 issue.yaml 和全部 .md、.txt 文件；已是 UTF-8 的文件不动。",
        epilog="示例：\n  kjtypeset fix-encoding 2024-03                    # 这一期的清单和全部文章\n"
               "  kjtypeset fix-encoding issue_sources/2024-03/articles/02-呼和浩特.md")
    fix.add_argument("paths", nargs="+", metavar="文件或期",
                     help="文章或清单文件；或一期：issue_sources/ 下的文件夹名、期刊文件夹")
    _common(fix)

    archive_help = "档案文件夹（默认项目的 archive/，也可用环境变量 KJTYPESET_ARCHIVE 设置）"
    publish = commands.add_parser(
        "publish", help="存档：排出存档版并存入档案文件夹，编入目录",
        description="排出这一期的存档版（PDF/A-3a），存为档案文件夹中的 <年>/<期>.pdf，并编入目录数据库\n"
                    "（期号、日期、编印单位、页数、大小、SHA-256、存档时间，各篇文章的标题、来源、栏目、页码和每页文字）。\n"
                    "已存档的文件绝不覆盖：更正后再次存档，另存为 <期>.r2.pdf（第 2 版）并成为现行版本，旧版原样保留；\n"
                    "与现行版本完全相同时不重复存档。",
        epilog="示例：\n  kjtypeset publish 2024-02\n"
               "  kjtypeset publish output/2024-02/2024-02-archive.pdf   # 存入已生成的存档版\n"
               "  kjtypeset publish 2024-02 --archive /srv/档案")
    publish.add_argument("issue", metavar="期",
                         help="issue_sources/ 下的文件夹名、期刊文件夹或 issue.yaml 的路径；"
                              "也可以是已生成的存档版 PDF（*-archive.pdf）")
    publish.add_argument("--archive", type=Path, metavar="目录", help=archive_help)
    publish.add_argument("--output", type=Path, metavar="目录",
                         help="排出的存档版写在哪里（默认 output/<年-期>/，与 build 相同）")
    publish.add_argument("--strict", action="store_true",
                         help="排版有任何警告（如年份与日期不符）就不存档（退出码 1）：存档的文件不能再改")
    _common(publish)

    search = commands.add_parser(
        "search", help="全文检索：在存档的全部文章中查找",
        description="在档案中各期（现行版本）的全部文章中查找，按相关程度列出：期号、文章标题、页码和一段上下文\n"
                    "（找到的词用【】标出）。写几个词时，每个词都要出现；一个词中带空格（用引号括起）就是短语，\n"
                    "汉字之间的空格不计。一两个字的词也能查，只是不用索引，稍慢。",
        epilog="示例：\n  kjtypeset search 宁科贷\n  kjtypeset search 科技金融 驿站 --year 2024\n"
               '  kjtypeset search "科创金融 服务驿站" --json')
    search.add_argument("terms", nargs="+", metavar="词", help="要查找的词；几个词都要出现")
    search.add_argument("--year", type=int, metavar="年", help="只查这一年的各期")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="最多列出 N 处（默认 20）")
    search.add_argument("--json", action="store_true", help="以 JSON 输出（供程序读取）")
    search.add_argument("--archive", type=Path, metavar="目录", help=archive_help)
    _project_option(search)

    catalogue = commands.add_parser(
        "catalogue", help="档案目录：按年份、期号列出各期及其文章和页码",
        description="按年份和期号列出档案中的各期（现行版本），以及各篇文章的栏目、标题和页码。\n"
                    "--html 另写出一个网页（不联网、不需要 JavaScript），链接到各期的 PDF 和各篇文章所在的页。",
        epilog="示例：\n  kjtypeset catalogue\n  kjtypeset catalogue --html                 # 写出 archive/index.html\n"
               "  kjtypeset catalogue --html 档案目录.html")
    catalogue.add_argument("--html", nargs="?", const=True, type=Path, metavar="文件",
                           help="写出网页目录（默认档案文件夹中的 index.html）")
    catalogue.add_argument("--archive", type=Path, metavar="目录", help=archive_help)
    _common(catalogue)

    verify = commands.add_parser(
        "verify", help="核对：存档的 PDF 是否仍与存档时完全相同",
        description="重新计算档案中每个 PDF 的 SHA-256，与目录和发布记录核对，报告缺失、被改动、\n"
                    "没有编目的文件。有问题时退出码为 1。",
        epilog="示例：\n  kjtypeset verify\n  kjtypeset verify --archive /srv/档案")
    verify.add_argument("--archive", type=Path, metavar="目录", help=archive_help)
    _project_option(verify)

    reindex = commands.add_parser(
        "reindex", help="重建目录：只凭存档的 PDF 重建目录数据库",
        description="从档案中的 PDF 重建目录数据库：各期的信息取自 PDF 的 XMP 元数据和附带的源文件，\n"
                    "文章文字取自 PDF 的文字层。每个 PDF 先与发布记录（published.jsonl）核对：\n"
                    "被改动、内容自相矛盾的文件不编入目录并报告（退出码 1）；发布记录中没有的文件按现状编入并提示。",
        epilog="示例：\n  kjtypeset reindex\n  kjtypeset reindex --archive /srv/档案")
    reindex.add_argument("--archive", type=Path, metavar="目录", help=archive_help)
    _common(reindex)

    desk = commands.add_parser(
        "desk", help="编辑台：在浏览器中开始新的一期、收稿、改清单、预览、排版、存档、查档案",
        description="在本机启动编辑台网页（默认 http://127.0.0.1:8080/）：各期的列表、开始新的一期、\n"
                    "拖入稿件导入、修改报头各项和文章顺序、实时预览、排版和存档，以及档案室的检索和浏览。\n"
                    "改动都写进 issue.yaml（保留注释）。只在本机监听；要让别的电脑使用，先用 --set-password\n"
                    "设置密码，再加 --host 和 HTTPS 证书（--cert、--key）。按 Ctrl+C 退出。",
        epilog="示例：\n  kjtypeset desk\n  kjtypeset desk --port 8081\n"
               "  kjtypeset desk --set-password                 # 设置密码（存在简报文件夹的 .kjtypeset/ 中）\n"
               "  kjtypeset desk --host 0.0.0.0 --cert 证书.pem --key 私钥.pem   # 同一网络中的其他电脑也能用")
    desk.add_argument("--port", type=int, default=8080, metavar="端口", help="端口（默认 8080）")
    desk.add_argument("--host", default="127.0.0.1", metavar="地址",
                      help="监听地址（默认 127.0.0.1，只有本机能访问；其他地址需要先设置密码和证书）")
    desk.add_argument("--archive", type=Path, metavar="目录", help=archive_help)
    desk.add_argument("--set-password", action="store_true",
                      help="设置编辑台的登录密码（输入两次）；设置后打开编辑台都要先登录")
    desk.add_argument("--cert", type=Path, metavar="文件", help="HTTPS 证书（PEM），与 --key 同用")
    desk.add_argument("--key", type=Path, metavar="文件", help="HTTPS 证书的私钥（PEM）")
    _common(desk)

    fonts = commands.add_parser(
        "fonts", help="准备字体：提取简体中文（SC）字体，核对在用的版式需要的字体文件",
        description="从 /usr/share/fonts/opentype/noto 的 Noto CJK 字体集（Debian 软件包 fonts-noto-cjk）中\n"
                    "提取简体中文字面到每个用户共用的字体文件夹，各简报文件夹都能用；简报文件夹的 fonts/ 中有同名\n"
                    "字体时优先用它。再核对在用的版式（各期清单 layout: 写的版式）要用的每个字体文件都找得到，\n"
                    "找不到时说明该装哪个 Debian 软件包。排版时缺少这些字体也会自动提取，这个命令只是提前做好。",
        epilog="示例：\n  kjtypeset fonts\n  kjtypeset fonts --dest fonts     # 提取到简报文件夹的 fonts/\n"
               "  kjtypeset fonts --layout gongwen --debian-packages   # 列出还要安装的 Debian 软件包")
    fonts.add_argument("--dest", type=Path, metavar="目录", help="提取到这个文件夹（默认每个用户共用的字体文件夹）")
    fonts.add_argument("--layout", action="append", metavar="版式",
                       help="只看这个版式（可写多次；默认为本简报文件夹各期用到的版式）")
    fonts.add_argument("--all-layouts", action="store_true", help="看所有的版式（内置的和简报文件夹 layouts/ 中的）")
    fonts.add_argument("--debian-packages", action="store_true",
                       help="只列出这些版式的字体还需要安装的 Debian 软件包，每行一个（供 make setup 使用）")
    _common(fonts)
    return parser


class _Say:
    """Messages on standard error: silent with --quiet; timed with --verbose.

    A stage line (``stage``) appears only if its stage is still running after a moment, so a
    quick run, or one that fails at once, shows just its result or its one-line error.
    """

    MOMENT = 0.5  # seconds

    def __init__(self, args):
        self.quiet = getattr(args, "quiet", False)
        self.verbose = getattr(args, "verbose", False)
        self.started = time.perf_counter()
        self.pending: threading.Timer | None = None

    def __call__(self, message: str) -> None:
        self._cancel()
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def stage(self, message: str) -> None:
        self._cancel()
        if self.quiet:
            return
        if self.verbose:
            self._print(message)
            return
        self.pending = threading.Timer(self.MOMENT, self._print, (message,))
        self.pending.daemon = True
        self.pending.start()

    def stage_done(self) -> None:
        self._cancel()

    def detail(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def _cancel(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def _print(self, message: str) -> None:
        """A stage line; timed with --verbose."""
        if self.verbose:
            message = f"[{time.perf_counter() - self.started:5.1f} 秒] {message}"
        print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"init": _init, "build": _build, "new": _new, "import": _import, "preview": _preview,
                "check": _check, "unpack": _unpack, "fonts": _fonts, "publish": _publish,
                "search": _search, "catalogue": _catalogue, "verify": _verify, "reindex": _reindex,
                "fix-encoding": _fix_encoding, "desk": _desk}
    previous = project.chosen()
    try:
        if getattr(args, "project", None) is not None:
            project.use(args.project)
        return handlers[args.command](args)
    except KjError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。" if args.command in ("preview", "desk") else "已中断，未写出任何文件。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kjtypeset search … | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # so the interpreter's final flush stays quiet
        return 141
    finally:
        project.use(previous)


def run() -> None:
    """The program (the console script and ``python -m kjtypeset``): main, then leave at once.
    Freeing a laid-out issue at interpreter shutdown (boxes, Pango layouts) took 0.2 s of a
    2.2 s sample build (issue 15); by then every file the command wrote is closed, its worker
    processes joined. main() itself returns, for callers in-process (the tests)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the reader has gone
            pass
    os._exit(code)


def _usage(command: str, message: str) -> int:
    print(f"kjtypeset {command}：{message}（用 --help 查看用法）", file=sys.stderr)
    return 2


def _build(args) -> int:
    from .inputs.manifest import load_manifest

    editions = (args.edition,) if args.edition else ("proof", "print", "archive")
    if (args.marks or args.saddle_stitch or args.booklet) and "print" not in editions:
        option = "--marks" if args.marks else "--saddle-stitch" if args.saddle_stitch else "--booklet"
        return _usage("build", f"{option} 只用于印刷版（--edition print）")
    if args.all:
        if args.manifest:
            return _usage("build", "--all 排版全部各期，不能再写期刊清单")
        return _build_all(args, editions)
    if args.manifest is None:
        return _usage("build", "缺少参数：期刊清单 issue.yaml 的路径，或用 --all 排版全部各期")
    if args.jobs or args.sources:
        return _usage("build", f"{'--jobs' if args.jobs else '--sources'} 只与 --all 同用")
    _one_shot()
    say = _Say(args)
    load_manifest(args.manifest)  # a mistake in the manifest is reported before the slow part
    if args.output is None:
        project.require(args.manifest)  # where the PDFs go, before the slow part
    say.stage("载入排版引擎……")
    from .build import build_issue  # WeasyPrint loads slowly; keep --help instant
    from .pdf.editions import PrintOptions

    options = PrintOptions(marks=args.marks, saddle_stitch=args.saddle_stitch, booklet=args.booklet)
    try:
        result = build_issue(args.manifest, args.output, progress=say.stage, editions=editions,
                             options=options, strict=args.strict)
    finally:
        say.stage_done()
    _print_warnings(result.warnings)
    for entry in result.contents:
        say.detail(f"  第 {entry.page:>2} 页  {entry.title}")
    for output in result.outputs:
        say(f"已生成 {display_path(output.path)}：{output.pages} 页，{output.size / 1e6:.2f} MB")
    say(f"用时 {result.seconds:.1f} 秒")
    return 0


def _one_shot() -> None:
    """A command that builds once and exits: no cyclic garbage collection at all, and one
    malloc arena for its threads (issue 15).

    Importing the engine and one build allocate objects that live until the process ends;
    automatic collections only walk them again (about 0.1 s of the import, and more of the
    build; the build itself collects once after paginating a long issue), and at exit the
    interpreter skips its final collection while the collector is off.
    """
    import gc

    from .malloc import one_arena

    gc.disable()
    one_arena()  # before any thread: the build's peak memory (see malloc.py)


def _print_warnings(warnings) -> None:
    """Warnings are printed even with --quiet: each is something the editor should look at."""
    for warning in warnings:
        print(f"警告：{warning}", file=sys.stderr)


def _build_all(args, editions: tuple[str, ...]) -> int:
    from .batch import build_all, cores
    from .inputs.issues import issue_manifests
    from .pdf.editions import PrintOptions

    sources = args.sources or project.require().issue_sources
    manifests = issue_manifests(sources)
    if not manifests:
        raise KjError(sources, None, "这里没有任何一期：应有 <年-期>/issue.yaml 这样的期刊文件夹")
    if args.jobs is not None and args.jobs < 1:
        return _usage("build", f"--jobs 应为正整数，实际为 {args.jobs}")
    jobs = args.jobs or cores()
    options = PrintOptions(marks=args.marks, saddle_stitch=args.saddle_stitch, booklet=args.booklet)
    progress = _Progress(args, len(manifests), f"排版 {len(manifests)} 期（{min(jobs, len(manifests))} 个进程）")
    started = time.perf_counter()
    results = build_all(manifests, args.output, jobs, editions, options, on_done=progress.done,
                        strict=args.strict)
    progress.finish()
    failed = [r for r in results if not r.ok]
    seconds = time.perf_counter() - started
    say = _Say(args)
    for built in results:
        if built.ok:
            say.detail(f"  {built.issue_id}：{built.pages} 页，{built.seconds:.1f} 秒，"
                       f"排版进程内存峰值 {built.peak_rss_mb} MB")
        _print_warnings(built.warnings)
    if failed:
        print(f"{len(results)} 期中 {len(failed)} 期出错（其余 {len(results) - len(failed)} 期已排版，"
              f"用时 {seconds:.1f} 秒）：", file=sys.stderr)
        for built in failed:
            print(f"错误：{built.message}", file=sys.stderr)
        return 1
    say(f"全部 {len(results)} 期已排版，用时 {seconds:.1f} 秒")
    return 0


class _Progress:
    """One line on standard error: redrawn in place on a terminal, a line per issue otherwise
    (a log file gets no carriage returns); nothing with --quiet."""

    WIDTH = 20

    def __init__(self, args, total: int, title: str):
        self.quiet = getattr(args, "quiet", False)
        self.total, self.count, self.failed = total, 0, 0
        self.tty = sys.stderr.isatty()
        if not self.quiet:
            print(title + ("……" if not self.tty else ""), file=sys.stderr, flush=True)
        self._draw("")

    def done(self, built) -> None:
        self.count += 1
        self.failed += not built.ok
        self._draw(f"{built.issue_id} {'完成' if built.ok else '出错'}")

    def _draw(self, last: str) -> None:
        if self.quiet or (not self.tty and not last):
            return
        filled = self.WIDTH * self.count // self.total
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        failed = f"，{self.failed} 期出错" if self.failed else ""
        line = f"[{bar}] {self.count}/{self.total}{failed}  {last}"
        if self.tty:
            print(f"\r\x1b[K{line}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.tty and not self.quiet:
            print(file=sys.stderr, flush=True)


def _publish(args) -> int:
    from .archive.readback import read_archive_pdf
    from .archive.store import archive_folder, publish

    say = _Say(args)
    folder = archive_folder(args.archive)
    if args.issue.lower().endswith(".pdf"):
        pdf = Path(args.issue)
        if not pdf.is_file():
            raise KjError(pdf, None, "找不到存档版 PDF 文件")
        if args.output:
            return _usage("publish", "--output 只用于排版：存入已生成的 PDF 时不能用")
    else:
        from .inputs.issues import resolve_issue
        from .inputs.manifest import load_manifest

        manifest = resolve_issue(args.issue)
        load_manifest(manifest)  # a mistake in the manifest is reported before the slow part
        _one_shot()
        say.stage("载入排版引擎……")
        from .build import build_issue

        try:
            result = build_issue(manifest, args.output, progress=say.stage, editions=("archive",),
                                 strict=args.strict)
        finally:
            say.stage_done()
        _print_warnings(result.warnings)
        pdf = result.outputs[0].path
        say(f"已生成 {display_path(pdf)}：{result.pages} 页")
    data = pdf.read_bytes()
    say.stage("读取存档版的元数据、源文件和各页文字……")
    try:
        record = read_archive_pdf(data, pdf)
        published = publish(data, record, folder, on_wait=say)
    finally:
        say.stage_done()
    where = display_path(published.path)
    if published.unchanged:
        say(f"{published.label}与已存档的第 {published.revision} 版 {where} 完全相同，未重复存档。")
        return 0
    say(f"已存档 {where}：{published.label}第 {published.revision} 版，{published.pages} 页，"
        f"{published.articles} 篇文章，{published.size / 1e6:.2f} MB，SHA-256 {published.sha256[:16]}…")
    if published.earlier:
        old = "、".join(display_path(p) for p in published.earlier)
        say(f"现行版本为第 {published.revision} 版；旧版 {old} 原样保留。")
    return 0


def _search(args) -> int:
    import json

    from .archive.search import STATE_NOTES, marked, parse_query, search
    from .archive.store import archive_folder, open_catalogue

    if args.limit < 1:
        return _usage("search", f"--limit 应为正整数，实际为 {args.limit}")
    folder = archive_folder(args.archive)
    query = parse_query(args.terms)
    db = open_catalogue(folder)
    try:
        started = time.perf_counter()
        result = search(db, query, year=args.year, limit=args.limit, folder=folder)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    if args.json:
        print(json.dumps({
            "terms": list(query.terms), "year": args.year, "total": result.total, "seconds": round(seconds, 4),
            "results": [{"issue": h.issue_id, "label": h.issue_label, "bulletin": h.bulletin, "date": h.issue_date,
                         "title": h.title, "page": h.page, "file": display_path(folder / h.file),
                         "snippet": h.snippet, "highlights": [list(m) for m in h.highlights],
                         "file_state": h.file_state}
                        for h in result.hits],
        }, ensure_ascii=False, indent=2))
        return 0
    terms = " ".join(f"“{t}”" for t in query.terms)
    within = f"{args.year} 年各期中" if args.year else ""
    if not result.total:
        print(f"{within}没有找到 {terms}（用时 {seconds * 1000:.0f} 毫秒）")
        return 0
    print(f"{within}找到 {terms} {result.total} 处（用时 {seconds * 1000:.0f} 毫秒）：")
    colour = sys.stdout.isatty()
    for number, hit in enumerate(result.hits, start=1):
        snippet = marked(hit, "\x1b[1;31m", "\x1b[0m") if colour else marked(hit)
        print(f"\n{number}. {hit.issue_label}  第 {hit.page} 页  《{hit.title}》")
        print(f"   {snippet}")
        print(f"   {display_path(folder / hit.file)}")
        if hit.file_state:
            print(f"   警告：{STATE_NOTES[hit.file_state]}")
    if result.total > len(result.hits):
        print(f"\n另有 {result.total - len(result.hits)} 处未列出（--limit 可列出更多）")
    return 0


def _catalogue(args) -> int:
    import datetime as dt

    from .archive.listing import format_listing, html_page, listing
    from .archive.store import archive_folder, open_catalogue

    say = _Say(args)
    folder = archive_folder(args.archive)
    db = open_catalogue(folder)
    try:
        issues = listing(db)
    finally:
        db.close()
    if args.html is None:
        print(format_listing(issues, folder))
        return 0
    from .files import write_atomically

    target = folder / "index.html" if args.html is True else args.html
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    write_atomically(target, html_page(issues, folder, target, generated))
    say(f"已写出 {display_path(target)}：{len(issues)} 期，{sum(len(i.articles) for i in issues)} 篇文章")
    return 0


def _verify(args) -> int:
    from .archive.store import archive_folder, verify

    folder = archive_folder(args.archive)
    report = verify(folder)
    return _archive_report(report, f"已核对档案 {display_path(folder)} 中的 {report.checked} 个 PDF"
                                   f"（目录中 {report.catalogued} 个）")


def _reindex(args) -> int:
    from .archive.store import CATALOGUE, archive_folder, reindex

    say = _Say(args)
    folder = archive_folder(args.archive)
    try:
        report = reindex(folder, on_wait=say, on_file=lambda path: say.stage(f"读取 {display_path(path)}……"))
    finally:
        say.stage_done()
    return _archive_report(report, f"已从 {report.checked} 个 PDF 重建目录 {display_path(folder / CATALOGUE)}："
                                   f"编入 {report.catalogued} 个文件，{report.articles} 篇文章")


def _archive_report(report, summary: str) -> int:
    if report.problems:
        print(f"{summary}；{len(report.problems)} 个问题：")
    else:
        print(f"{summary}。" if report.notes else f"{summary}：全部与存档时相同。")
    for finding in report.problems:
        print(f"  {finding.message}")
    for finding in report.notes:
        print(f"  注意：{finding.message}")
    return 1 if report.problems else 0


def _check(args) -> int:
    import json

    from .pdf.preflight import format_report, preflight_file

    report = preflight_file(args.pdf, name=display_path(args.pdf))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 1 if report.failures else 0


def _unpack(args) -> int:
    from .pdf.sources import unpack_sources

    written = unpack_sources(args.pdf, args.dest)
    for path in written:
        print(f"已取出 {display_path(path)}")
    manifest = args.dest / "issue.yaml"
    print(f"重新排版：kjtypeset build {display_path(manifest)}")
    return 0


def _new(args) -> int:
    from .editor.newissue import create_issue, describe, plan_issue
    from .inputs.issues import issue_manifests, resolve_issue

    say = _Say(args)
    if args.previous:
        previous = resolve_issue(args.previous)
    else:
        sources = project.require().issue_sources
        regular = [p for p in issue_manifests(sources) if "-zk" not in p.parent.name]
        if not regular:
            raise KjError(sources, None, "还没有任何一期：应先建立第一期（kjtypeset init 会建好一期，"
                                         "也可参照 README 的期刊清单示例手工建立）")
        previous = regular[-1]
    plan = plan_issue(previous, supplement=args.supplement, date=args.date)
    plan.check_free(args.force)  # the folder in the way first: no point in asking
    if plan.questions and not args.yes:
        # A jump into another year or over a missing issue: say which date, and ask (issue 14).
        if not sys.stdin.isatty():
            raise KjError(None, None, plan.question() + "；确认无误请加 --yes")
        print(plan.question() + "。", file=sys.stderr)
        try:
            answer = input("确认创建吗？输入 y 确认，直接回车取消：").strip().lower()
        except EOFError:
            answer = ""
        if answer not in ("y", "yes", "是", "确认"):
            print("已取消，没有创建任何文件。", file=sys.stderr)
            return 1
    new = create_issue(previous, force=args.force, plan=plan)
    say(describe(new))
    say(f"下一步：kjtypeset import 文件… --issue {new.manifest.parent.name}")
    return 0


def _import(args) -> int:
    from .editor.importer import describe_import, import_files, read_source
    from .inputs.issues import resolve_issue

    say = _Say(args)
    manifest = resolve_issue(args.issue)
    stdin = sys.stdin.buffer.read() if "-" in args.files else None
    sources = [read_source(name, stdin) for name in args.files]
    with collecting_warnings() as warnings:
        reports = import_files(sources, manifest, args.title, again=args.again)
    _print_warnings(warnings)
    for detail, line in describe_import(reports):
        (say.detail if detail else say)(line)
    total = sum(len(report.written) for report in reports)
    say(f"已加入 {display_path(manifest)} 的文章列表：{total} 篇。请核对后预览：kjtypeset preview "
        f"{manifest.parent.name}")
    return 0


def _preview(args) -> int:
    from .inputs.issues import resolve_issue

    say = _Say(args)
    manifest = resolve_issue(args.issue)
    say.stage("载入排版引擎……")
    from .editor.preview import Preview, make_server

    say.stage_done()

    def report(kind: str, message: str) -> None:
        if kind in ("error", "warning"):
            print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)
        elif kind == "built":
            say(f"{time.strftime('%H:%M:%S')} {message}")
        elif kind == "debug" and args.debug:
            print(message, file=sys.stderr, flush=True)

    preview = Preview(manifest, args.output, report)
    server = make_server(preview, args.host, args.port)
    import signal

    def stop(signum, frame):  # a terminated preview stops as after Ctrl+C, with its workers
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"注意：预览在 {args.host} 上监听，同一网络中的其他人也能看到这一期", file=sys.stderr)
    print(f"预览地址：http://{'127.0.0.1' if host == '127.0.0.1' else host}:{port}/"
          "（保存文件即自动刷新；按 Ctrl+C 退出）", file=sys.stderr, flush=True)
    preview.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        preview.close()
    return 0


def _desk(args) -> int:
    from .archive.store import archive_folder
    from .desk.security import is_loopback, password_file, set_password, stored_password

    root = project.require().root
    if args.set_password:
        return _set_desk_password(root, password_file, set_password)
    password = stored_password(root)
    loopback = is_loopback(args.host)
    if (args.cert is None) != (args.key is None):
        return _usage("desk", "--cert 和 --key 应同时给出")
    tls = (args.cert, args.key) if args.cert else None
    for path in tls or ():
        if not path.is_file():
            raise KjError(path, None, "找不到这个证书文件")
    if not loopback and password is None:
        raise KjError(None, None, f"编辑台要在 {args.host} 上监听（同一网络中的其他电脑也能访问），应先设置密码："
                                  "kjtypeset desk --set-password")
    if not loopback and tls is None:
        raise KjError(None, None, f"编辑台要在 {args.host} 上监听，密码和登录状态不能以明文在网络上传送：应加 HTTPS 证书，"
                                  "--cert 证书.pem --key 私钥.pem（自签名证书可用 openssl req -x509 -newkey rsa:2048 "
                                  "-nodes -days 3650 -subj /CN=编辑台 -keyout 私钥.pem -out 证书.pem 生成）")
    from .desk.server import Settings, desk_server

    def report(kind: str, message: str) -> None:
        if kind == "debug" and args.debug:
            print(message, file=sys.stderr, flush=True)
        elif kind in ("error", "warning", "built") and getattr(args, "verbose", False):
            print(f"{time.strftime('%H:%M:%S')} 预览 {message}", file=sys.stderr, flush=True)

    settings = Settings(root=root, archive=archive_folder(args.archive).resolve(), host=args.host,
                        password=password, tls=tls is not None, report=report)
    server = desk_server(settings, args.port, tls)
    import signal

    def stop(signum, frame):  # a terminated desk stops as after Ctrl+C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    scheme = "https" if tls else "http"
    shown = "127.0.0.1" if loopback else host
    if not loopback:
        print(f"注意：编辑台在 {args.host} 上监听，同一网络中的其他电脑凭密码也能使用", file=sys.stderr)
    print(f"编辑台地址：{scheme}://{shown}:{port}/（按 Ctrl+C 退出）", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.app.state.desk.close()
    return 0


def _set_desk_password(root: Path, password_file, set_password) -> int:
    """Ask twice on a terminal; read one line from standard input otherwise (scripts)."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass("编辑台的新密码（至少 8 个字符）：")
        if getpass.getpass("再输入一次：") != first:
            print("两次输入的密码不同，没有设置。", file=sys.stderr)
            return 1
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    path = set_password(root, first)
    print(f"已设置编辑台的密码（{display_path(path)}，只有你能读取）；下次打开编辑台时生效。", file=sys.stderr)
    return 0


def _fix_encoding(args) -> int:
    from .inputs.encoding import fix_encoding
    from .inputs.issues import resolve_issue

    say = _Say(args)
    files: list[Path] = []
    for given in args.paths:
        path = Path(given)
        if path.is_file() and path.name != "issue.yaml":
            files.append(path)
            continue
        folder = resolve_issue(given).parent
        files += [folder / "issue.yaml"] + sorted(
            p for p in folder.rglob("*") if p.suffix.lower() in (".md", ".txt") and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    fixed = 0
    for path in dict.fromkeys(files):
        result = fix_encoding(path)
        if result.backup is None:
            say.detail(f"已是 UTF-8：{display_path(path)}")
            continue
        fixed += 1
        say(f"已改存为 UTF-8：{display_path(path)}（原为 {result.encoding}，原文件保留为 "
            f"{display_path(result.backup)}）")
    say(f"改存了 {fixed} 个文件。" if fixed else f"{len(set(files))} 个文件都已是 UTF-8，未改动。")
    return 0


def _fonts(args) -> int:
    from .engine.fonts import install_sc_faces, sc_faces_folder
    from .engine.layout import available_layouts, layouts_in_use, missing_packages, read_layout, resolve_fonts

    say = _Say(args)
    names = available_layouts() if args.all_layouts else (args.layout or layouts_in_use())
    specs = [read_layout(name) for name in names]
    if args.debian_packages:  # for the Makefile: nothing but the package names
        for package in dict.fromkeys(p for spec in specs for p in missing_packages(spec)):
            print(package)
        return 0
    if args.dest is None and (ready := sc_faces_folder(project.font_folders())):
        say(f"字体已就绪（{display_path(ready)}），无需提取。")
    else:
        written = install_sc_faces(args.dest or project.user_fonts())
        for path in written:
            say(f"已提取 {display_path(path)}")
        if not written:
            say("字体已就绪，无需提取。")
    for name, spec in zip(names, specs):  # every file a layout in use names, found or extracted
        fonts = resolve_fonts(spec, None, say)
        say.detail(f"版式 {name}：{len(fonts.faces)} 个字体文件都已找到")
    return 0


def _init(args) -> int:
    from .editor.newproject import create_project

    say = _Say(args)
    new = create_project(args.folder, args.bulletin, args.publisher, args.editor, args.date)
    where = display_path(new.root)
    say(f"已新建简报文件夹 {where}：")
    for path in new.files:
        say(f"  {display_path(path)}")
    manifest = new.manifest.relative_to(new.root).as_posix()
    say("下一步：")
    if where != ".":
        say(f"  cd {where}")
    say(f"  1. 在 {manifest} 中填写报头名称、编印单位、编辑，核对印发日期；")
    say(f"  2. 导入文章：kjtypeset import 稿件.docx 网页.html 文字.txt --issue {new.issue_id}（再删去示例文章）；")
    say(f"  3. 排版：kjtypeset build {manifest}，PDF 写在 output/{new.issue_id}/。")
    return 0
