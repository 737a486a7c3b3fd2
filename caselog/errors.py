"""One hierarchy of errors a user can cause; ``cli`` turns each into one line on stderr and its exit code."""


class CaselogError(Exception):
    """Base of every error caselog reports to a user instead of a traceback."""

    exit_code = 1


class BadInput(CaselogError):
    """A value the user gave is malformed or out of range (an option, a date, a code)."""

    exit_code = 2


class NotFound(BadInput):
    """The user named a case, party, department or visit that does not exist."""


class InvalidMove(CaselogError):
    """A lifecycle move that the case's current status does not allow."""


class NotAllowed(CaselogError):
    """The login may not do this on a shared server: a case its department does not handle, a role that only
    reads (PostgreSQL's row-level security and grants)."""


class MailFailed(CaselogError):
    """A message could not be mailed: the server could not be reached, refused the login or the message."""


class DatabaseError(CaselogError):
    """The database cannot be used: missing, damaged, or written by a newer caselog."""


class Conflict(DatabaseError):
    """The transaction lost a race with another writer and wrote nothing; running the command again is safe."""
