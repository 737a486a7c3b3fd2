"""The domain's values as staff write them: the English value, or the Chinese words district staff use in their
spreadsheets and type at the command line (已派单, 重复, 满意, 走访). The same words are accepted by the commands
and by imports, whatever the user's language. Pure: the standard library and the base layer only.
"""

from __future__ import annotations

from enum import StrEnum

from caselog.enums import Channel, CloseReason, Satisfaction, Status
from caselog.errors import BadInput

# The names caselog shows in Chinese and the common variants staff write.
STATUS_WORDS = {
    "待派单": Status.open, "未派单": Status.open, "已登记": Status.open,
    "已派单": Status.dispatched, "办理中": Status.dispatched,
    "已签收": Status.accepted,
    "已答复": Status.answered,
    "已解决": Status.resolved,
    "已办结": Status.closed, "办结": Status.closed, "已关闭": Status.closed,
}  # fmt: skip
CLOSE_REASON_WORDS = {
    "已解决": CloseReason.resolved, "解决": CloseReason.resolved,
    "无法解决": CloseReason.unresolvable,
    "已撤回": CloseReason.withdrawn, "撤回": CloseReason.withdrawn, "撤诉": CloseReason.withdrawn,
    "重复": CloseReason.duplicate,
    "无效": CloseReason.invalid,
}  # fmt: skip
SATISFACTION_WORDS = {
    "满意": Satisfaction.satisfied, "非常满意": Satisfaction.satisfied,
    "基本满意": Satisfaction.basically_satisfied,
    "不满意": Satisfaction.unsatisfied,
    "无法联系": Satisfaction.unreachable, "联系不上": Satisfaction.unreachable,
}  # fmt: skip
CHANNEL_WORDS = {
    "走访": Channel.visit, "上门走访": Channel.visit,
    "热线": Channel.hotline, "12345": Channel.hotline, "电话": Channel.hotline,
    "平台": Channel.platform, "网上平台": Channel.platform,
    "会议": Channel.meeting, "座谈会": Channel.meeting,
}  # fmt: skip
WORDS: dict[type[StrEnum], dict[str, StrEnum]] = {
    Status: STATUS_WORDS,
    CloseReason: CLOSE_REASON_WORDS,
    Satisfaction: SATISFACTION_WORDS,
    Channel: CHANNEL_WORDS,
}


def read_value(text: str, kind: type[StrEnum]) -> StrEnum | None:
    """The member of ``kind`` that ``text`` names: its value (any letter case, ``_`` or a space for ``-``) or one
    of the Chinese words staff write for it; None when it names none."""
    given = text.strip()
    word = WORDS.get(kind, {}).get(given)
    if word is not None:
        return word
    normal = given.lower().replace("_", "-").replace(" ", "-")
    return kind._value2member_map_.get(normal)  # type: ignore[return-value]


def choices_text(kind: type[StrEnum]) -> str:
    """The values of ``kind`` as a message lists them: ``resolved, unresolvable, …``; in Chinese followed by the
    names caselog shows for them."""
    from caselog.i18n import _, current_language, enum_label

    values = ", ".join(member.value for member in kind)
    if current_language() == "en":
        return values
    return _("{values}, or {words}").format(values=values, words=_(", ").join(enum_label(m) for m in kind))


def choice(text: str, kind: type[StrEnum], what: str) -> StrEnum:
    """``read_value``, or ``BadInput`` naming ``what`` (the option) and the values it takes."""
    from caselog.i18n import _

    found = read_value(text, kind)
    if found is None:
        raise BadInput(
            _("{what}: {value!r} is not one of {choices}").format(what=what, value=text, choices=choices_text(kind))
        )
    return found
