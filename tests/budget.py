"""How large the proofs and the property-based tests are.

``make test`` is the fast lane: the property-based tests run a quarter of their examples and the heavy proofs
(tests marked ``proof``: kill -9 loops, concurrency runs, a 100,000-row import, bug hunts) are left out.
``make proofs`` sets ``CASELOG_PROOFS=full`` and runs the proofs and the property-based tests at full size. Any
count can be set on its own: ``CASELOG_PROOF_IMPORT_KILLS=10 make proofs``.
"""

from __future__ import annotations

import os

FULL = os.environ.get("CASELOG_PROOFS") == "full"


def count(name: str, full: int) -> int:
    """A proof's count: ``CASELOG_PROOF_<NAME>`` when set, else ``full`` (proofs run only in ``make proofs``)."""
    value = os.environ.get(f"CASELOG_PROOF_{name}")
    if value is None:
        return full
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"CASELOG_PROOF_{name}: expected a whole number of at least 1, found {value!r}")
    return int(value)


def examples(full: int) -> int:
    """A property-based test's examples: ``full`` under ``make proofs``, a quarter of it (at least 10) otherwise."""
    return full if FULL else max(10, full // 4)
