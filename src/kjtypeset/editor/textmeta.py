"""What a pasted text carries besides the article: source, author and date lines, and the
furniture of web pages, WeChat articles and e-mails (issue 14).

Used by the text import (whole lines) and the web page import (the byline of a page).
Government sites print "发布时间：2024-03-12　来源：包头市科技局　作者：王晓东　【字体：大 中 小】";
WeChat prints "原创 王晓东 内蒙古科技 2024-03-20 18:00"; articles end with "（来源：内蒙古日报）".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .cleanup import byline_author

_SOURCE_KEYS = "来源|稿源|信息来源|文章来源|消息来源|供稿"
_AUTHOR_KEYS = "作者|撰稿|撰文|文"
_DATE_KEYS = "发布时间|发布日期|发表时间|更新时间|时间|日期"
_OTHER_KEYS = "浏览次数|阅读次数|点击数|点击量|访问量|浏览量|阅读量|字号|字体|责任编辑|编辑|审核|校对|发布机构|发布者"
_ANY_KEY = f"{_SOURCE_KEYS}|{_AUTHOR_KEYS}|{_DATE_KEYS}|{_OTHER_KEYS}"
_PAIR = re.compile(rf"(?P<key>{_ANY_KEY})\s*[:：]\s*(?P<value>.*?)\s*(?=(?:{_ANY_KEY})\s*[:：]|[【\[|｜]|$)")
_FONT_SIZE = re.compile(r"[【\[]?\s*(?:字体|字号)\s*[:：]?\s*(?:[大中小默认]\s*){2,4}[】\]]?")
_BRACKETED = re.compile(r"[【\[][^】\]]{0,12}[】\]]")
_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?")
# WeChat: "原创 王晓东 内蒙古科技 2024-03-20 18:00 内蒙古" (author, account, time, place).
_WECHAT = re.compile(r"^(?P<kind>(?:原创|转载)\s+)?(?:(?P<author>\S{2,12})\s+)?(?P<account>\S{2,20})\s+"
                     rf"(?P<date>{_DATE.pattern})(?P<time>\s+\d{{1,2}}:\d\d)?(?:\s+(?:发表于)?\S{{2,8}})?\s*$")


@dataclass
class Meta:
    source: str | None = None
    author: str | None = None
    date: dt.date | None = None
    account: str | None = None  # a WeChat account: the source when no other is named

    def merge(self, other: Meta) -> None:
        self.source = self.source or other.source
        self.account = self.account or other.account
        self.author = self.author or other.author
        self.date = self.date or other.date


def parse_date(text: str) -> dt.date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


_WRAPPED = re.compile(r"[（(]\s*(.+?)\s*[)）]|【\s*(.+?)\s*】|\[\s*(.+?)\s*\]")


def unwrapped(text: str) -> str | None:
    """What brackets around a whole line hold ("（来源：内蒙古日报）", "【责任编辑：王敏】"); None
    for a line not so wrapped."""
    wrapped = _WRAPPED.fullmatch(text.strip(" \t\u3000"))
    return next((group for group in wrapped.groups() if group), None) if wrapped else None


def meta_line(line: str) -> Meta | None:
    """The source, author and date of a line made only of such fields; None for any other line.

    A line must name a source, an author or a publishing time ("时间：3月15日上午9:00" alone is
    an event's time, body text), and hold nothing but "键：值" pairs, font-size buttons and
    separators."""
    text = line.strip().strip("　")
    text = unwrapped(text) or text  # （来源：内蒙古日报）
    if (wechat := _WECHAT.match(text)) and wechat["time"] and (wechat["kind"] or wechat["author"] is None):
        # The account is the source unless the article names one ("来源：内蒙古日报").
        return Meta(account=wechat["account"], author=wechat["author"], date=parse_date(wechat["date"]))
    rest = _FONT_SIZE.sub(" ", text)
    pairs = list(_PAIR.finditer(rest))
    if not pairs:
        return None
    leftover = _PAIR.sub(" ", rest)
    leftover = re.sub(r"[\s|｜/\\\-—]+", "", _BRACKETED.sub("", leftover))
    keys = {pair["key"] for pair in pairs}
    named = keys & set(f"{_SOURCE_KEYS}|{_AUTHOR_KEYS}|发布时间|发布日期|发表时间".split("|"))
    if leftover or not named or len(text) > 120:
        return None
    meta = Meta()
    for pair in pairs:
        key, value = pair["key"], pair["value"].strip(" 　")
        if not value:
            continue
        if re.fullmatch(_SOURCE_KEYS, key):
            meta.source = meta.source or value
        elif re.fullmatch(_AUTHOR_KEYS, key):
            meta.author = meta.author or byline_author(value) or value
        elif re.fullmatch(_DATE_KEYS, key):
            meta.date = meta.date or parse_date(value)
    return meta


# -- furniture --------------------------------------------------------------------------------

# Who edited, checked or photographed a piece ("编辑：李娜", WeChat's "审核 | 王大海"): credits
# printed under an article, not text of it (textimport's and htmlimport's credit lines).
EDITORIAL_CREDITS = r"(?:责任)?编辑|审核|审校|校对|排版|美编|摄影|统筹|监制|[初复终]审"

# The same credits in brackets, as a site ends an article: "（责任编辑：王敏）", "【编辑：李娜】"
# (the text import kept it as the article's last paragraph, an unseen issue, P10 D13).
_CREDIT_INSIDE = re.compile(rf"(?:{EDITORIAL_CREDITS}|责编)\s*[:：|｜]\s*[^。！？；]{{1,40}}")


def bracketed_credit(line: str) -> bool:
    inside = unwrapped(line)
    return inside is not None and bool(_CREDIT_INSIDE.fullmatch(inside))


_FURNITURE_WORDS = (
    "打印本页|打印此页|打印|关闭窗口|关闭本页|关闭|返回顶部|返回|收藏本页|收藏|分享|点赞|在看|留言|"
    "阅读原文|预览时标签不可点|继续滑动看下一个|向上滑动看下一个|轻触阅读原文|喜欢此内容的人还喜欢|"
    "写留言|赞|图片|视频|音频|【打印】|【关闭】|【返回】|【收藏】|【大】|【中】|【小】|纠错|打印文章|"
    "保存|推荐|相关阅读|相关文章|相关链接"
)
_FURNITURE_LINE = re.compile(
    r"^(?:"
    r"(?:首页|当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*(?:[:：>＞»›/]|$).*"  # breadcrumbs
    r"|(?:首页|网站首页)(?:\s*[>＞»›/]\s*\S+)+"
    r"|(?:上一篇|下一篇|上一条|下一条)\s*[:：].*"
    r"|(?:分享到|分享至|扫一扫|微信扫一扫|长按识别|长按二维码|扫描二维码)\S*.*"
    r"|(?:点击|戳)(?:上方)?蓝字.*关注.*|.*关注我们$|点个.{0,3}在看.*|关注(?:该|本|此)?公众号.*"
    r"|阅读原文(?:\s*(?:阅读|在看|点赞|分享)\s*[\d\s,万+]*)*"
    r"|(?:浏览次数|阅读次数|点击数|访问量|阅读量)\s*[:：]\s*\d*"
    rf"|(?:{_FURNITURE_WORDS})(?:[\s|｜/]*(?:{_FURNITURE_WORDS}))*"
    r"|[【\[]?\s*(?:字体|字号)\s*[:：]?\s*(?:[大中小默认]\s*){2,4}[】\]]?(?:\s*[【\[][^】\]]{1,6}[】\]])*"
    r")\s*$")

_MAIL_HEADER = re.compile(r"^\s*(?:发件人|收件人|抄送|密送|发送时间|发送日期|日期|时间|主题|From|To|Cc|Bcc|Sent|"
                          r"Date|Subject)\s*[:：]", re.IGNORECASE)
_MAIL_SEPARATOR = re.compile(r"^\s*(?:-{2,}\s*(?:原始邮件|转发的邮件|Original Message|Forwarded message)\s*-{2,}"
                             r"|-{5,}|_{5,})\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s?$")


def is_furniture(line: str) -> bool:
    """A web page's or WeChat's button, breadcrumb or counter, copied with the text."""
    text = line.strip().strip("　")
    return bool(_FURNITURE_LINE.match(text) or _FURNITURE_LINE.match(re.sub(r"[【】\[\]]+", " ", text).strip()))


# "▲ 项目启动会现场": the caption of a photo that a copied text does not bring along.
PHOTO_MARK = re.compile(r"^\s*[▲△↑]\s*")  # a photo caption's mark, with the spaces after it
PHOTO_CAPTION = re.compile(PHOTO_MARK.pattern + r"\S")


# A letter's or e-mail's closing ("祝好！", "此致" / "敬礼！", "顺祝商祺"), and its salutation
# ("李老师您好：", "尊敬的王主任："): what makes a text a letter, besides a header or a "--".
_SIGN_OFF = re.compile(r"^\s*(?:此致|敬礼|此致敬礼|祝好|祝您?(?:工作顺利|一切顺利|身体健康|万事如意|顺利|安好)"
                       r"|顺祝(?:商祺|时祺|安好|春祺|夏安|秋祺|冬安|工作顺利)?|谢谢|多谢|感谢|"
                       r"(?:best|kind|warm)?\s*regards|best|thanks|thank you)\s*[！!。.,，]*\s*$", re.I)
_SALUTATION = re.compile(r"^\s*(?:尊敬的\S{1,20}|\S{1,12}?[，,]?\s*(?:您好|你好))\s*[：:，,！!]?\s*$")
_SIGNED = 4  # lines (name, unit, telephone, date) that may follow a closing


def mail_parts(lines: list[str]) -> tuple[set[int], int | None]:
    """(indexes of e-mail header and separator lines, index where the closing or signature
    starts: the signature ("--"), or, in a text with a header, a "--" or a salutation, the
    closing "祝好！" / "此致 敬礼！" with at most a few short lines of signature under it)."""
    header: set[int] = set()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    in_header = False
    for index, line in enumerate(lines):
        if _MAIL_SEPARATOR.match(line) and index:
            header.add(index)
            in_header = True
            continue
        if (in_header or index == first) and _MAIL_HEADER.match(line):
            header.add(index)
            in_header = True
            first = index + 1 if index == first else first
            continue
        if in_header and not line.strip():
            continue
        in_header = False
    # Only a block of at least two header lines is an e-mail header ("日期：…" alone is text).
    header_lines = [i for i in header if _MAIL_HEADER.match(lines[i])]
    if len(header_lines) < 2:
        header = {i for i in header if _MAIL_SEPARATOR.match(lines[i])}
    signature = next((i for i, line in enumerate(lines) if _SIGNATURE.match(line)
                      and i > len(lines) - 15), None)
    filled = [i for i, line in enumerate(lines) if line.strip()]
    opening = [i for i in filled if i not in header][:3]
    if len(header_lines) >= 2 or signature is not None or any(_SALUTATION.match(lines[i]) for i in opening):
        signature = _closing(lines, filled, signature)
    return header, signature


def _closing(lines: list[str], filled: list[int], end: int | None) -> int | None:
    """Where a letter's closing starts: its last lines before ``end`` (the "--" signature or
    the end), a sign-off line followed only by a few short lines, not sentences (the sender's
    name, unit, date); ``end`` when there is none."""
    before = [i for i in filled if end is None or i < end]
    for back, index in enumerate(reversed(before[-(_SIGNED + 1):])):
        if _SIGN_OFF.match(lines[index]):
            under = before[len(before) - back:]
            if all(len(lines[i].strip()) <= 30 and not lines[i].rstrip().endswith(("。", "；")) for i in under):
                start = before.index(index)
                while start and _SIGN_OFF.match(lines[before[start - 1]]):
                    start -= 1  # "此致" above "敬礼！"
                return before[start]
    return end
