"""Recognition of title and 反映人 from body paragraphs, as submissions really write them."""

from __future__ import annotations

import pytest

from ingest.recognize import find_submitter, find_title


@pytest.mark.parametrize(
    "body,title",
    [
        (["《关于加强农村养老服务的建议》", "当前……。"], "关于加强农村养老服务的建议"),
        (
            ["秘密★1年", "社情民意信息", "第3期", "关于加强农村养老服务的建议", "正文。"],
            "关于加强农村养老服务的建议",
        ),
        (
            ["关于加强农村", "养老服务的建议", "当前我县农村老年人口占比持续上升。"],
            "关于加强农村养老服务的建议",
        ),
        (["农村饮水安全问题亟待解决", "我县……。"], "农村饮水安全问题亟待解决"),
        (["城区停车难应引起重视", "反映人：张三"], "城区停车难应引起重视"),
        (["反映人：张三", "县城夜市噪音扰民", "夜市营业至凌晨，噪音扰民。"], "县城夜市噪音扰民"),
        (["当前我县农村老年人口占比持续上升，养老服务供给不足。", "建议加大投入。"], None),
        (["一、存在的问题", "设施少。"], None),
        (
            ["2026年3月5日", "内部资料", "关于规范农村集体“三资”管理的建议"],
            "关于规范农村集体“三资”管理的建议",
        ),
    ],
)
def test_title(body: list[str], title: str | None) -> None:
    assert find_title(body) == title


def test_submitter_under_title() -> None:
    s = find_submitter(["标题", "反映人：张建华（县政协委员，县人民医院副院长）", "正文。"])
    assert s is not None
    assert (s.name, s.identity, s.unit, s.post) == ("张建华", "县政协委员", "县人民医院", "副院长")
    assert s.raw == "反映人：张建华（县政协委员，县人民医院副院长）"


def test_submitter_bracketed_at_end_with_phone() -> None:
    s = find_submitter(["标题", "正文。", "（反映人：民进县支部 李晓梅，联系电话：13800000000）"])
    assert s is not None
    assert (s.name, s.identity, s.phone) == ("李晓梅", "民进县支部", "13800000000")


def test_information_officer_and_cosigners() -> None:
    s = find_submitter(["信息员：王志强、赵敏"])
    assert s is not None
    assert (s.name, s.identity, s.cosigners) == ("王志强", "信息员", ("赵敏",))


def test_organisation_only() -> None:
    s = find_submitter(["反映单位：县工商联"])
    assert s is not None
    assert s.name is None and s.identity == "县工商联"


def test_none_without_label() -> None:
    assert find_submitter(["标题", "张三认为应当加强管理。"]) is None


def test_unit_and_post_split() -> None:
    s = find_submitter(["反映人：陈立，县政协委员、城关镇中心小学校长，电话0571-88886666"])
    assert s is not None
    assert (s.unit, s.post, s.phone) == ("城关镇中心小学", "校长", "0571-88886666")


@pytest.mark.parametrize(
    "line", ["（万人次）", "民建县委会 万元", "（单位 万吨）", "县工商联 亿元"]
)
def test_a_measure_word_is_never_a_name(line: str) -> None:
    """Seen in 个人排名: 万元 and 万人次 (万 is a surname) credited as people."""
    from ingest.recognize import analyse, submitter_of

    found = submitter_of(analyse(["关于加强农村供水保障的建议", "各年度投入逐年增加。", line]))
    assert found is None or found.name is None, found
