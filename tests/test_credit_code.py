"""Tests for the unified social credit code validator (GB 32100-2015). No database needed."""
from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from disclosure import credit_code
from disclosure.credit_code import (
    CHARSET,
    ORGANIZATION_CATEGORIES,
    REGISTRATION_AUTHORITIES,
    WEIGHTS,
    check_character,
    credit_code_problem,
    is_valid_credit_code,
    make_credit_code,
    normalize_credit_code,
)

# Published codes of real organizations; each one was checked by hand against GB 32100 and by the code.
# A random 18-character string passes the check with probability 1/31, so a wrong weight breaks them.
REAL_VALID_CODES = [
    "91350100M000100Y43",
    "9144030071526726XG",
    "914403001922038216",
    "91330100716105852F",
    "91110108551385082Q",
    "11100000000013127D",
    "12100000400000624D",
    "51100000500010993L",
]

VALID_PAIRS = sorted((authority, category) for authority, categories in ORGANIZATION_CATEGORIES.items()
                     for category in categories)


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """The project defaults to zh-hans; the exact-message assertions are about the English source text."""
    with translation.override("en"):
        yield


def checksum_consistent(code: str) -> bool:
    """True when position 18 is the check character of positions 1-17 (ignores every other rule)."""
    return check_character(code[:17]) == code[17]


valid_codes = st.builds(
    lambda pair, division, subject: make_credit_code(pair[0] + pair[1] + division + subject),
    st.sampled_from(VALID_PAIRS),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CHARSET, min_size=9, max_size=9),
)


# --- constants ------------------------------------------------------------------------------------------------


def test_charset_is_the_31_characters_of_gb_32100_in_value_order() -> None:
    assert CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(CHARSET) == len(set(CHARSET)) == 31
    assert not set("IOSVZ") & set(CHARSET)
    assert list(CHARSET) == sorted(CHARSET)


def test_weights_are_powers_of_three_modulo_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert WEIGHTS == tuple(pow(3, i, 31) for i in range(17))


def test_every_authority_has_a_name_and_a_category_list() -> None:
    assert set(REGISTRATION_AUTHORITIES) == set(ORGANIZATION_CATEGORIES)
    assert REGISTRATION_AUTHORITIES["9"] == "工商"
    assert REGISTRATION_AUTHORITIES["A"] == "中央军委改革和编制办公室"
    assert {a: "".join(sorted(c)) for a, c in ORGANIZATION_CATEGORIES.items()} == {
        "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129",
        "7": "129", "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1",
    }


# --- check character ------------------------------------------------------------------------------------------


def test_check_character_worked_by_hand() -> None:
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 with weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3 -> '3'.
    assert check_character("91350100M000100Y4") == "3"
    # 9 + 3 + 9 + 27 + 20 + 8*24 + 8*10 + 8*30 = 580; 580 mod 31 = 22; 31 - 22 = 9 -> '9', so the
    # often-quoted "911100001000088807" is not a valid code.
    assert check_character("91110000100008880") == "9"
    # Every position nonzero: 1 + 6 + 27 + 108 + 95 + 156 + 112 + 136 + 180 + 29 + 50 + 39 + 32 + 120 + 60
    # + 210 + 224 = 1585; 1585 mod 31 = 4; 31 - 4 = 27 -> 'U'.
    assert check_character("12345678912345678") == "U"
    assert credit_code_problem("12345678912345678U") is None


def test_check_value_31_maps_to_zero() -> None:
    # The sum is 0, 31 - 0 = 31, which stands for '0'.
    assert check_character("0" * 17) == "0"


@pytest.mark.parametrize("first17", ["", "9135010", "91350100M000100Y43", "91350100M000100I4", "91350100m000100Y4"])
def test_check_character_rejects_bad_input(first17: str) -> None:
    with pytest.raises(ValueError, match="17 characters|charset"):
        check_character(first17)


def test_make_credit_code_appends_the_check_character() -> None:
    assert make_credit_code("91350100M000100Y4") == "91350100M000100Y43"


# --- real codes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_VALID_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)
    assert make_credit_code(code[:17]) == code


