"""Chinese names of finding categories, for receipts and the terminal views."""

from __future__ import annotations

CATEGORY_LABELS = {
    "secret.marking": "密级标志",
    "pii.id_card": "身份证号",
    "pii.mobile": "手机号",
    "pii.bank_card": "银行卡号",
    "pii.uscc": "统一社会信用代码",
    "topic.petition": "信访事项",
    "topic.litigation": "涉诉事项",
    "topic.personnel": "人事事项",
    "format.formula": "表格公式",
    "format.member_name": "压缩包内不安全的文件名",
}


def category_label(category: str) -> str:
    """The category as a clerk reads it; office lexicons by their file name."""
    if category.startswith("lexicon."):
        return f"词库「{category[8:]}」"
    return CATEGORY_LABELS.get(category, category)
