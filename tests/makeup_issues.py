"""Issues unlike the sample, for page makeup (issue 13): figures, tables, sections, contents.

The sample (issue_sources/2024-02) has no figure, no table, no section and eight short titles.
These issues are written from a seeded pool of sentences so that a test can build one in a
temporary folder, and images are drawn with Pillow at a known resolution (no binaries in git).

    python tests/makeup_issues.py OUTDIR      # writes every issue below into OUTDIR/<name>/
"""

from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

SENTENCES = [
    "近年来，全市围绕产业链部署创新链，推动科技创新和产业创新深度融合。",
    "截至2023年底，全市共建成重点实验室46家、工程技术研究中心83家，较上年分别增长12.2%和9.2%。",
    "新型研发机构累计引进高层次人才团队27个，孵化科技型企业150余家。",
    "围绕乳业、新能源、现代煤化工等优势产业，组织实施关键核心技术攻关项目38项。",
    "市财政安排科技专项资金2.6亿元，撬动社会资本投入研发超过15亿元。",
    "“科技副总”专项行动选派高校教师走进企业，帮助解决技术难题320余项。",
    "企业研发投入后补助政策全面落地，惠及企业1,086家，兑现资金8,900万元。",
    "高新技术企业数量达到1,215家，净增286家，增速位居全区前列。",
    "依托国家级孵化器和众创空间，打造“众创空间—孵化器—加速器—产业园”全链条孵化体系。",
    "全年技术合同成交额达到96.7亿元，同比增长31.5%，其中输出技术合同2,318项。",
    "建立“揭榜挂帅”机制，面向全国发布技术需求榜单57项，成功揭榜41项。",
    "科技金融服务持续深化，“科创贷”累计为412家企业发放贷款23.8亿元。",
    "知识产权质押融资登记金额达到5.4亿元，同比增长46%。",
    "大型科研仪器设备开放共享平台入网仪器1,760台（套），服务企业2,900余家次。",
    "绿色低碳技术攻关取得突破，光伏组件转换效率提升至23.6%，储能系统成本下降18%。",
    "农业科技园区示范推广新品种、新技术126项，带动农民人均增收1,200元。",
    "科技特派员深入田间地头开展技术服务，全年举办培训班380期，培训农牧民2.1万人次。",
    "数字经济核心产业增加值占GDP比重达到6.8%，5G基站累计建成8,650个。",
    "人工智能、大数据、云计算等新一代信息技术在制造业中的应用不断拓展。",
    "全市规模以上工业企业中，有研发活动的企业占比达到38.4%，比上年提高5.1个百分点。",
    "实施科技企业梯次培育行动，形成“科技型中小企业—高新技术企业—科技领军企业”成长路径。",
    "与京津冀、长三角地区高校院所共建协同创新平台19个，引进转化科技成果64项。",
    "推动《科技成果转化条例》落地实施，赋予科研人员职务科技成果所有权或长期使用权。",
    "科研项目经费“包干制”试点范围扩大到全部市级自然科学基金项目。",
    "建设“一站式”科技服务平台，提供政策咨询、项目申报、成果评价等服务2.3万余次。",
    "全年新增省级以上企业技术中心18家，累计达到156家。",
    "围绕碳达峰碳中和目标，布局氢能制储运用全链条技术研发和示范应用。",
    "稀土新材料产业集群加快发展，永磁材料产能达到3.5万吨。",
    "生物医药领域新获批临床试验批件11个，上市创新药物2个。",
    "科普基础设施不断完善，建成科普教育基地52个，公民具备科学素质比例达到13.2%。",
    "加强科技伦理治理，建立科技伦理审查委员会和专家库。",
    "推行科技计划项目“里程碑”式管理，对关键节点开展绩效评价。",
    "围绕企业需求开展产学研对接活动，促成合作项目213项、意向金额11.4亿元。",
    "青年科技人才托举工程支持35岁以下青年科技人员承担项目占比超过40%。",
    "外国专家工作站和引智基地建设加快推进，引进外国专家（团队）26个。",
    "完善科技创新券制度，全年发放创新券3,800万元，服务中小企业900余家。",
    "开展全市科技创新大赛，吸引参赛项目612个，落地转化项目58个。",
    "推进创新型县（旗）建设，4个旗县区进入自治区创新型县（旗）行列。",
    "下一步，将继续深化科技体制改革，着力提升区域创新体系整体效能。",
    "同时，聚焦“四个服务”，加快构建以企业为主体、市场为导向、产学研深度融合的技术创新体系。",
]
TITLES = [
    "着力构建全链条科技成果转化体系　推动创新成果加速落地",
    "数字赋能制造业转型升级取得新进展",
    "“科技副总”走进企业　破解技术难题三百余项",
    "全市高新技术企业数量突破一千二百家",
    "绿色低碳技术攻关跑出“加速度”",
    "农业科技园区示范推广成效明显",
    "科技金融服务深化　“科创贷”惠及四百余家企业",
    "稀土新材料产业集群加快发展",
    "生物医药创新能力持续提升",
    "科普基础设施不断完善",
    "深化京津冀协同创新　共建平台十九个",
    "青年科技人才托举工程见实效",
    "完善科技创新券制度　服务中小企业九百余家",
    "“揭榜挂帅”机制激发创新活力",
    "大型科研仪器开放共享服务企业近三千家次",
    "新型研发机构建设迈上新台阶",
    "创新型县（旗）建设取得积极成效",
    "科研项目经费“包干制”试点扩大",
    "全年技术合同成交额增长三成",
    "氢能全链条技术研发和示范应用布局加快",
    "科技伦理治理体系逐步健全",
    "知识产权质押融资规模持续扩大",
    "一站式科技服务平台上线运行",
    "科技创新大赛吸引六百余个项目参赛",
]