def test_a_wrong_weight_breaks_the_known_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests above can fail: any single weight off by one invalidates some known code.

    "12345678912345678U" has no zero in positions 1-17, so a change of any one weight moves its sum by
    a nonzero amount below 31; the real codes are checked too.
    """
    known = [*REAL_VALID_CODES, "12345678912345678U"]
    for index in range(17):
        for delta in (1, 30):
            wrong = list(WEIGHTS)
            wrong[index] = (wrong[index] + delta) % 31
            monkeypatch.setattr(credit_code, "WEIGHTS", tuple(wrong))
            assert not all(is_valid_credit_code(code) for code in known), index


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("911100001000088807", "The check character should be '9' but is '7': the code was probably mistyped."),
        ("91350100M000100Y44", "The check character should be '3' but is '4': the code was probably mistyped."),
        ("91350100M000100Y4", "A unified social credit code has 18 characters; this one has 17."),
        ("91350100M000100Y433", "A unified social credit code has 18 characters; this one has 19."),
        ("", "A unified social credit code has 18 characters; this one has 0."),
        (
            "9135I100M000100Y43",
            "Character 5 ('I') is not allowed in a unified social credit code (I, O, S, V and Z are never used).",
        ),
        (
            "91350100M000100Y4O",
            "Character 18 ('O') is not allowed in a unified social credit code (I, O, S, V and Z are never used).",
        ),
        (
            "91350100-00100Y43X",
            "Character 9 ('-') is not allowed in a unified social credit code (I, O, S, V and Z are never used).",
        ),
        (
            "91350100m000100Y43",
            "Character 9 ('m') is not allowed in a unified social credit code (I, O, S, V and Z are never used).",
        ),
        (
            make_credit_code("42350100M000100Y4"),
            "The registration authority code '4' with organization category '2' is not a valid pair under GB 32100.",
        ),
        (
            make_credit_code("99350100M000100Y4"),
            "The registration authority code '9' with organization category '9' is not a valid pair under GB 32100.",
        ),
        (
            make_credit_code("Y9350100M000100Y4"),
            "The registration authority code 'Y' with organization category '9' is not a valid pair under GB 32100.",
        ),
        (
            make_credit_code("B1350100M000100Y4"),
            "The first character ('B') is not a registration authority code defined by GB 32100.",
        ),
        (
            make_credit_code("913A0100M000100Y4"),
            "Characters 3 to 8 are the administrative division code and must be digits; character 4 is 'A'.",
        ),
        (
            make_credit_code("9135010YM000100Y4"),
            "Characters 3 to 8 are the administrative division code and must be digits; character 8 is 'Y'.",
        ),
    ],
)
def test_invalid_codes_get_the_exact_message(code: str, message: str) -> None:
    assert credit_code_problem(code) == message
    assert not is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("code", "starts_with"),
    [
        ("9135I100M000100Y4", "A unified social credit code has 18"),  # length before charset
        ("4I350100M000100Y43", "Character 2 ('I')"),  # charset before the pair
        ("42A50100M000100Y43", "The registration authority code '4' with"),  # pair before the division
        ("913A0100M000100Y40", "Characters 3 to 8"),  # division before the check character
    ],
)
def test_checks_run_in_order(code: str, starts_with: str) -> None:
    assert (credit_code_problem(code) or "").startswith(starts_with)


def test_authority_and_category_pairs_match_the_table() -> None:
    for authority in CHARSET:
        for category in CHARSET:
            code = make_credit_code(authority + category + "211400" + "MA0000000")
            expected = category in ORGANIZATION_CATEGORIES.get(authority, {})
            assert is_valid_credit_code(code) is expected, code


def test_messages_go_through_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credit_code, "_", lambda text: "«" + text + "»")
    assert credit_code_problem("91350100M000100Y44") == (
        "«The check character should be '3' but is '4': the code was probably mistyped.»"
    )


# --- normalization --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        ("９１３５０１００ｍ０００１００ｙ４３", "91350100M000100Y43"),
        ("  91350100m000100y43\t\n", "91350100M000100Y43"),
        ("\u300091350100M000100Y43\u3000", "91350100M000100Y43"),
        ("９１２１", "9121"),
        ("ＡＢ", "AB"),
        ("abc xyz", "ABC XYZ"),  # inner whitespace is kept
        ("9135-0100", "9135-0100"),  # so are other characters
        ("－ß", "－ß"),  # full-width punctuation is not converted; "ß" does not become "SS"
        ("", ""),
    ],
)
def test_normalize(raw: str, normalized: str) -> None:
    assert normalize_credit_code(raw) == normalized


def test_full_width_input_normalizes_to_a_valid_code() -> None:
    assert is_valid_credit_code(normalize_credit_code(" ９１３５０１００ｍ０００１００ｙ４３ "))


@given(st.text())
def test_normalize_is_idempotent_and_keeps_the_length_of_the_stripped_text(raw: str) -> None:
    once = normalize_credit_code(raw)
    assert normalize_credit_code(once) == once
    assert len(once) == len(raw.strip())


# --- properties -----------------------------------------------------------------------------------------------


@given(valid_codes)
def test_built_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None


@given(valid_codes, st.integers(0, 17), st.integers(1, 30))
def test_every_single_substitution_is_detected(code: str, position: int, offset: int) -> None:
    # 31 is prime and every weight is nonzero modulo 31, so changing one value by a nonzero amount
    # (mod 31) always changes the weighted sum; position 18 has weight 1.
    replacement = CHARSET[(CHARSET.index(code[position]) + offset) % 31]
    changed = code[:position] + replacement + code[position + 1:]
    assert not checksum_consistent(changed)
    problem = credit_code_problem(changed)
    assert problem is not None
    structurally_fine = changed[1] in ORGANIZATION_CATEGORIES.get(changed[0], {}) and changed[2:8].isdigit()
    if structurally_fine:
        assert problem.startswith("The check character should be")


def test_adjacent_weights_differ_modulo_31() -> None:
    """Swapping positions i and i+1 changes the sum by (w_i - w_{i+1}) * (b - a), nonzero when a != b."""
    full = (*WEIGHTS, 1)  # the check character counts with weight 1
    assert all((full[i] - full[i + 1]) % 31 for i in range(17))
    # Any two positions differ in weight except positions 1 and 18 (both weight 1).
    assert [(i, j) for i, j in combinations(range(18), 2) if full[i] == full[j]] == [(0, 17)]


@given(valid_codes, st.integers(0, 16))
def test_every_adjacent_transposition_is_detected(code: str, position: int) -> None:
    assume(code[position] != code[position + 1])
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    assert not checksum_consistent(swapped)
    assert not is_valid_credit_code(swapped)


@given(valid_codes, st.sampled_from(list(combinations(range(18), 2))))
def test_transpositions_are_caught_by_the_check_unless_they_swap_positions_1_and_18(
    code: str, positions: tuple[int, int]
) -> None:
    i, j = positions
    assume(code[i] != code[j])
    swapped = code[:i] + code[j] + code[i + 1:j] + code[i] + code[j + 1:]
    assert checksum_consistent(swapped) is ((i, j) == (0, 17))


def test_swapping_positions_1_and_18_keeps_the_checksum_but_breaks_the_authority() -> None:
    swapped = "G144030071526726X9"  # from 9144030071526726XG
    assert checksum_consistent(swapped)
    assert credit_code_problem(swapped) == (
        "The first character ('G') is not a registration authority code defined by GB 32100."
    )


@given(valid_codes, st.integers(0, 17), st.sampled_from("IOSVZiosvz-_ ./Ａ"))
def test_a_forbidden_character_is_reported_at_its_position(code: str, position: int, character: str) -> None:
    changed = code[:position] + character + code[position + 1:]
    assert credit_code_problem(changed) == (
        f"Character {position + 1} ('{character}') is not allowed in a unified social credit code "
        "(I, O, S, V and Z are never used)."
    )


@given(valid_codes, st.integers(2, 7), st.sampled_from(CHARSET[10:]))
def test_a_letter_in_the_division_code_is_reported_at_its_position(code: str, position: int, letter: str) -> None:
    changed = code[:position] + letter + code[position + 1:]
    assert credit_code_problem(changed) == (
        "Characters 3 to 8 are the administrative division code and must be digits; "
        f"character {position + 1} is '{letter}'."
    )
