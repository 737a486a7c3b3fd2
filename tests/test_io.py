"""CSV in and out: encodings, mappings, exact problem places, all-or-nothing, idempotence, round trips."""

import csv
import gzip
import io
import json
from collections import Counter
from pathlib import Path

import budget
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"  # real data slices, with their sources in data/README.md
MAPPINGS = ROOT / "examples" / "mappings"
HEADER = "external_ref,title,description,category,lead,co,party,opened_at,closed_at,status,close_reason"
ROWS = [
    'H-1,门禁系统失灵,"楼道门禁坏了,\n影响出入",物业管理,market,,上海测试科技有限公司,2026-03-02 09:30,,,',
    "H-2,申请人才公寓 䶮,需要10套,人才公寓,housing,market,上海测试科技有限公司,2026/3/3 10:00,,dispatched,",
    "H-3,=1+1 公式,,,market,,张伟,2026年3月4日 8:05,2026-03-05 09:00,closed,withdrawn",
]


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process; ``cli(*args, code=0)``."""
    run = caselog_at("2026-03-10T10:00:00")
    return run


@pytest.fixture
def district(cli):
    cli("init")
    cli("dept", "add", "market", "区市场监管局")
    cli("dept", "add", "housing", "区房管局")
    cli("party", "add", "上海测试科技有限公司")
    cli("party", "add", "张伟", "--kind", "resident")
    return cli


def cases_json(cli) -> list[dict]:
    return json.loads(cli("case", "list", "--limit", "0", "-f", "json").stdout)


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),
        ("gb18030", ",", "gb18030"),
        ("utf-16", "\t", "utf-16"),
    ],
)
def test_the_same_rows_import_identically_in_every_encoding(district, tmp_path, encoding, delimiter, expected):
    lines = [HEADER, *ROWS]
    if delimiter == "\t":
        lines = [
            "\t".join(next(csv.reader(io.StringIO(line.replace("\n", "\\n"))))).replace("\\n", "\n") for line in lines
        ]
        lines = [
            line
            if "\n" not in line
            else line.replace('\t"', "\t").replace("楼道门禁坏了,\n影响出入", '"楼道门禁坏了,\n影响出入"')
            for line in lines
        ]
    text = "\r\n".join(lines) + "\r\n"
    path = write(tmp_path / "cases.csv", text, encoding)
    out = district("import", "cases", path.name).stdout
    assert f"({expected}): 3 rows read; imported 3" in out
    listed = cases_json(district)
    assert [(c["external_ref"], c["title"], c["status"], c["lead"], c["co"]) for c in reversed(listed)] == [
        ("H-1", "门禁系统失灵", "dispatched", "market", []),
        ("H-2", "申请人才公寓 䶮", "dispatched", "housing", ["market"]),
        ("H-3", "=1+1 公式", "closed", "market", []),
    ]
    shown = json.loads(district("case", "show", "H-1", "-f", "json").stdout)
    assert shown["description"] == "楼道门禁坏了,\n影响出入"
    # Imported history is history: the row's moments are events at their times, then the import that wrote them.
    kinds = [event["kind"] for event in shown["history"]]
    assert kinds[0] == "opened" and kinds[-1] == "imported" and shown["history"][-1]["note"] == "cases.csv:2"


def test_gbk_file_without_bom_is_read_as_gb18030(district, tmp_path):
    path = write(tmp_path / "gbk.csv", "\r\n".join([HEADER, ROWS[0]]) + "\r\n", "gbk")
    assert "(gb18030): 1 rows read; imported 1" in district("import", "cases", path.name).stdout


@pytest.mark.postgresql_only
def test_an_import_writes_each_new_case_once_with_its_facts(district, tmp_path, location):
    """On PostgreSQL each new case is written once, its facts with it: the audit holds one INSERT per case and no
    UPDATE. Written with its facts unknown and then updated, every case row and its twenty-odd index entries were
    written twice (a fifth of an import's time, and a table and indexes twice the size until vacuumed)."""
    from databases import raw_connection
    from sqlalchemy import text

    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    assert "imported 3" in district("import", "cases", path.name).stdout
    with raw_connection(location.url) as connection:
        actions = connection.execute(
            text("SELECT action, count(*) FROM audit WHERE table_name = 'cases' GROUP BY action")
        )
        assert dict(actions.all()) == {"INSERT": 3}
        unknown = connection.execute(text("SELECT count(*) FROM cases WHERE changed_at IS NULL")).scalar()
        assert unknown == 0


def test_importing_twice_adds_nothing_and_update_records_events(district, tmp_path):
    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    district("import", "cases", path.name)
    again = district("import", "cases", path.name).stdout
    assert "imported 0, updated 0, unchanged 3, rejected 0" in again
    assert len(cases_json(district)) == 3
    changed = "\n".join([HEADER, ROWS[0].replace("门禁系统失灵", "门禁系统仍然失灵"), *ROWS[1:]]) + "\n"
    path.write_text(changed, encoding="utf-8")
    kept = district("import", "cases", path.name).stdout  # without --update the file's word is not taken
    assert kept.rstrip("\n").endswith(
        "imported 0, updated 0, unchanged 2, rejected 0, kept 1 that differ from the database (--update applies them)"
    )
    assert [c["title"] for c in cases_json(district) if c["external_ref"] == "H-1"] == ["门禁系统失灵"]
    out = district("import", "cases", path.name, "--update").stdout
    assert "imported 0, updated 1, unchanged 2" in out
    history = json.loads(district("case", "show", "H-1", "-f", "json").stdout)["history"]
    assert history[-1]["kind"] == "edited" and history[-1]["field"] == "title"
    assert (history[-1]["old"], history[-1]["new"], history[-1]["note"]) == (
        "门禁系统失灵",
        "门禁系统仍然失灵",
        "cases.csv:2",
    )


def co_of(cli, ref: str) -> list[str]:
    return json.loads(cli("case", "show", ref, "-f", "json").stdout)["case"]["co"]


def test_a_changed_co_column_differs_and_update_applies_it(district, tmp_path):
    """Co-departments are a column of the file like any other: a re-import that changes only them is not
    "unchanged", and --update replaces the case's co-departments with the file's, in its history."""
    district("dept", "add", "tax", "区税务局")
    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    district("import", "cases", path.name)
    assert co_of(district, "H-2") == ["market"]
    changed = ROWS[1].replace(",housing,market,", ',housing,"tax,market",')
    path.write_text("\n".join([HEADER, ROWS[0], changed, ROWS[2]]) + "\n", encoding="utf-8")
    kept = district("import", "cases", path.name).stdout
    assert kept.rstrip("\n").endswith(
        "unchanged 2, rejected 0, kept 1 that differ from the database (--update applies them)"
    )
    assert co_of(district, "H-2") == ["market"]
    dry = district("import", "cases", path.name, "--update", "--dry-run").stdout
    assert "updated 1, unchanged 2" in dry
    assert co_of(district, "H-2") == ["market"]
    out = district("import", "cases", path.name, "--update").stdout
    assert "imported 0, updated 1, unchanged 2" in out
    assert co_of(district, "H-2") == ["market", "tax"]
    history = json.loads(district("case", "show", "H-2", "-f", "json").stdout)["history"]
    assert (history[-1]["kind"], history[-1]["field"], history[-1]["old"], history[-1]["new"], history[-1]["note"]) == (
        "edited",
        "co",
        "market",
        "market,tax",
        "cases.csv:4",  # H-1 spans lines 2 and 3
    )
    again = district("import", "cases", path.name, "--update").stdout
    assert "updated 0, unchanged 3" in again
    # An empty cell leaves the co-departments as they are, as it leaves every other field of a case.
    emptied = ROWS[1].replace(",housing,market,", ",housing,,")
    path.write_text("\n".join([HEADER, ROWS[0], emptied, ROWS[2]]) + "\n", encoding="utf-8")
    assert "updated 0, unchanged 3" in district("import", "cases", path.name, "--update").stdout
    assert co_of(district, "H-2") == ["market", "tax"]
    listed = {row["code"]: row for row in json.loads(district("dept", "list", "-f", "json").stdout)}
    assert (listed["tax"]["open_co"], listed["market"]["open_co"]) == (1, 1)


def test_co_departments_from_a_file_take_a_single_department_case_to_the_joint_meeting(district, caselog_at, tmp_path):
    """The tier stays as the file says; the next sweep applies the tier rules to the co-departments it now has."""
    header = "external_ref,title,lead,co,opened_at,status"
    path = write(tmp_path / "cases.csv", f"{header}\nS-1,楼道堆物,housing,,2026-03-09 09:00,dispatched\n", "utf-8")
    district("import", "cases", path.name)
    path.write_text(f"{header}\nS-1,楼道堆物,housing,market,2026-03-09 09:00,dispatched\n", encoding="utf-8")
    assert "updated 1" in district("import", "cases", path.name, "--update").stdout
    assert json.loads(district("case", "show", "S-1", "-f", "json").stdout)["case"]["tier"] == 1
    caselog_at("2026-03-11T07:30:00")("escalate")
    shown = json.loads(district("case", "show", "S-1", "-f", "json").stdout)
    assert (shown["case"]["tier"], shown["tier_rule"]) == (2, "escalate:co-department")


def test_a_new_lead_from_a_file_is_a_redispatch_the_reports_charge_to_it(district, tmp_path):
    """A file that gives a case another lead moves it as a redispatch does: its history says ``dispatched``,
    lead, from one department's code to the other's, and the reports count it under the new lead."""
    header = "external_ref,title,lead,opened_at,status"
    path = write(tmp_path / "cases.csv", f"{header}\nL-1,门前道路破损,housing,2026-03-02 09:00,dispatched\n", "utf-8")
    district("import", "cases", path.name)
    path.write_text("external_ref,title,lead,opened_at\nL-1,门前道路破损,market,2026-03-02 09:00\n", encoding="utf-8")
    assert "updated 1" in district("import", "cases", path.name, "--update").stdout
    history = json.loads(district("case", "show", "L-1", "-f", "json").stdout)["history"]
    last = history[-1]
    assert (last["kind"], last["field"], last["old"], last["new"], last["note"]) == (
        "dispatched",
        "lead",
        "housing",
        "market",
        "cases.csv:2",
    )
    rates = json.loads(district("report", "rates", "--by", "department", "--from", "2026-03-01", "-f", "json").stdout)
    received = {row["group"]: row["received"] for row in rates["rows"] if row["received"]}
    assert received == {"market": 1}


def test_a_new_lead_that_was_a_co_department_is_no_longer_one(district, tmp_path):
    """As a redispatch does: the lead is never also a co-department, when the file names no co column."""
    header = "external_ref,title,lead,co,opened_at,status"
    path = write(
        tmp_path / "cases.csv", f"{header}\nL-1,门前道路破损,housing,market,2026-03-02 09:00,dispatched\n", "utf-8"
    )
    district("import", "cases", path.name)
    path.write_text("external_ref,title,lead,opened_at\nL-1,门前道路破损,market,2026-03-02 09:00\n", encoding="utf-8")
    assert "updated 1" in district("import", "cases", path.name, "--update").stdout
    shown = json.loads(district("case", "show", "L-1", "-f", "json").stdout)["case"]
    assert (shown["lead"], shown["co"]) == ("market", [])


BAD = [
    ("external_ref,title,opened_at,zip\nB-1,t,2026-03-02,200000\n", "cases.csv:1:zip: unknown column"),
    ("external_ref,title,opened_at\nB-1,t,2026-02-30\n", "cases.csv:2:opened_at: '2026-02-30' is not a valid date"),
    ("external_ref,title,opened_at\nB-1,t,03/04/2026\n", "cases.csv:2:opened_at: '03/04/2026' could be read two ways"),
    ("external_ref,title,opened_at\nB-1,t,2026-03\n", "cases.csv:2:opened_at: '2026-03' is not a valid date"),
    (
        "external_ref,title,opened_at,closed_at,status,close_reason\nB-1,t,2026-03-05,2026-03-02,closed,withdrawn\n",
        "cases.csv:2:closed_at: closed_at 2026-03-02T00:00:00+08:00 is before the case was opened",
    ),
    (
        "external_ref,title,opened_at,lead\nB-1,t,2026-03-02,markte\n",
        "cases.csv:2:lead: no department 'markte' (did you mean 'market'?)",
    ),
    (
        "external_ref,title,opened_at\nB-1," + "长" * 201 + ",2026-03-02\n",
        "cases.csv:2:title: 201 characters, at most 200",
    ),
    ("external_ref,title,opened_at,tier\nB-1,t,2026-03-02,4\n", "cases.csv:2:tier: '4' is not a tier (1, 2 or 3)"),
    (
        "external_ref,title,opened_at\nB-1,t,2026-03-02\nB-1,u,2026-03-03\n",
        "cases.csv:3:external_ref: duplicate reference 'B-1' (also on line 2)",
    ),
    ("external_ref,title,opened_at\nB-1,t\n", "cases.csv:2: 2 fields, expected 3"),
    ("external_ref,title,opened_at,status\nB-1,t,2026-03-02,done\n", "cases.csv:2:status: 'done' is not a status"),
    ("external_ref,title,opened_at\nB-1,t\x00x,2026-03-02\n", "cases.csv:2"),
    ("title,opened_at\nt,2026-03-02\n", "cases.csv:2:external_ref: a case needs external_ref"),
]


def test_a_duplicate_in_a_later_batch_names_the_line_already_written(district, tmp_path, monkeypatch):
    from caselog.files import case_writer as casewriter

    monkeypatch.setattr(casewriter, "BATCH", 1)  # the first B-1 is written before the second is read
    (tmp_path / "cases.csv").write_text("external_ref,title,opened_at\nB-1,t,2026-03-02\nB-1,u,2026-03-03\n")
    before = district("db", "info", "-f", "json").stdout
    result = district("import", "cases", "cases.csv", code=2)
    assert "cases.csv:3:external_ref: duplicate reference 'B-1' (also on line 2)" in result.stderr
    assert district("db", "info", "-f", "json").stdout == before
    district("import", "cases", "cases.csv", "--on-duplicate", "last")
    assert [(case["external_ref"], case["title"]) for case in cases_json(district)] == [("B-1", "u")]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_each_bad_input_is_reported_at_its_place_and_nothing_is_written(district, tmp_path, text, message):
    path = tmp_path / "cases.csv"
    path.write_bytes(text.encode("utf-8"))
    before = district("db", "info", "-f", "json").stdout
    result = district("import", "cases", path.name, code=2)
    assert message in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("caselog: ")
    assert district("db", "info", "-f", "json").stdout == before


def test_bad_credit_code_in_a_parties_file(district, tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text("name,credit_code\n某公司,91350100M000100Y44\n", encoding="utf-8")
    result = district("import", "parties", path.name, code=2)
    assert "parties.csv:2:credit_code: credit code '91350100M000100Y44' fails its check character" in result.stderr


def test_skip_writes_the_good_rows_and_a_rejects_file(district, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "external_ref,title,opened_at\nS-1,好,2026-03-02\nS-2,坏,2026-02-30\nS-3,好,2026-03-03\n", encoding="utf-8"
    )
    rejects = tmp_path / "rejects.csv"
    out = district("import", "cases", path.name, "--on-error", "skip", "--rejects", rejects.name).stdout
    assert "imported 2, updated 0, unchanged 0, rejected 1" in out
    assert rejects.read_bytes().decode("utf-8-sig") == (
        "line,external_ref,title,opened_at,error\r\n"
        "3,S-2,坏,2026-02-30,'2026-02-30' is not a valid date or time (expected YYYY-MM-DD[ HH:MM[:SS]])\r\n"
    )


@pytest.mark.parametrize("target", ["cases", "parties"])
def test_the_rows_read_count_every_record_and_each_rejected_row_once(district, tmp_path, target):
    header, good, twice = {
        "cases": ("external_ref,title,opened_at", "S-1,好,2026-03-02", "S-2,,2026-02-30"),
        "parties": ("name,kind,credit_code", "新公司,enterprise,", ",nobody,123"),
    }[target]
    lines = [header, good, twice, "S-3,x\x00y,2026-03-03,extra", '"S-4,unterminated']  # two problems on each
    (tmp_path / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = district("import", target, "rows.csv", "--on-error", "skip").stdout
    assert "4 rows read; imported 1, updated 0, unchanged 0, rejected 3" in out


def test_dry_run_writes_nothing(district, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("external_ref,title,opened_at,lead\nD-1,t,2026-03-02,newdept\n", encoding="utf-8")
    before = district("db", "info", "-f", "json").stdout
    out = district("import", "cases", path.name, "--dry-run", "--create-missing", "departments").stdout
    assert "would import 1" in out
    assert district("db", "info", "-f", "json").stdout == before


def test_stdin_and_mapping_options(district):
    data = "编号,标题,受理时间\nM-1,噪音,2026/3/2 9:00\n".encode("gb18030")
    out = district(
        "import",
        "cases",
        "-",
        "--map",
        "编号=external_ref",
        "--map",
        "标题=title",
        "--map",
        "受理时间=opened_at",
        stdin=data,
    ).stdout
    assert "<stdin> (gb18030): 1 rows read; imported 1" in out


def test_export_is_excel_safe_and_round_trips(district, tmp_path):
    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    district("import", "cases", path.name)
    first = tmp_path / "first.csv"
    district("export", "cases", str(first))
    data = first.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfref,external_ref,title,description,category,tier,tier_rule,status,")
    assert b"\r\n" in data and "'=1+1 公式".encode() in data
    district("export", "cases", str(first), code=2)  # exists: refused without --force
    district("export", "cases", str(first), "--force")
    assert "'=1+1" not in district("export", "cases", "-", "--raw").stdout


def export_import_export(cli, tmp_path, rows_csv: str) -> tuple[bytes, bytes]:
    import os

    source = tmp_path / "source.csv"
    source.write_text(rows_csv, encoding="utf-8")
    cli("import", "cases", str(source), "--create-missing", "departments", "--create-missing", "parties")
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    cli("export", "cases", str(first), "--force")
    os.environ["CASELOG_DB"] = str(tmp_path / "second.db")
    cli("import", "cases", str(first), "--create-missing", "departments", "--create-missing", "parties")
    cli("export", "cases", str(second), "--force")
    return first.read_bytes(), second.read_bytes()


texts = st.text(
    alphabet=st.sampled_from(list("门禁系统失灵人才公寓=+-@\t'\" ,;abcXYZ012") + ["\n", "䶮", "𠀀"]),
    min_size=1,
    max_size=12,
).filter(lambda t: t.strip() != "")


@settings(max_examples=budget.examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(texts, st.sampled_from(["", "market", "housing"]), st.integers(0, 3)), min_size=1, max_size=5)
)
def test_export_import_export_is_byte_identical(cli, tmp_path_factory, rows):
    import os

    tmp_path = tmp_path_factory.mktemp("round")
    os.environ["CASELOG_DB"] = str(tmp_path / "first.db")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["external_ref", "title", "description", "lead", "party", "opened_at", "tier"])
    for n, (text, lead, day) in enumerate(rows):
        writer.writerow([f"R-{n}", text.strip() or "x", text, lead, "某公司", f"2026-03-0{day + 1} 09:00", ""])
    first, second = export_import_export(cli, tmp_path, out.getvalue())
    assert first == second


def test_xlsx_keeps_every_value(district, tmp_path):
    from openpyxl import load_workbook

    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    district("import", "cases", path.name)
    district("party", "add", "零号公司", "--credit-code", "91350100M000100Y43")
    target = tmp_path / "parties.xlsx"
    district("export", "parties", str(target), "--format", "xlsx")
    sheet = load_workbook(target).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("id", "kind", "name", "credit_code")
    assert ("零号公司", "91350100M000100Y43") in [(r[2], r[3]) for r in rows[1:]]
    assert sheet.freeze_panes == "A2"


# --- real data -------------------------------------------------------------------------------------------


def _slice(source: Path, rows: int, target: Path) -> list[dict]:
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8", newline="") as handle:
        lines = [next(handle) for _ in range(rows + 1)]
    target.write_text("".join(lines), encoding="utf-8")
    return list(csv.DictReader(io.StringIO("".join(lines))))


def test_la311_slice_imports_with_the_shipped_mapping(cli, tmp_path):
    rows = _slice(DATA / "la311_2018_mini_2000.csv", 400, tmp_path / "la.csv")
    cli("init")
    result = cli(
        "import",
        "cases",
        str(tmp_path / "la.csv"),
        "--mapping",
        str(MAPPINGS / "la311.toml"),
        "--create-missing",
        "departments",
        "--create-missing",
        "parties",
        "--on-error",
        "skip",
    )
    listed = cases_json(cli)
    expected = Counter(r["Owner"].lower() for r in rows)
    bad = {r["SRNumber"] for r in rows if r["ClosedDate"] and _la_time(r["ClosedDate"]) < _la_time(r["CreatedDate"])}
    for ref in bad:
        expected[next(r["Owner"].lower() for r in rows if r["SRNumber"] == ref)] -= 1
    assert Counter(c["lead"] for c in listed) == +expected
    closed = sum(1 for r in rows if r["Status"] in ("Closed", "Cancelled", "Referred Out") and r["SRNumber"] not in bad)
    assert sum(c["status"] == "closed" for c in listed) == closed
    assert f"rejected {len(bad)}" in result.stdout


def _la_time(text: str):
    from datetime import datetime

    return datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")


def test_nyc_slice_imports_with_the_shipped_mapping(cli, tmp_path):
    rows = _slice(DATA / "nyc_council_sample.csv", 500, tmp_path / "nyc.csv")
    cli("init")
    cli(
        "import",
        "cases",
        str(tmp_path / "nyc.csv"),
        "--mapping",
        str(MAPPINGS / "nyc_council.toml"),
        "--create-missing",
        "departments",
        "--create-missing",
        "parties",
        "--on-duplicate",
        "first",
        "--on-error",
        "skip",
    )
    listed = cases_json(cli)
    first = {}
    for r in rows:
        first.setdefault(r["unique_key"], r)
    # Every row with a key arrives, those without category or descriptor under the mapping's fallback title.
    assert Counter(c["lead"] for c in listed) == Counter(r["account"].lower() for r in first.values())
    assert sum(c["status"] == "closed" for c in listed) == sum(1 for r in first.values() if r["closedate"])
    untitled = {k for k, r in first.items() if not (r["complaint_type"] + r["descriptor"]).strip()}
    assert untitled and {c["external_ref"] for c in listed if c["title"] == "(untitled)"} == untitled


def test_a_fallback_fills_the_field_a_row_leaves_empty(district, tmp_path):
    text = "external_ref,title,opened_at\nB-1,,2026-03-02\nB-2,门禁,2026-03-02\n"
    path = write(tmp_path / "cases.csv", text, "utf-8")
    district("import", "cases", path.name, "--fallback", "title=(无标题)")
    assert {c["external_ref"]: c["title"] for c in cases_json(district)} == {"B-1": "(无标题)", "B-2": "门禁"}
    path = write(tmp_path / "more.csv", "external_ref,title,opened_at\nB-3,,2026-03-02\n", "utf-8")
    result = district("import", "cases", path.name, code=2)
    assert "more.csv:2:title" in result.stderr and len(cases_json(district)) == 2
    mapping = tmp_path / "m.toml"
    mapping.write_text('[fallbacks]\ntitle = "(untitled)"\n', encoding="utf-8")
    district("import", "cases", path.name, "--mapping", str(mapping))
    assert {c["external_ref"]: c["title"] for c in cases_json(district)}["B-3"] == "(untitled)"


def test_export_agenda(district, tmp_path):
    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    district("import", "cases", path.name)
    out = district("export", "agenda", "-", "--meeting", "joint", "--date", "2026-03-17").stdout.splitlines()
    assert out[0].startswith("meeting,date,ref,title,party,lead,co,")
    assert [line.split(",")[2] for line in out[1:]] == ["C2026-000002"]


def test_xlsx_cases_keep_text_dates_and_formulas_as_data(district, tmp_path):
    from datetime import date, datetime

    from openpyxl import load_workbook

    path = write(tmp_path / "cases.csv", "\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    district("import", "cases", path.name)
    target = tmp_path / "cases.xlsx"
    district("export", "cases", target.name, "--format", "xlsx")
    rows = list(load_workbook(target).active.values)
    header = rows[0]
    by_ref = {row[header.index("external_ref")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    formula = by_ref["H-3"]
    assert formula["title"] == "=1+1 公式"  # stored as text, never a formula
    assert formula["opened_at"] == datetime(2026, 3, 4, 8, 5)  # wall time in the district's zone
    assert formula["closed_at"] == datetime(2026, 3, 5, 9, 0)
    assert by_ref["H-2"]["co"] == "market" and by_ref["H-2"]["tier"] == 2
    assert isinstance(by_ref["H-1"]["key"], bool) and by_ref["H-1"]["description"] == "楼道门禁坏了,\n影响出入"
    assert all(isinstance(r["opened_at"], datetime) for r in by_ref.values())
    assert by_ref["H-1"]["due_on"] is None or isinstance(by_ref["H-1"]["due_on"], date)


def test_la311_rates_match_an_independent_count(cli, tmp_path):
    rows = _slice(DATA / "la311_2018_mini_2000.csv", 400, tmp_path / "la.csv")
    cli("init")
    cli(
        "import",
        "cases",
        str(tmp_path / "la.csv"),
        "--mapping",
        str(MAPPINGS / "la311.toml"),
        "--create-missing",
        "departments",
        "--create-missing",
        "parties",
        "--on-error",
        "skip",
    )
    report = json.loads(
        cli(
            "report",
            "rates",
            "--by",
            "department",
            "--from",
            "2018-12-01",
            "--until",
            "2018-12-31",
            "--as-of",
            "2026-03-10 10:00",
            "-f",
            "json",
        ).stdout
    )
    good = [r for r in rows if not (r["ClosedDate"] and _la_time(r["ClosedDate"]) < _la_time(r["CreatedDate"]))]
    # Independently: Cancelled (withdrawn) and Referred Out (invalid) leave the denominators; Closed is resolved.
    received = Counter(r["Owner"].lower() for r in good if r["Status"] not in ("Cancelled", "Referred Out"))
    resolved = Counter(r["Owner"].lower() for r in good if r["Status"] == "Closed")
    assert {row["group"]: row["received"] for row in report["rows"]} == dict(received)
    assert {row["group"]: row["resolved"] for row in report["rows"]} == {k: resolved[k] for k in received}
    excluded = Counter(
        {"Cancelled": "withdrawn", "Referred Out": "invalid"}[r["Status"]]
        for r in good
        if r["Status"] in ("Cancelled", "Referred Out")
    )
    assert report["excluded"] == dict(excluded)


def test_every_problem_of_a_row_in_the_order_of_its_columns(district, tmp_path):
    path = tmp_path / "cases.csv"
    long = "长" * 201
    path.write_text(
        f"external_ref,lead,title,opened_at,tier,status\nB-1,markte,{long},2026-02-30,4,done\n", encoding="utf-8"
    )
    problems = district("import", "cases", path.name, code=2).stderr.splitlines()[:-1]
    assert [p.split(":")[2] for p in problems] == ["lead", "title", "opened_at", "tier", "status"]


def test_parties_are_found_again_after_the_cache_is_full(district, tmp_path, monkeypatch):
    import caselog.files.case_import
    import caselog.files.importing

    monkeypatch.setattr(caselog.files.importing, "_PARTY_CACHE", 2)
    monkeypatch.setattr(caselog.files.case_import, "BATCH", 2)
    names = ["上海测试科技有限公司", "张伟", "新甲公司", "新乙公司", "上海测试科技有限公司", "新甲公司", "张伟"]
    rows = [f"P-{n},t,{name},2026-03-02 09:00" for n, name in enumerate(names)]
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(["external_ref,title,party,opened_at", *rows]) + "\n", encoding="utf-8")
    out = district("import", "cases", path.name, "--create-missing", "parties").stdout
    assert "imported 7" in out
    listed = {c["external_ref"]: c["party"] for c in cases_json(district)}
    assert listed == {f"P-{n}": name for n, name in enumerate(names)}
    parties = json.loads(district("party", "list", "-f", "json").stdout)
    assert sorted(p["name"] for p in parties) == sorted({*names})


@pytest.mark.postgresql_only
def test_an_imports_lookups_are_planned_for_their_own_values(session):
    """An import looks its keys up in lists of hundreds, the same statement again and again. psycopg prepares a
    statement after five runs, and PostgreSQL may then plan it once for any values, searching the list one value
    at a time for every row: 600 ms a lookup of a batch's parties against 5 ms planned for its values. The lookups
    are never prepared."""
    from sqlalchemy import bindparam, select

    from caselog.files.importing import select_in
    from caselog.models import Party

    statement = select(Party.id).where(Party.name.in_(bindparam("names", expanding=True)))
    connection = session.connection()
    for round_ in range(8):
        assert list(select_in(connection, statement, names=[f"企业{round_}-{n}" for n in range(500)])) == []
    prepared = connection.exec_driver_sql(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%parties%%'"
    )
    assert prepared.scalar() == 0
