"""A synthetic archive of 社情民意 submissions with planted near duplicates and hard negatives.

Documents are built from sentence templates and large slot pools, organised as
real submissions are (title, 反映人, 情况, 问题 一是……, 建议 一是……). For a
document it makes:

* near duplicates — re-submitted in other words: a new title, paragraphs and
  suggestions reordered, a third of the sentences reworded with synonyms and
  connectives, a suggestion added or dropped, figures changed;
* contained copies — the problem and suggestion parts lifted into a new item;
* hard negatives — the same topic written independently by someone else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TOPICS = {
    "农村养老": ("留守老人", "互助养老点", "养老护理员", "居家养老服务", "农村敬老院"),
    "学校周边交通": ("接送车辆", "学校门口道路", "交通协管员", "临时停车区", "上下学高峰"),
    "农村饮水安全": ("集中供水工程", "水源地", "供水管网", "水质检测", "饮水设施"),
    "基层医疗": ("乡镇卫生院", "村卫生室", "乡村医生", "家庭医生签约", "常用药品"),
    "集体三资管理": ("村集体资金", "集体资产", "村务公开", "账目", "集体资源发包"),
    "城区停车": ("停车泊位", "老旧小区", "占道停车", "公共停车场", "智慧停车系统"),
    "农村生活垃圾": ("垃圾收运", "保洁员", "垃圾分类", "转运站", "村庄环境"),
    "中小企业融资": ("小微企业", "融资担保", "信用贷款", "转贷资金", "企业信用信息"),
    "职业教育": ("职业学校", "实训基地", "校企合作", "双师型教师", "技能人才"),
    "食品安全": ("校园食堂", "小作坊", "农贸市场", "快速检测", "食品经营许可"),
    "养老金发放": ("城乡居民养老保险", "待遇发放", "资格认证", "社保卡", "代办员"),
    "乡村旅游": ("民宿", "旅游公路", "农家乐", "旅游标识", "游客服务中心"),
}
PLACES = [f"{a}{b}镇" for a in "东西南北城新白石青" for b in "山河湖岭桥湾坪"]
DEPTS = ["县民政局", "县交通运输局", "县水利局", "县卫健局", "县农业农村局", "县住建局",
         "县城管局", "县财政局", "县教育局", "县市场监管局", "县人社局", "县文旅局", "县发改委"]  # fmt: skip
# Sentences are assembled from independent pools, so that two people writing on
# one topic share its vocabulary but rarely whole phrases.
OPENERS = ["据调查，", "近年来，", "笔者走访发现，", "从调研情况看，", "据不完全统计，", "目前，",
           "随着城镇化推进，", "今年以来，", "从群众反映看，", "调研中了解到，", ""]  # fmt: skip
SUBJECTS = [
    "{place}",
    "全县",
    "部分乡镇",
    "城区",
    "一些村",
    "{place}等{n}个乡镇",
    "山区乡镇",
    "县城周边",
]
FACTS = ["现有{noun}{n}处，覆盖率仅为{pct}%", "{noun}数量不足，缺口约{n}个",
         "{noun}问题反映集中，{year}年以来收到意见{n}条", "{noun}运行正常的不足{pct}%",
         "{noun}供需矛盾日益突出", "群众对{noun}满意度只有{pct}%", "{noun}投入年均仅{n}万元",
         "{noun}长期由{dept}代管，权责不够清晰", "{noun}存在明显短板"]  # fmt: skip
CAUSES = ["经费保障不足", "专业人员短缺", "管理机制不健全", "部门衔接不畅", "信息化水平不高",
          "监督考核缺位", "政策宣传不到位", "规划布局不合理", "设施老化严重", "运营主体单一",
          "基层力量薄弱", "标准规范缺失"]  # fmt: skip
EFFECTS = ["难以持续", "群众意见较大", "影响了服务质量", "存在安全隐患", "制约了{topic}发展",
           "造成资源浪费", "服务质量参差不齐", "难以满足群众需求"]  # fmt: skip
ACTIONS = ["加大投入力度", "建立联席会议制度", "开展定向培训", "完善考核机制", "推进信息化建设",
           "拓宽资金渠道", "加强宣传引导", "制定专项规划", "引入社会力量", "开展专项整治",
           "健全长效机制", "强化督查问责"]  # fmt: skip
MEANS = ["由{dept}牵头", "将{noun}纳入{year}年县级重点项目", "依托县职业学校", "参照周边县市做法",
         "通过政府购买服务", "结合乡村振兴", "利用现有闲置场地", "在{place}先行试点"]  # fmt: skip
GOALS = ["逐年提高{noun}覆盖率", "确保{noun}落到实处", "实现{noun}数据共享", "提高{noun}专业水平",
         "让群众用得上、用得起{noun}", "到{year}年基本解决{noun}问题", "形成可复制的经验"]  # fmt: skip
SYNONYMS = [("加强", "强化"), ("加大", "增加"), ("建议", "提议"), ("目前", "当前"), ("存在", "面临"),
            ("不足", "欠缺"), ("提高", "提升"), ("推进", "推动"), ("完善", "健全"), ("确保", "保证"),
            ("部分", "一些"), ("群众", "居民"), ("难以", "很难"), ("明确", "理清"), ("建立", "建起"),
            ("依托", "依靠"), ("较为", "比较"), ("日益", "越来越"), ("滞后", "落后"), ("短缺", "缺乏"),
            ("普遍", "常见"), ("全县", "全县范围内"), ("逐年", "逐步"), ("实现", "做到")]  # fmt: skip
CONNECTIVES = ["同时，", "此外，", "另外，", "特别是", "总体看，", "值得注意的是，"]
NUMERALS = "一二三四五六七八九"


@dataclass
class Doc:
    title: str
    submitter: str
    situation: list[str]
    problems: list[str]
    suggestions: list[str]

    def text(self) -> str:
        problems = "".join(f"{NUMERALS[i]}是{p}" for i, p in enumerate(self.problems))
        suggestions = "".join(f"{NUMERALS[i]}是{s}" for i, s in enumerate(self.suggestions))
        return "\n".join([self.title, self.submitter, "".join(self.situation),
                          "一、存在的问题", problems, "二、几点建议", suggestions])  # fmt: skip


class Corpus:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)

    def _fill(self, template: str, topic: str, noun: str) -> str:
        r = self.rng
        return template.format(place=r.choice(PLACES), noun=noun, n=r.randint(3, 300),
                               pct=r.randint(10, 90), year=r.randint(2018, 2026),
                               dept=r.choice(DEPTS), topic=topic)  # fmt: skip

    def situation_sentence(self, topic: str) -> str:
        r = self.rng
        return self._fill(r.choice(OPENERS) + r.choice(SUBJECTS) + r.choice(FACTS) + "。", topic,
                          r.choice(TOPICS[topic]))  # fmt: skip

    def problem_sentence(self, topic: str) -> str:
        r = self.rng
        noun = r.choice(TOPICS[topic])
        return self._fill(f"{noun}{r.choice(CAUSES)}，{r.choice(EFFECTS)}。", topic, noun)

    def suggestion_sentence(self, topic: str) -> str:
        r = self.rng
        template = f"{r.choice(MEANS)}，{r.choice(ACTIONS)}，{r.choice(GOALS)}。"
        return self._fill(template, topic, r.choice(TOPICS[topic]))

    def document(self, topic: str | None = None) -> Doc:
        r = self.rng
        topic = topic or r.choice(list(TOPICS))
        nouns = TOPICS[topic]
        name = "".join(r.choices("张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高", k=1)) + "".join(
            r.choices("建华志强晓梅国庆红霞永军秀英海涛丽娟文明玉兰", k=2)
        )
        return Doc(
            title=f"关于{r.choice(['加强', '改进', '完善', '规范', '解决'])}{r.choice(nouns)}工作的建议",
            submitter=f"反映人：{name}（县政协委员）",
            situation=[self.situation_sentence(topic) for _ in range(r.randint(3, 6))],
            problems=[self.problem_sentence(topic) for _ in range(r.randint(3, 5))],
            suggestions=[self.suggestion_sentence(topic) for _ in range(r.randint(3, 6))],
        )

    def topic_of(self, doc: Doc) -> str:
        return next(t for t, nouns in TOPICS.items() if any(n in doc.title for n in nouns))

    def reword(self, sentence: str) -> str:
        r = self.rng
        for old, new in r.sample(SYNONYMS, len(SYNONYMS)):
            if old in sentence and r.random() < 0.7:
                sentence = sentence.replace(old, new, 1)
        if r.random() < 0.4:
            sentence = r.choice(CONNECTIVES) + sentence
        return sentence

    def near_duplicate(self, doc: Doc) -> Doc:
        """The same matter re-submitted by someone else in other words."""
        r = self.rng

        def edit(parts: list[str]) -> list[str]:
            return [self.reword(p) if r.random() < 0.35 else p for p in parts]

        suggestions = edit(doc.suggestions)
        r.shuffle(suggestions)
        if r.random() < 0.5 and len(suggestions) > 2:
            suggestions.pop()
        else:
            suggestions.append(self.suggestion_sentence(self.topic_of(doc)))
        situation = edit(doc.situation)
        r.shuffle(situation)
        return Doc(
            title=doc.title.replace("的建议", "的几点意见").replace("关于", "关于进一步"),
            submitter="反映人：民进县支部",
            situation=situation,
            problems=edit(doc.problems),
            suggestions=suggestions,
        )

    def contained(self, doc: Doc) -> Doc:
        """The suggestions of ``doc`` (about a third of it) lifted into a new, short item."""
        return Doc(title=doc.title.replace("的建议", "的问题亟待解决"), submitter="信息员：王五",
                   situation=[], problems=[], suggestions=list(doc.suggestions))  # fmt: skip

    def hard_negative(self, doc: Doc) -> Doc:
        """The same topic, written independently."""
        return self.document(self.topic_of(doc))
