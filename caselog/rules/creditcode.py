"""The unified social credit code (统一社会信用代码, GB 32100-2015): normalising it and checking it.

Only the shape and the 18th (check) character are verified; the meaning of the leading segments (registering
authority, entity type, region) and the check digit of the embedded organisation code are not.
"""

from caselog.errors import BadInput
from caselog.i18n import _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
LENGTH = 18
_VALUES = {character: value for value, character in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))  # 1, 3, 9, 27, 19, 26, ...

# Full-width ASCII (Ａ-Ｚ, ０-９, ...) to ASCII, then ASCII letters to upper case. A table rather than
# str.upper(), which can change the length ('ß' -> 'SS') and so shift the positions named in errors.
_NORMAL = str.maketrans(
    {chr(code): chr(code - 0xFEE0).upper() for code in range(0xFF01, 0xFF5F)}
    | {chr(code): chr(code).upper() for code in range(ord("a"), ord("z") + 1)}
)


def check_character(first17: str) -> str:
    """Return the check character (the 18th) for the first 17 characters of a credit code.

    ``first17`` must already be normalised: 17 characters from ``ALPHABET``; otherwise ``ValueError``.
    """
    if len(first17) != LENGTH - 1 or not all(character in _VALUES for character in first17):
        raise ValueError(f"need 17 characters from {ALPHABET!r}, got {first17!r}")
    total = sum(_VALUES[character] * weight for character, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(text: str) -> str:
    """Return ``text`` as a canonical credit code, or raise ``BadInput`` saying what is wrong with it.

    Surrounding whitespace is stripped, full-width characters become ASCII and letters upper case; the
    result must be 18 characters from ``ALPHABET`` whose last one is the right check character.
    """
    typed = text.strip()
    code = typed.translate(_NORMAL)
    if len(code) != LENGTH:
        raise BadInput(
            _("credit code {code} has {count} characters; a unified social credit code has {length}").format(
                code=_show(typed), count=len(code), length=LENGTH
            )
        )
    for position, character in enumerate(code, start=1):
        if character not in _VALUES:
            raise BadInput(
                _(
                    "credit code {code} has {character} at position {position}, which credit codes do not "
                    "use (they use 0-9 and A-Z except I, O, S, V, Z)"
                ).format(code=_show(typed), character=_show(typed[position - 1]), position=position)
            )
    expected = check_character(code[:-1])
    if code[-1] != expected:
        raise BadInput(
            _("credit code {code} fails its check character: expected {expected}, found {found}").format(
                code=_show(typed), expected=_show(expected), found=_show(typed[-1])
            )
        )
    return code


def is_valid_credit_code(text: str) -> bool:
    """Whether ``normalize_credit_code`` accepts ``text`` (so lower case and full width count as valid)."""
    try:
        normalize_credit_code(text)
    except BadInput:
        return False
    return True


def _show(text: str) -> str:
    """``text`` quoted for a message: single quotes, control characters escaped, long text cut short."""
    quoted = repr(text[:40])
    if quoted.startswith('"'):  # repr switches to double quotes when the text holds a single quote
        quoted = "'" + quoted[1:-1].replace("'", "\\'") + "'"
    return quoted + ("…" if len(text) > 40 else "")
