"""Chinese bulletin prose, generated: paragraphs unlike the sample, for measuring line composition.

Sentences are put together from phrase banks of the kind a 简报 is written in (policy, science
statistics, enterprises, international news), with the things that make Chinese lines hard to
set: numbers bound to units (1,540亿美元, 27 436.5万元, 3.5%, 2023—2025年), Latin acronyms and
words (IPO, ChatGPT, Retrieval-Augmented), quotations and book titles, brackets, enumerations
with 、 and ；, the occasional URL. A seed makes every text reproducible.
"""

from __future__ import annotations

import random

SUBJECTS = ["全市", "我区", "省科技厅", "市科技局", "高新区管委会", "各县（市、区）", "重点实验室", "新型研发机构",
            "科技型中小企业", "高新技术企业", "孵化器和众创空间", "龙头企业", "高校院所", "产业创新联盟"]
VERBS = ["持续推进", "加快建设", "深入实施", "着力打造", "积极培育", "全面落实", "大力支持", "统筹推动",
         "稳步开展", "系统谋划", "不断完善", "重点围绕"]
OBJECTS = ["科技成果转化", "关键核心技术攻关", "创新创业生态体系", "产学研协同创新", "知识产权运营服务",
           "科技金融深度融合", "数字经济与实体经济融合发展", "绿色低碳技术推广应用", "人才引育留用机制",
           "首台（套）重大技术装备", "“揭榜挂帅”项目", "“专精特新”企业梯队", "《科技创新条例》配套政策",
           "区域科技创新中心", "概念验证中心和中试基地"]
RESULTS = ["取得显著成效", "形成了一批可复制可推广的经验", "创新能力明显增强", "营商环境持续优化",
           "发展质量和效益稳步提升", "为高质量发展提供了有力支撑"]
UNITS = ["家", "个", "项", "件", "台（套）", "余家", "多项", "个平台", "名"]  # counted things: whole numbers
AMOUNTS = ["亿元", "万元", "万人次", "平方米", "个百分点", "倍", "万吨", "公里"]  # measured: any number
LATIN = ["IPO", "ChatGPT", "5G", "AI", "GPU", "RISC-V", "MoE", "LLM", "Transformer", "OpenAI", "Nature Energy",
         "PCT", "R&D", "ESG", "Retrieval-Augmented Generation", "Hugging Face", "H100", "EFLOPS", "SaaS"]
PLACES = ["杭州", "合肥", "宁波", "南京", "呼和浩特", "苏州", "深圳", "成都", "西安", "武汉"]


def number(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return str(rng.randint(2, 999))
    if kind < 0.55:
        return f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"
    if kind < 0.7:
        return f"{rng.randint(1, 9)},{rng.randint(100, 999)}"
    if kind < 0.8:
        return f"{rng.randint(10, 99)} {rng.randint(100, 999)}.{rng.randint(1, 9)}"  # GB/T 15835 groups
    return str(rng.randint(1000, 99999))


def clause(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
    if r < 0.45:
        return f"累计{rng.choice(['培育', '认定', '引进', '建成', '服务'])}{rng.randint(2, 999)}{rng.choice(UNITS)}"
    if r < 0.55:
        return f"{rng.choice(['投入', '实现产值', '完成投资', '带动消费'])}{number(rng)}{rng.choice(AMOUNTS)}"
    if r < 0.68:
        return f"同比增长{rng.randint(1, 60)}.{rng.randint(0, 9)}%"
    if r < 0.78:
        return f"其中{rng.choice(LATIN)}相关{rng.choice(['企业', '项目', '产品', '专利'])}达到{rng.randint(2, 999)}{rng.choice(UNITS)}"
    if r < 0.86:
        year = rng.randint(2018, 2024)
        return f"{year}—{year + rng.randint(1, 5)}年{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
    if r < 0.93:
        return f"据{rng.choice(['统计', '测算', '初步核算'])}，{rng.choice(PLACES)}{rng.choice(OBJECTS)}{rng.choice(RESULTS)}"
    return f"“{rng.choice(OBJECTS).strip('“”')}”{rng.choice(['成效明显', '取得突破', '走在前列'])}"


def sentence(rng: random.Random) -> str:
    parts = [clause(rng) for _ in range(rng.randint(1, 4))]
    separator = rng.choice(["，", "，", "，", "、", "；"])
    return separator.join(parts) + rng.choice(["。", "。", "。", "！"])


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 6)) -> str:
    text = "".join(sentence(rng) for _ in range(rng.randint(*sentences)))
    if rng.random() < 0.25:
        text = f"**{rng.choice(['一是', '二是', '三是'])}{rng.choice(VERBS)}{rng.choice(OBJECTS)}。**" + text
    return text


def article(seed: int, paragraphs: int = 6) -> str:
    rng = random.Random(seed)
    return "\n\n".join(paragraph(rng) for _ in range(paragraphs)) + "\n"
