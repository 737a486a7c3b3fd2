"""The morning digest (每日提醒) of each department, on a hand-built district with real 2026 dates, and its mail.

The district (three departments; tier 1: reply 5, resolution 15 working days; tier 2: 10 and 30):

- C2026-000001, tier 2, dispatched Mon 08-17 to planning with housing as co-department: due Mon 09-28; unresolved,
  so overdue from 09-29 for both. The joint meeting of Tue 09-29 decided on it: planning to report by Mon 10-12.
- C2026-000002, tier 1, dispatched Mon 09-14 to fire: reply due Sun 09-20 (a make-up day, missed), resolution due
  Sat 10-10 (a make-up day).
- C2026-000003, tier 1, dispatched Wed 09-30 to fire: reply due Tue 10-13 (10-01..10-07 off; 10-08, 10-09, Sat
  10-10, 10-12, 10-13).
- C2026-000004, tier 1, dispatched Fri 10-09 to housing: reply due Thu 10-15.

Sat 2026-10-10 is a make-up working day: its digest covers dispatches since Fri 10-09 and warns to Wed 10-14 (10-12,
13, 14). Thu 2026-10-08, the first working day after National Day, looks back to Wed 09-30. Thu 2026-10-01 is a
holiday: no digest, no mail, exit 0.
"""

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app


@pytest.fixture
def run(isolated_env, monkeypatch):
    """``run(moment, *args)`` runs caselog with the clock at ``moment``; returns the result (not asserted)."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(moment: str, *args: str):
        monkeypatch.setenv("CASELOG_NOW", moment)
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def district(run):
    """The district of the module's docstring; returns ``at(moment, *args)`` (exit 0 asserted)."""

    def at(moment: str, *args: str) -> str:
        result = run(moment, *args)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result.stdout

    t = "2026-08-01T09:00"
    at(t, "init")
    for code, name in (("housing", "区房管局"), ("fire", "区消防救援支队"), ("planning", "区规划资源局")):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "张伟", "--kind", "resident")
    cases = (("2026-08-17T10:00", "联合整治", "planning", "--co", "housing"), ("2026-09-14T10:00", "屋顶漏水", "fire"),
             ("2026-09-30T10:00", "消防通道占用", "fire"), ("2026-10-09T10:00", "噪声扰民", "housing"))  # fmt: skip
    for moment, title, lead, *more in cases:
        at(moment, "case", "open", title, "--party", "张伟", "--lead", lead, *more, "--on", moment)
    at("2026-09-29T17:00", "meeting", "record", "joint", "--date", "2026-09-29")
    at("2026-09-29T17:00", "meeting", "decide", "C2026-000001", "--date", "2026-09-29",
       "--decision", "规划局牵头制定方案", "--owner", "planning", "--due", "2026-10-12")  # fmt: skip
    return at


def digest_files(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}


PLANNING_1010 = """\
# Morning digest (每日提醒) for 区规划资源局 (planning), 2026-10-10 (Saturday)

## Newly dispatched since 2026-10-09 (0)

None.

## Due within 3 working days, to 2026-10-14 (0)

None.

## Overdue (1)

- C2026-000001 联合整治 (due 2026-09-28)

## Urged (催办) or under supervision (督办) (0)

None.

## Co-department replies (协办意见) it owes (0)

None.

## Meeting decisions due by 2026-10-14 (1)

- C2026-000001 联合整治: 规划局牵头制定方案 (due 2026-10-12)
"""


