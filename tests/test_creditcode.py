"""Unified social credit codes: check character, normalisation, and the messages for bad codes."""

import pytest

from caselog.errors import BadInput
from caselog.rules.creditcode import ALPHABET, check_character, is_valid_credit_code, normalize_credit_code

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

EXAMPLE = "91350100M000100Y43"  # the example code widely published with GB 32100-2015
CHARACTERS = "which credit codes do not use (they use 0-9 and A-Z except I, O, S, V, Z)"


@pytest.mark.parametrize(
    "code",
    [
        EXAMPLE,
        "91230184MA1BUFLT44",
        "92371000MA3MXH0E3W",
        "91350213678251743X",
        "913502000728319549",
        # Constructed and worked by hand: weighted sum s, check = ALPHABET[(31 - s % 31) % 31].
        "000000000000000000",  # s = 0: 31 wraps to 0
        "10000000000000000Y",  # s = 1 * 1: 30, the alphabet's last character
        "Y00000000000000001",  # s = 30 * 1: 1
        "01000000000000000W",  # s = 1 * 3: 28
        "000000000000000013",  # s = 1 * 28 (the 17th weight): 3
    ],
)
def test_valid_codes(code: str) -> None:
    assert check_character(code[:17]) == code[17]
    assert normalize_credit_code(code) == code
    assert is_valid_credit_code(code)


def test_alphabet_leaves_out_confusable_letters() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


def test_every_single_substitution_is_caught() -> None:
    for position in range(17):
        for character in ALPHABET:
            if character != EXAMPLE[position]:
                changed = EXAMPLE[:position] + character + EXAMPLE[position + 1 :]
                assert not is_valid_credit_code(changed), changed


def test_every_adjacent_transposition_is_caught() -> None:
    for position in range(17):
        if EXAMPLE[position] != EXAMPLE[position + 1]:
            swapped = EXAMPLE[:position] + EXAMPLE[position + 1] + EXAMPLE[position] + EXAMPLE[position + 2 :]
            assert not is_valid_credit_code(swapped), swapped


@pytest.mark.parametrize(
    "text",
    [
        "91350100m000100y43",
        "  91350100M000100Y43\n",
        "\u300091350100M000100Y43\u3000",
        "９１３５０１００Ｍ０００１００Ｙ４３",
        "９１３５０１００ｍ０００１００ｙ４３",
        "91350100Ｍ000100Y43",
    ],
)
def test_normalises_case_width_and_surrounding_space(text: str) -> None:
    assert normalize_credit_code(text) == EXAMPLE
    assert is_valid_credit_code(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("123", "credit code '123' has 3 characters; a unified social credit code has 18"),
        ("", "credit code '' has 0 characters; a unified social credit code has 18"),
        (
            "91350100M000100Y4",
            "credit code '91350100M000100Y4' has 17 characters; a unified social credit code has 18",
        ),
        (
            "91350100M000100Y433",
            "credit code '91350100M000100Y433' has 19 characters; a unified social credit code has 18",
        ),
        (
            "91350100 M000100Y43",
            "credit code '91350100 M000100Y43' has 19 characters; a unified social credit code has 18",
        ),
        ("91350100O000100Y43", f"credit code '91350100O000100Y43' has 'O' at position 9, {CHARACTERS}"),
        ("91350100o000100Y43", f"credit code '91350100o000100Y43' has 'o' at position 9, {CHARACTERS}"),
        ("I1350100M000100Y43", f"credit code 'I1350100M000100Y43' has 'I' at position 1, {CHARACTERS}"),
        ("91350100M000100Y4Z", f"credit code '91350100M000100Y4Z' has 'Z' at position 18, {CHARACTERS}"),
        ("91350100M0-0100Y43", f"credit code '91350100M0-0100Y43' has '-' at position 11, {CHARACTERS}"),
        (
            "9135010\x00M000100Y43",
            f"credit code '9135010\\x00M000100Y43' has '\\x00' at position 8, {CHARACTERS}",
        ),
        ("9135010中M000100Y43", f"credit code '9135010中M000100Y43' has '中' at position 8, {CHARACTERS}"),
        (
            "91350100M000100Y44",
            "credit code '91350100M000100Y44' fails its check character: expected '3', found '4'",
        ),
        (
            "91350100M000100Y4Y",
            "credit code '91350100M000100Y4Y' fails its check character: expected '3', found 'Y'",
        ),
        (
            "91350100M000100Y34",  # its 17th character changed, so the check wraps from 31 to 0
            "credit code '91350100M000100Y34' fails its check character: expected '0', found '4'",
        ),
    ],
)
def test_refuses(text: str, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        normalize_credit_code(text)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2
    assert not is_valid_credit_code(text)


@pytest.mark.parametrize(
    "first17", ["", "91350100M000100Y", "91350100M000100Y43", "91350100m000100Y4", "I1350100M000100Y4"]
)
def test_check_character_wants_17_normalised_characters(first17: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        check_character(first17)