MANIFEST_HEAD = """\
bulletin: 科技情报参考
year: 2025
number: {number}
date: 2025-06-30
publisher: 呼和浩特市科学技术局综合保障中心
editor: 赵敏
reviewer: 钱学峰
phone: "0471-4366683转8012"
copies: 150
"""
LONG_DISTRIBUTION = """\
distribution:
  报: [市委办公室, 市人大常委会办公室, 市政府办公室, 市政协办公室, 自治区科学技术厅办公室, 市发展和改革委员会, 市工业和信息化局, 市财政局]
  送: [各旗县区人民政府, 市直有关部门]
  发: [各旗县区科技局, 各园区管委会, 各高等学校和科研院所]
"""
VERY_LONG_DISTRIBUTION = "distribution:\n  报: [" + ", ".join(
    ["市委办公室", "市人大常委会办公室", "市政府办公室", "市政协办公室", "自治区科学技术厅办公室",
     "市发展和改革委员会", "市工业和信息化局", "市财政局", "市教育局", "市农牧局", "市商务局",
     "市市场监督管理局", "市统计局", "市人力资源和社会保障局"]) + "]\n" \
    "  送: [各旗县区人民政府, 市直有关部门, 各人民团体, 驻市各单位]\n" \
    "  发: [各旗县区科技局, 各园区管委会, 各高等学校和科研院所, 各重点企业研发中心]\n"