def test_each_department_s_digest_on_a_make_up_saturday(district, tmp_path):
    out = tmp_path / "digests"
    out.mkdir()
    said = district("2026-10-10T07:30", "digest", "--output-dir", str(out))
    assert said == f"2026-10-10: 3 digest(s) written to {out}, 0 mailed.\n"
    files = digest_files(out)
    assert sorted(files) == ["digest-fire-2026-10-10.md", "digest-housing-2026-10-10.md",
                             "digest-planning-2026-10-10.md"]  # fmt: skip
    assert files["digest-planning-2026-10-10.md"] == PLANNING_1010
    housing = files["digest-housing-2026-10-10.md"]
    assert "## Newly dispatched since 2026-10-09 (1)\n\n- C2026-000004 噪声扰民 (dispatched 2026-10-09)\n" in housing
    assert "## Overdue (1)\n\n- C2026-000001 联合整治 (due 2026-09-28)\n" in housing  # as co-department
    assert "## Due within 3 working days, to 2026-10-14 (0)\n\nNone.\n" in housing  # its reply is due 10-15
    assert "## Meeting decisions due by 2026-10-14 (0)" in housing  # planning owns the decision
    assert (
        "## Co-department replies (协办意见) it owes (1)\n\n- C2026-000001 联合整治 (waiting since 2026-08-17)\n"
        in housing
    )
    fire = files["digest-fire-2026-10-10.md"]
    assert ("## Due within 3 working days, to 2026-10-14 (2)\n\n"
            "- C2026-000002 屋顶漏水 (resolution due 2026-10-10)\n"
            "- C2026-000003 消防通道占用 (reply due 2026-10-13)\n") in fire  # fmt: skip
    assert "## Newly dispatched since 2026-10-09 (0)" in fire and "## Overdue (0)" in fire


def test_a_digest_lists_the_cases_chased_and_the_co_department_parts_owed(district, tmp_path):
    district("2026-10-09T15:00", "case", "urge", "C2026-000002", "--note", "请加快办理")
    district("2026-10-09T16:00", "case", "urge", "C2026-000002", "--note", "再次催办")  # twice: supervised (督办)
    district("2026-10-09T16:30", "case", "urge", "C2026-000003", "--note", "请尽快答复")
    district("2026-10-09T17:00", "case", "co-reply", "C2026-000001", "--dept", "housing", "--note", "已会签")
    district("2026-10-10T07:30", "digest", "--output-dir", str(tmp_path))
    fire = (tmp_path / "digest-fire-2026-10-10.md").read_text(encoding="utf-8")
    assert ("## Urged (催办) or under supervision (督办) (2)\n\n"
            "- C2026-000002 屋顶漏水 (urged 2×; under supervision since 2026-10-09)\n"
            "- C2026-000003 消防通道占用 (urged 1×)\n") in fire  # fmt: skip
    housing = (tmp_path / "digest-housing-2026-10-10.md").read_text(encoding="utf-8")
    assert "## Co-department replies (协办意见) it owes (0)\n\nNone.\n" in housing  # it gave its part on 10-09


def test_the_first_working_day_after_a_holiday_looks_back_to_the_last_one(district, tmp_path):
    district("2026-10-08T07:30", "digest", "--output-dir", str(tmp_path))
    fire = (tmp_path / "digest-fire-2026-10-08.md").read_text(encoding="utf-8")
    assert "## Newly dispatched since 2026-09-30 (1)\n\n- C2026-000003 消防通道占用 (dispatched 2026-09-30)\n" in fire
    # The decision is overdue by Tue 10-13: --date names the day.
    district("2026-10-13T07:30", "digest", "--date", "2026-10-13", "--output-dir", str(tmp_path))
    planning = (tmp_path / "digest-planning-2026-10-13.md").read_text(encoding="utf-8")
    assert "- C2026-000001 联合整治: 规划局牵头制定方案 (due 2026-10-12, overdue)" in planning


def test_no_digest_on_a_holiday_unless_forced(district, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    said = district("2026-10-01T07:30", "digest", "--output-dir", str(out))
    assert said == "2026-10-01 (Thursday) is not a working day: no digest (--force to write one).\n"
    assert list(out.iterdir()) == []
    district("2026-10-01T07:30", "digest", "--output-dir", str(out), "--force")
    assert len(list(out.iterdir())) == 3
    chinese = district("2026-10-03T07:30", "--lang", "zh", "digest", "--output-dir", str(out))
    assert chinese == "2026年10月3日（周六）不是工作日，不生成每日提醒（加 --force 可强制生成）。\n"


def test_the_digest_in_chinese(district, tmp_path):
    district("2026-10-10T07:30", "--lang", "zh", "digest", "--output-dir", str(tmp_path))
    planning = (tmp_path / "digest-planning-2026-10-10.md").read_text(encoding="utf-8")
    assert planning.startswith("# 每日提醒：区规划资源局（planning），2026年10月10日（周六）\n")
    assert "- C2026-000001 联合整治：规划局牵头制定方案（2026年10月12日到期）" in planning


# --- mail ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) on a loopback port that keeps what it receives, with a login."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Keeper:
        def __init__(self):
            self.received = []

        async def handle_DATA(self, server, session, envelope):
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"caselog" and auth_data.password == b"s3cret-pw")

    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield controller.port, keeper.received
    finally:
        controller.stop()


