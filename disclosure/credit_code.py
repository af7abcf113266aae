"""Validation of China's unified social credit code (统一社会信用代码, GB 32100-2015).

A unified social credit code has 18 characters:

=========  ===========================================================================
Position   Meaning
=========  ===========================================================================
1          registration authority code (登记管理部门代码), see ``REGISTRATION_AUTHORITIES``
2          organization category code (机构类别代码), valid pairs in ``ORGANIZATION_CATEGORIES``
3-8        administrative division code of the registering body (GB/T 2260), six digits
9-17       subject identifier (主体标识码, the GB 11714 organization code)
18         check character
=========  ===========================================================================

Every character comes from ``CHARSET``: the digits and the capital letters except I, O, S, V and Z.
The check character is chosen so that ``sum(value(c_i) * WEIGHTS[i] for i in 1..17) + value(c_18)``
is a multiple of 31. Because 31 is prime and every weight is a power of 3 (nonzero modulo 31), any
single substituted character changes that sum and is therefore detected.

This module is pure Python and touches no database; messages go through ``gettext`` so that they
can be translated.
"""
from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _

CODE_LENGTH: Final = 18

#: The 31 characters a code may contain, in the order of their numeric values 0..30.
CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: Weight of positions 1..17 in the check sum: 3**i mod 31 for i = 0..16 (GB 32100-2015, 4.3).
WEIGHTS: Final[tuple[int, ...]] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_VALUES: Final[dict[str, int]] = {character: value for value, character in enumerate(CHARSET)}

#: Registration authority codes (position 1) and the Chinese name of the authority.
REGISTRATION_AUTHORITIES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

#: Organization category codes (position 2) allowed under each registration authority (position 1),
#: as listed in GB 32100-2015 "法人和其他组织统一社会信用代码编码规则", Table 1, together with its
#: amendments that added authority A (中央军委改革和编制办公室) and authority N (农业).
ORGANIZATION_CATEGORIES: Final[dict[str, dict[str, str]]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}

_FULL_WIDTH_TO_ASCII: Final[dict[int, int]] = {
    **{code_point: code_point - 0xFEE0 for code_point in range(ord("０"), ord("９") + 1)},
    **{code_point: code_point - 0xFEE0 for code_point in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{code_point: code_point - 0xFEE0 for code_point in range(ord("ａ"), ord("ｚ") + 1)},
}
_ASCII_LOWER_TO_UPPER: Final[dict[int, int]] = {
    code_point: code_point - 32 for code_point in range(ord("a"), ord("z") + 1)
}


def normalize_credit_code(raw: str) -> str:
    """Return ``raw`` without surrounding whitespace, full-width letters and digits made half-width, uppercased.

    Only ASCII letters are uppercased (``str.upper`` would turn e.g. "ß" into "SS" and change the length).
    Nothing else is changed: inner spaces, hyphens and other characters stay for the validator to report.
    """
    return raw.strip().translate(_FULL_WIDTH_TO_ASCII).translate(_ASCII_LOWER_TO_UPPER)


def _check_value(first17: str) -> int:
    if len(first17) != CODE_LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}: {first17!r}")
    total = 0
    for position, (character, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        value = _VALUES.get(character)
        if value is None:
            raise ValueError(f"character {position} ({character!r}) is not in the credit code charset")
        total += value * weight
    return (31 - total % 31) % 31


def check_character(first17: str) -> str:
    """Return the check character (position 18) for the 17 charset characters ``first17``.

    C18 = 31 - (sum of value(Ci) * Wi mod 31), where a result of 31 stands for "0".
    Raises ``ValueError`` when ``first17`` is not exactly 17 characters of ``CHARSET``.
    """
    return CHARSET[_check_value(first17)]


def make_credit_code(first17: str) -> str:
    """Return ``first17`` followed by its check character: a code whose check character is right."""
    return first17 + check_character(first17)


def credit_code_problem(code: str) -> str | None:
    """Return None when the normalized ``code`` is a valid unified social credit code, else one message.

    The checks run in this order and the first failing one is reported: the length is 18; every
    character is in ``CHARSET``; positions 1 and 2 form a registration authority / organization
    category pair allowed by GB 32100; positions 3-8 are digits; the check character matches.
    Normalize user input with ``normalize_credit_code`` first.
    """
    if len(code) != CODE_LENGTH:
        return _("A unified social credit code has 18 characters; this one has %(length)d.") % {
            "length": len(code)
        }
    for position, character in enumerate(code, start=1):
        if character not in _VALUES:
            return _(
                "Character %(position)d ('%(character)s') is not allowed in a unified social credit code "
                "(I, O, S, V and Z are never used)."
            ) % {"position": position, "character": character}
    authority, category = code[0], code[1]
    if authority not in ORGANIZATION_CATEGORIES:
        return _(
            "The first character ('%(authority)s') is not a registration authority code defined by GB 32100."
        ) % {"authority": authority}
    if category not in ORGANIZATION_CATEGORIES[authority]:
        return _(
            "The registration authority code '%(authority)s' with organization category '%(category)s' "
            "is not a valid pair under GB 32100."
        ) % {"authority": authority, "category": category}
    for position in range(3, 9):
        character = code[position - 1]
        if character not in "0123456789":
            return _(
                "Characters 3 to 8 are the administrative division code and must be digits; "
                "character %(position)d is '%(character)s'."
            ) % {"position": position, "character": character}
    expected = check_character(code[:17])
    if code[17] != expected:
        return _(
            "The check character should be '%(expected)s' but is '%(actual)s': the code was probably mistyped."
        ) % {"expected": expected, "actual": code[17]}
    return None


def is_valid_credit_code(code: str) -> bool:
    """Return True when the normalized ``code`` is a valid unified social credit code."""
    return credit_code_problem(code) is None