def png(size: tuple[int, int], ppi: int | None, kind: str = "chart", seed: int = 1) -> bytes:
    """A drawn chart (bars on white) or a 'photograph' (noise and gradients), with its ppi."""
    rnd = random.Random(seed)
    width, height = size
    if kind == "chart":
        image = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 0, width - 1, height - 1], outline=(40, 40, 40), width=max(2, width // 300))
        bars = 8
        for i in range(bars):
            x0 = width * (i + 0.6) / (bars + 1)
            top = height * (0.15 + 0.6 * rnd.random())
            draw.rectangle([x0, top, x0 + width / (bars + 1) * 0.6, height * 0.9],
                           fill=(30 + 25 * i, 80, 200 - 15 * i))
    else:
        image = Image.linear_gradient("L").resize(size).convert("RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(60):
            x, y = rnd.randrange(width), rnd.randrange(height)
            r = rnd.randrange(10, max(11, width // 6))
            draw.ellipse([x - r, y - r, x + r, y + r],
                         fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    out = io.BytesIO()
    fmt = "PNG" if kind == "chart" else "JPEG"
    extra = {"dpi": (ppi, ppi)} if ppi else {}
    image.save(out, format=fmt, **extra)
    return out.getvalue()


@dataclass
class ArticleSpec:
    title: str
    paragraphs: int = 5
    section: str | None = None
    source: str | None = "市科技局"
    extra: list[tuple[int, str]] = field(default_factory=list)  # (after paragraph n, markdown)
    front: str = ""  # more front matter lines


def body(spec: ArticleSpec, rnd: random.Random) -> str:
    parts = []
    for n in range(spec.paragraphs):
        sentences = rnd.sample(SENTENCES, rnd.randint(2, 6))
        text = "".join(sentences)
        if n == 1:
            text = "**一是" + sentences[0].rstrip("。") + "。**" + "".join(sentences[1:])
        parts.append(text)
        parts.extend(markdown for after, markdown in spec.extra if after == n + 1)
    return "\n\n".join(parts)


def article(spec: ArticleSpec, rnd: random.Random) -> str:
    head = f"---\ntitle: {spec.title}\n"
    if spec.source:
        head += f"source: {spec.source}\n"
    return head + spec.front + "---\n\n" + body(spec, rnd) + "\n"


def long_table(rows: int) -> str:
    lines = ["| 序号 | 平台名称 | 类别 | 2023年服务企业（家次） |", "|---:|---|---|---:|"]
    kinds = ["孵化器", "众创空间", "重点实验室", "工程技术研究中心", "新型研发机构"]
    for i in range(1, rows + 1):
        lines.append(f"| {i} | 第{i}号科技创新服务平台 | {kinds[i % len(kinds)]} | {120 + 37 * i} |")
    return "\n".join(lines)


def write_issue(folder: Path, specs: list[ArticleSpec], number: int = 6, seed: int = 7,
                distribution: str = "", images: dict[str, bytes] | None = None) -> Path:
    """Write ``folder/issue.yaml``, the articles and images; returns the manifest's path."""
    rnd = random.Random(seed)
    (folder / "articles" / "images").mkdir(parents=True, exist_ok=True)
    refs = []
    for index, spec in enumerate(specs, start=1):
        name = f"articles/{index:02d}.md"
        (folder / name).write_text(article(spec, rnd), encoding="utf-8")
        refs.append(f"  - {{file: {name}, section: {spec.section}}}" if spec.section else f"  - {name}")
    for name, data in (images or {}).items():
        (folder / "articles" / "images" / name).write_bytes(data)
    manifest = MANIFEST_HEAD.format(number=number) + distribution + "articles:\n" + "\n".join(refs) + "\n"
    (folder / "issue.yaml").write_text(manifest, encoding="utf-8")
    return folder / "issue.yaml"


CHART = "![图1　2019—2023年全市技术合同成交额（亿元）](images/chart.png)"
PHOTO = "![图2　新型研发机构实验室一角](images/photo.jpg)"


def standard_images() -> dict[str, bytes]:
    # A landscape chart at 300 ppi (152 × 86 mm: the full measure) and a portrait photograph
    # at 150 ppi (152 × 203 mm as shot: taller than half the type area).
    return {"chart.png": png((1800, 1020), 300, "chart"), "photo.jpg": png((900, 1200), 150, "photo")}


def sections_issue(folder: Path) -> Path:
    """Twelve articles in four sections, sectionless articles after a section, a chart, a
    portrait photograph, a long table and a long distribution list."""
    plan = [("政策解读", 2), (None, 1), ("创新平台", 3), ("科技金融", 2), (None, 2), ("成果转化", 2)]
    specs, t = [], 0
    for section, count in plan:
        for _ in range(count):
            specs.append(ArticleSpec(TITLES[t], paragraphs=4 + t % 4, section=section))
            t += 1
    specs[1].extra = [(2, CHART)]
    specs[4].extra = [(3, PHOTO)]
    specs[7].extra = [(2, "## 重点平台服务情况\n\n" + long_table(34))]
    return write_issue(folder, specs, number=6, distribution=LONG_DISTRIBUTION, images=standard_images())


def figures_issue(folder: Path) -> Path:
    """Figures written where the page is nearly full: each must float or shrink."""
    specs = [
        ArticleSpec(TITLES[0], paragraphs=9, extra=[(6, CHART), (8, PHOTO)]),
        ArticleSpec(TITLES[1], paragraphs=7, extra=[(3, PHOTO.replace("图2", "图3"))]),
        ArticleSpec(TITLES[2], paragraphs=8, extra=[(5, CHART.replace("图1", "图4"))]),
        ArticleSpec(TITLES[3], paragraphs=6),
    ]
    return write_issue(folder, specs, number=7, seed=11, images=standard_images())


def contents_issue(folder: Path, articles: int = 19) -> Path:
    """Many articles with long titles: the contents do not fit page 1 at the layout's sizes."""
    specs = [ArticleSpec(TITLES[i % len(TITLES)] + ("（续）" if i >= len(TITLES) else ""),
                         paragraphs=2 + i % 3) for i in range(articles)]
    return write_issue(folder, specs, number=8, seed=5)


def odd_issue(folder: Path) -> Path:
    """Articles that end on an odd page (the 版记 then goes to the next, even page)."""
    specs = [ArticleSpec(TITLES[i], paragraphs=6) for i in range(4)]
    return write_issue(folder, specs, number=9, seed=3, distribution=LONG_DISTRIBUTION)


ISSUES = {"sections": sections_issue, "figures": figures_issue, "contents": contents_issue,
          "contents-long": lambda folder: contents_issue(folder, 24), "odd": odd_issue}


if __name__ == "__main__":
    out = Path(sys.argv[1])
    for name, make in ISSUES.items():
        print(make(out / name))
