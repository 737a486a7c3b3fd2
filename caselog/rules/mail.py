"""Where the morning digests (每日提醒) are mailed: the rules file's ``[mail]`` table as data, and its checks.

No server (``host`` empty, the default) means the digests are only written as files. The password is never in the
rules file: ``password_env`` names the environment variable that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caselog.i18n import _

MAIL_KEYS = ("host", "port", "from", "user", "password_env", "starttls", "departments")
_ADDRESS = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class MailRules:
    """The SMTP server, the sender, the login (the password read from the variable ``password_env``), STARTTLS,
    and each department's address by code (a tuple of pairs, so the rules stay hashable)."""

    host: str = ""
    port: int = 25
    sender: str = ""
    user: str = ""
    password_env: str = ""
    starttls: bool = False
    departments: tuple[tuple[str, str], ...] = ()

    def addresses(self) -> dict[str, str]:
        """Each department's address by code."""
        return dict(self.departments)


DEFAULT_MAIL = MailRules()


def mail_values(rules: MailRules) -> dict[str, Any]:
    """The mail rules as a rules file would hold them, by dotted key."""
    values = (rules.host, rules.port, rules.sender, rules.user, rules.password_env, rules.starttls,
              dict(rules.departments))  # fmt: skip
    return {f"mail.{key}": value for key, value in zip(MAIL_KEYS, values, strict=True)}


def mail_rules(values: Mapping[str, Any]) -> MailRules:
    """The mail rules from every effective value (by dotted key)."""
    return MailRules(
        host=values["mail.host"],
        port=values["mail.port"],
        sender=values["mail.from"],
        user=values["mail.user"],
        password_env=values["mail.password_env"],
        starttls=values["mail.starttls"],
        departments=tuple(sorted(values["mail.departments"].items())),
    )


def is_address(text: str) -> bool:
    """Whether ``text`` is one plain mail address (no name, no list, nothing a header could be split on)."""
    return bool(_ADDRESS.fullmatch(text))


def check_mail(key: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with one ``mail.*`` value from a rules file, and the key to name; or None."""
    if key == "mail.port":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            return key, _("expected a port number from 1 to 65535, found {found}").format(found=repr(value))
    elif key == "mail.starttls":
        if not isinstance(value, bool):
            return key, _("expected true or false, found {found}").format(found=repr(value))
    elif key == "mail.departments":
        if not isinstance(value, dict):
            return key, _("expected a table of department code = address, found {found}").format(found=repr(value))
        for code, address in value.items():
            if not isinstance(address, str) or not is_address(address):
                found = repr(address)
                return f"{key}.{code}", _("expected one mail address such as {example}, found {found}").format(
                    example="fgj@example.gov.cn", found=found
                )
    elif not isinstance(value, str) or "\n" in value or "\r" in value:
        return key, _("expected a line of text, found {found}").format(found=repr(value))
    elif key == "mail.from" and value and not is_address(value):
        return key, _("expected one mail address such as {example}, found {found}").format(
            example="caselog@example.gov.cn", found=repr(value)
        )
    elif key == "mail.password_env" and value and not _ENV_NAME.fullmatch(value):
        return key, _("expected the name of an environment variable, found {found}").format(found=repr(value))
    return None


def check_mail_together(values: Mapping[str, Any], found: Mapping[str, Any]) -> tuple[str, str] | None:
    """What is wrong with the mail rules taken together (addresses without a server, a server without a sender)."""
    if values["mail.departments"] and not values["mail.host"]:
        return "mail.departments", _("departments have addresses but mail.host names no server")
    if values["mail.host"] and not values["mail.from"]:
        key = "mail.host" if "mail.host" in found else "mail"
        return key, _("mail.host is set but mail.from gives no sender")
    return None
