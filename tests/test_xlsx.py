"""xlsx both ways: export picks the format from the file's name, import reads what Excel and LibreOffice save, and
a people's export reads in the user's language."""

import os
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

HEADER = "external_ref,title,description,category,lead,co,party,opened_at,closed_at,status,close_reason"
ROWS = [
    'H-1,门禁系统失灵,"楼道门禁坏了,\n影响出入",物业管理,market,,上海测试科技有限公司,2026-03-02 09:30,,,',
    "H-2,申请人才公寓 䶮,需要10套,人才公寓,housing,market,上海测试科技有限公司,2026/3/3 10:00,,dispatched,",
    "H-3,=1+1 公式,,,market,,张伟,2026年3月4日 8:05,2026-03-05 09:00,closed,withdrawn",
]


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process in a district of two departments and two parties, with three cases."""
    run = caselog_at("2026-03-10T10:00:00")
    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("dept", "add", "housing", "区房管局")
    run("party", "add", "上海测试科技有限公司", "--contact", "王经理")
    run("party", "add", "张伟", "--kind", "resident")
    Path("cases.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    run("import", "cases", "cases.csv")
    return run


def in_a_new_district(cli, name: str) -> None:
    """Point caselog at a new, empty database."""
    os.environ["CASELOG_DB"] = str(Path(name).resolve())
    cli("init")


def test_export_to_a_name_ending_in_xlsx_writes_a_workbook(cli):
    cli("export", "cases", "cases.xlsx")
    assert Path("cases.xlsx").read_bytes()[:4] == b"PK\x03\x04"
    assert load_workbook("cases.xlsx").active["B1"].value == "external_ref"
    cli("export", "cases", "plain.txt")
    assert Path("plain.txt").read_bytes().startswith(b"\xef\xbb\xbfref,")  # any other name: csv, as before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.xlsx", "--format", "csv"],
         "caselog: --format csv: x.xlsx is named as xlsx; give a name ending in .csv, or leave out --format\n"),
        (["x.csv", "-f", "xlsx"],
         "caselog: --format xlsx: x.csv is named as csv; give a name ending in .xlsx, or leave out --format\n"),
        (["x.xls"], "caselog: x.xls: caselog writes .xlsx workbooks, not Excel 97-2003 .xls; name it .xlsx\n"),
    ],
)  # fmt: skip
def test_a_name_that_contradicts_the_format_is_refused(cli, args, message):
    result = cli("export", "cases", *args, code=2)
    assert result.stderr == message
    assert not Path(args[0]).exists()


def test_cases_exported_to_xlsx_import_back_the_same(cli):
    cli("export", "cases", "before.csv")
    for what in ("departments", "parties", "cases"):
        cli("export", what, f"{what}.xlsx")
    in_a_new_district(cli, "second.db")
    for what in ("departments", "parties", "cases"):
        shown = cli("import", what, f"{what}.xlsx").stdout
        assert f"{what}.xlsx (sheet caselog):" in shown
    cli("export", "cases", "after.csv")
    assert Path("after.csv").read_bytes() == Path("before.csv").read_bytes()


def test_a_workbook_saved_again_by_a_spreadsheet_imports_the_same(cli):
    """A spreadsheet program saves shared strings, typed cells, and numbers as floats: the same cases."""
    cli("export", "cases", "before.csv")
    cli("export", "cases", "cases.xlsx")
    workbook = load_workbook("cases.xlsx")  # not write-only: shared strings, as Excel and LibreOffice save
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.value = float(cell.value)  # LibreOffice stores every number as a double
    workbook.create_sheet("notes").append(["a second sheet is left alone"])
    workbook.save("saved.xlsx")
    in_a_new_district(cli, "second.db")
    cli("import", "cases", "saved.xlsx", "--create-missing", "departments", "--create-missing", "parties")
    cli("export", "cases", "after.csv")
    assert Path("after.csv").read_bytes() == Path("before.csv").read_bytes()


def department_workbook(path: str, rows: list[list[object]], title: str = "Sheet1") -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(["external_ref", "title", "lead", "party", "opened_at", "key"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_a_departments_workbook_with_typed_cells_imports(cli):
    department_workbook("dept.xlsx", [
        [1001.0, "楼道漏水", "housing", "张伟", datetime(2026, 3, 6, 14, 30), True],
        ["D-2", "噪音扰民", "market", "张伟", datetime(2026, 3, 9), False],
    ])  # fmt: skip
    shown = cli("import", "cases", "dept.xlsx").stdout
    assert "dept.xlsx (sheet Sheet1): 2 rows read; imported 2" in shown
    import json

    cases = {c["external_ref"]: c for c in json.loads(cli("case", "list", "-f", "json").stdout)}
    assert cases["1001"]["opened_at"] == "2026-03-06T14:30:00+08:00" and cases["1001"]["key"] is True
    assert cases["D-2"]["opened_at"] == "2026-03-09T00:00:00+08:00" and cases["D-2"]["lead"] == "market"


def test_a_problem_in_a_workbook_is_placed_at_its_cell_and_nothing_is_written(cli):
    department_workbook("dept.xlsx", [["D-1", "楼道漏水", "nowhere", "张伟", datetime(2026, 3, 6), False]], "收件")
    result = cli("import", "cases", "dept.xlsx", code=2)
    assert result.stderr == (
        "dept.xlsx:收件!C2: no department 'nowhere'; add it first or use --create-missing departments\n"
        "caselog: dept.xlsx: 1 problem(s); nothing was imported\n"
    )
    assert "D-1" not in cli("case", "list", "-f", "csv").stdout


def test_sheet_chooses_a_sheet_and_a_missing_one_is_named(cli):
    workbook = Workbook()
    workbook.active.append(["说明"])
    other = workbook.create_sheet("cases")
    other.append(["external_ref", "title", "lead", "party", "opened_at"])
    other.append(["S-1", "路灯不亮", "market", "张伟", "2026-03-06 09:00"])
    workbook.save("two.xlsx")
    result = cli("import", "cases", "two.xlsx", "--sheet", "nope", code=2)
    assert result.stderr == "caselog: --sheet: two.xlsx has no sheet 'nope' (it has 'Sheet', 'cases')\n"
    cli("import", "cases", "two.xlsx", "--sheet", "cases")
    assert "S-1" in cli("case", "list", "-f", "csv").stdout


def test_a_workbook_or_an_archive_given_as_csv_is_told_what_it_is(cli):
    import gzip

    cli("export", "cases", "cases.xlsx")
    Path("renamed.csv").write_bytes(Path("cases.xlsx").read_bytes())
    result = cli("import", "cases", "renamed.csv", code=2)
    assert result.stderr == (
        "caselog: renamed.csv is an xlsx workbook or another zip archive, not a csv file; import a workbook by its"
        " name ending in .xlsx\n"
    )
    Path("cases.csv.gz").write_bytes(gzip.compress(Path("cases.csv").read_bytes()))
    result = cli("import", "cases", "cases.csv.gz", code=2)
    gunzip = "caselog: cases.csv.gz is compressed with gzip, not a csv file; decompress it first (gunzip)\n"
    assert result.stderr == gunzip


def test_a_peoples_export_reads_in_the_language_with_names_beside_codes(cli):
    cli("--lang", "zh", "export", "cases", "people.xlsx", "--labels")
    workbook = load_workbook("people.xlsx")
    sheet = workbook.active
    rows = list(sheet.values)
    header = rows[0]
    assert "标题" in header and "状态" in header and "主办部门" in header and "主办部门代码" in header
    by_title = {row[header.index("标题")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    leak = by_title["门禁系统失灵"]
    assert leak["主办部门"] == "区市场监管局" and leak["主办部门代码"] == "market"
    assert by_title["=1+1 公式"]["状态"] == "已办结"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}4"
    assert sheet.column_dimensions["A"].width >= 12  # a reference fits its column
    cli("export", "cases", "machine.csv")
    assert Path("machine.csv").read_bytes().startswith(b"\xef\xbb\xbfref,external_ref,title,")  # the default
