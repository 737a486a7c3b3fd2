"""Synthetic districts for the proofs, built fast through caselog's own importer (no CLI call per case).

Files, not SQL: ``caselog import`` builds the same rows on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

CATEGORIES = ("人才公寓", "融资需求", "证照办理", "政策咨询", "停车难", "消防安全")


def department_codes(count: int) -> list[str]:
    """``d01``, ``d02`` … as many as asked."""
    return [f"d{number:02d}" for number in range(1, count + 1)]


def write_departments(path: Path, count: int) -> Path:
    """A departments file for ``caselog import departments``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "kind"])
        for number, code in enumerate(department_codes(count), start=1):
            writer.writerow([code, f"区第{number}局", "bureau"])
    return path


def write_cases(
    path: Path,
    count: int,
    *,
    seed: int,
    first: date,
    days: int,
    departments: int,
    prefix: str = "K",
    answered: float = 0.0,
    due_on: date | None = None,
) -> Path:
    """A cases file: ``count`` dispatched cases opened over ``days`` days from ``first``, spread over the
    departments; a share of them answered. Without ``due_on`` the importer gives each its tier's deadlines."""
    rng = random.Random(seed)
    leads = department_codes(departments)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_ref", "title", "category", "lead", "opened_at", "answered_at", "due_on"])
        for number in range(count):
            opened = datetime.combine(first, datetime.min.time()) + timedelta(
                days=rng.randrange(days), hours=8, minutes=rng.randrange(600)
            )
            reply = opened + timedelta(days=rng.randrange(1, 5)) if rng.random() < answered else None
            writer.writerow(
                [
                    f"{prefix}{number:06d}",
                    f"企业反映问题 {prefix}{number}",
                    rng.choice(CATEGORIES),
                    rng.choice(leads),
                    opened.strftime("%Y-%m-%d %H:%M"),
                    reply.strftime("%Y-%m-%d %H:%M") if reply else "",
                    due_on.isoformat() if due_on else "",
                ]
            )
    return path


def build_district(cli, folder: Path, cases: int, *, seed: int, first: date, days: int, departments: int = 20):
    """A database with departments and ``cases`` imported cases (the database ``CASELOG_DB`` names)."""
    cli.ok("init")
    cli.ok("import", "departments", str(write_departments(folder / "departments.csv", departments)))
    if cases:
        file = write_cases(
            folder / f"cases-{seed}.csv", cases, seed=seed, first=first, days=days, departments=departments
        )
        cli.ok("import", "cases", str(file))