def mail_rules(tmp_path: Path, port: int) -> Path:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {port}\nfrom = "caselog@example.gov.cn"\nuser = "caselog"\n'
        'password_env = "TEST_SMTP_PASSWORD"\n'
        'departments = { housing = "fgj@example.gov.cn", planning = "ghzy@example.gov.cn" }\n',
        encoding="utf-8",
    )
    return rules


def test_the_digest_is_mailed_to_each_department_with_an_address(district, smtp_server, tmp_path, monkeypatch):
    from email import message_from_bytes, policy

    port, received = smtp_server
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    rules = mail_rules(tmp_path, port)
    out = tmp_path / "out"
    out.mkdir()
    said = district("2026-10-10T07:30", "--rules", str(rules), "digest", "--output-dir", str(out))
    assert said == f"2026-10-10: 3 digest(s) written to {out}, 2 mailed.\n"  # fire has no address
    assert "s3cret-pw" not in said
    assert [(sender, to) for sender, to, _content in received] == [
        ("caselog@example.gov.cn", ["fgj@example.gov.cn"]),
        ("caselog@example.gov.cn", ["ghzy@example.gov.cn"]),
    ]
    mail = message_from_bytes(received[1][2], policy=policy.default)
    assert mail["To"] == "ghzy@example.gov.cn"
    assert mail["Subject"] == "Morning digest (每日提醒) 2026-10-10: 区规划资源局"
    assert mail.get_content().replace("\r\n", "\n") == PLANNING_1010
    # A holiday: nothing mailed, exit 0.
    said = district("2026-10-01T07:30", "--rules", str(rules), "digest", "--output-dir", str(out))
    assert "not a working day" in said and len(received) == 2


def test_a_mail_failure_names_the_department_and_the_server_and_keeps_the_files(run, district, tmp_path,
                                                                                   monkeypatch):  # fmt: skip
    port = free_port()  # nothing listens there
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    rules = mail_rules(tmp_path, port)
    out = tmp_path / "out"
    out.mkdir()
    result = run("2026-10-10T07:30", "--rules", str(rules), "digest", "--output-dir", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"caselog: mail: the digest of housing to fgj@example.gov.cn was not sent through 127.0.0.1:{port}: "
    )
    assert len(result.stderr.splitlines()) == 1 and "s3cret-pw" not in result.stderr + result.stdout
    assert len(list(out.iterdir())) == 3  # the files are written all the same


def test_a_password_missing_from_the_environment_is_one_line(district, tmp_path, monkeypatch, run):
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    out = tmp_path / "out"
    out.mkdir()
    result = run("2026-10-10T07:30", "--rules", str(mail_rules(tmp_path, 2525)), "digest", "--output-dir", str(out))
    assert result.exit_code == 1
    assert result.stderr == ("caselog: mail: the password for caselog at 127.0.0.1:2525 is not set: put it in the "
                             "environment variable TEST_SMTP_PASSWORD\n")  # fmt: skip
    assert len(list(out.iterdir())) == 3


def test_the_sweep_can_skip_the_days_off_too(district, run):
    # C2026-000002's resolution deadline is Sat 10-10 (a make-up day): overdue from Sun 10-11, a day off.
    said = district("2026-10-11T07:30", "escalate", "--working-days-only", "--dry-run")
    assert said == "2026-10-11 (Sunday) is not a working day: no sweep.\n"
    result = run("2026-10-11T07:30", "escalate", "--working-days-only", "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "")  # json readers get no text on standard output
    assert "not a working day" in result.stderr
    said = district("2026-10-12T07:30", "escalate", "--working-days-only", "--dry-run")
    assert "C2026-000002" in said and "would escalate" in said
