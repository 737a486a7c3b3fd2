"""The one translation function for words a user reads (stdlib gettext; catalogues come with the zh_CN work).

Machine formats (json keys, csv headers, enum values in files) never pass through here.
"""

import gettext as _gettext
from pathlib import Path

_LOCALE_DIR = Path(__file__).parent / "locale"
_translation = _gettext.translation("caselog", localedir=_LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    """Return ``message`` in the user's language (English when no catalogue applies)."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; ``_`` translates it where it is shown."""
    return message
