"""Two processes changing the same case at once lose nothing: writing commands take the write lock first."""

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_two_processes_noting_the_same_case_lose_no_update(tmp_path):
    env = {**os.environ, "CASELOG_DB": str(tmp_path / "shared.db"), "CASELOG_NOW": "2026-03-02T10:00:00"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "caselog", *args], env=env, capture_output=True, text=True)

    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "张伟", "--kind", "resident")
    assert run("case", "open", "楼道堆物", "--party", "张伟", "--lead", "market").returncode == 0
    script = (
        "import subprocess, sys\n"
        "for n in range(15):\n"
        "    command = [sys.executable, '-m', 'caselog', 'case', 'note', 'C2026-000001', f'{sys.argv[1]}-{n}']\n"
        "    done = subprocess.run(command, capture_output=True, text=True)\n"
        "    assert done.returncode == 0, done.stderr\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, name], env=env) for name in ("a", "b")]
    assert [w.wait(timeout=300) for w in workers] == [0, 0]
    import json

    shown = json.loads(run("case", "show", "C2026-000001", "-f", "json").stdout)
    notes = [e["note"] for e in shown["history"] if e["kind"] == "note"]
    assert sorted(notes) == sorted([f"a-{n}" for n in range(15)] + [f"b-{n}" for n in range(15)])
    check = run("db", "check")
    assert check.returncode == 0 and check.stdout.startswith("ok")
