"""Mailing the morning digests through the rules file's SMTP server (stdlib ``smtplib``), STARTTLS when asked.

The password is read from the environment variable the rules name, used for the login and never written anywhere:
not in a message, not in an error. One connection sends every digest; the first failure stops the sending and is
reported as one line naming the department and the server.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from caselog.errors import MailFailed
from caselog.i18n import _
from caselog.rules.mail import MailRules

TIMEOUT = 30  # seconds: a server that does not answer fails the run rather than hanging cron


@dataclass(frozen=True)
class Outgoing:
    """One digest to mail: the department's code, its address, the subject and the markdown body."""

    department: str
    address: str
    subject: str
    body: str


def _message(rules: MailRules, outgoing: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["From"] = rules.sender
    message["To"] = outgoing.address
    message["Subject"] = outgoing.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=rules.sender.rpartition("@")[2] or None)
    message.set_content(outgoing.body, subtype="plain", charset="utf-8")
    return message


def _password(rules: MailRules) -> str | None:
    if not rules.user:
        return None
    value = os.environ.get(rules.password_env) if rules.password_env else None
    if not value:
        raise MailFailed(
            _("mail: the password for {user} at {server} is not set: put it in the environment variable {name}").format(
                user=rules.user, server=f"{rules.host}:{rules.port}", name=rules.password_env or "(mail.password_env)"
            )
        )
    return value


def send_digests(rules: MailRules, outgoing: list[Outgoing]) -> int:
    """Mail every ``outgoing`` digest through the server of ``rules``; returns how many were sent. The first
    failure raises ``MailFailed`` with one line naming the department and the server (the password never)."""
    if not outgoing:
        return 0
    server = f"{rules.host}:{rules.port}"
    password = _password(rules)
    current = outgoing[0]
    try:
        with smtplib.SMTP(rules.host, rules.port, timeout=TIMEOUT) as smtp:
            if rules.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if password is not None:
                smtp.login(rules.user, password)
            for current in outgoing:
                smtp.send_message(_message(rules, current))
    except (OSError, smtplib.SMTPException) as exc:
        reason = " ".join(str(exc).replace(password or "\0", "***").split()) or type(exc).__name__
        raise MailFailed(
            _("mail: the digest of {department} to {address} was not sent through {server}: {reason}").format(
                department=current.department, address=current.address, server=server, reason=reason
            )
        ) from None
    return len(outgoing)
