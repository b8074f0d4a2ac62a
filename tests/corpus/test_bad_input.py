"""Bad input: one Chinese line naming the file, exit status 2, no traceback, nothing lost."""
from __future__ import annotations

import json

from conftest import run_cli, seed


def _assert_clean_failure(out, path):
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if str(path) in line]
    assert lines, out.stderr
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in line) for line in lines)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    out = run_cli("parse", str(p))
    _assert_clean_failure(out, p)
    assert "空" in out.stderr


def test_binary_garbage(tmp_path):
    p = tmp_path / "garbage.txt"
    p.write_bytes(bytes(range(256)) * 64)
    _assert_clean_failure(run_cli("parse", str(p)), p)


def test_truncated_xlsx(tmp_path):
    import openpyxl

    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["项目名称", "测试项目"])
    wb.save(good)
    data = good.read_bytes()
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    _assert_clean_failure(run_cli("parse", str(bad)), bad)


def test_text_without_indicator_table(tmp_path):
    p = tmp_path / "letter.txt"
    p.write_text("关于做好2025年预算编制工作的通知\n各单位：请按时报送。\n", encoding="utf-8")
    out = run_cli("parse", str(p))
    _assert_clean_failure(out, p)
    assert "没有找到绩效指标表" in out.stderr


def test_malformed_json(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('[{"name": "x", "indicators": [', encoding="utf-8")
    _assert_clean_failure(run_cli("parse", str(p)), p)


def test_good_files_still_read_when_others_fail(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    missing = tmp_path / "missing.docx"
    out = run_cli("parse", str(seed("000")), str(bad), str(missing), "--format", "json")
    assert out.returncode == 2
    assert [f["name"] for f in json.loads(out.stdout)] == ["政务服务业务"]
    assert str(bad) in out.stderr and str(missing) in out.stderr
    assert "Traceback" not in out.stderr


def test_null_fields_in_hand_written_json_read_as_missing(tmp_path):
    p = tmp_path / "filing.json"
    p.write_text(json.dumps({"name": "疫苗及药物", "description": None, "budget": None, "year": 2020,
                             "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "接种人次",
                                             "value": None}]}, ensure_ascii=False), encoding="utf-8")
    out = run_cli("parse", str(p), "--format", "json")
    assert out.returncode == 0, out.stderr
    (f,) = json.loads(out.stdout)
    assert f["description"] == "" and f["budget"] is None
    assert f["indicators"][0]["value"] == ""


def test_parse_table_shows_markup_literally_and_cuts_huge_cells(tmp_path):
    p = tmp_path / "long.json"
    p.write_text(json.dumps([{"name": "[red]项目", "indicators": [
        {"level2": "数量", "name": "[b]名" + "字" * 9000, "value": "1个"}]}], ensure_ascii=False), encoding="utf-8")
    out = run_cli("parse", str(p))
    assert out.returncode == 0, out.stderr
    assert "[red]项目" in out.stdout and "[b]名" in out.stdout
    assert "…" in out.stdout and out.stdout.count("字") < 400
