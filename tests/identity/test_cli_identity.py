"""`ttkg identity cluster` and `ttkg identity explain` on real names and the ROR slice."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from tests.identity.conftest import DATA
from ttkg.cli.identity_commands import app

ROR = str(DATA / "ror-slice.json")
runner = CliRunner()


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_cluster_writes_one_row_per_id_with_cluster_ror_score_reason(tmp_path: Path) -> None:
    infile = _write(tmp_path / "in.csv", [
        ["id", "name", "country", "assignee_type"],
        ["1", "THE REGENTS OF THE UNIVERSITY OF MICHIGAN", "US", "2"],
        ["2", "University of Michigan", "US", "2"],
        ["3", "Microsft Corporation", "US", "2"],
        ["4", "Microsoft Corporation", "US", "2"],
        ["5", "Research & Business Foundation Sungkyunkwan University", "KR", "3"],
        ["6", "", "KR", "3"],
        ["7", "Samsung Electronics Co., Ltd.", "KOR", "3"],
    ])
    out = tmp_path / "out.csv"
    review = tmp_path / "review.csv"
    result = runner.invoke(app, ["cluster", str(infile), str(out), "--ror", ROR,
                                 "--review", str(review)])
    assert result.exit_code == 0, result.output
    assert "in.csv:7: field 'name': empty name" in result.output
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(next(csv.reader(out.open(encoding="utf-8")))) == [
        "id", "cluster_id", "ror_id", "score", "reason", "family_id"]
    # the university's transfer foundation is in the university's family (ROR: SKKU)
    assert rows["5"]["family_id"] == "ror:04q78tk20" != rows["5"]["cluster_id"]
    assert rows["1"]["family_id"].startswith("ror:")
    assert set(rows) == {"1", "2", "3", "4", "5", "7"}
    assert rows["1"]["cluster_id"] == rows["2"]["cluster_id"] == "ror:00jmfr291"
    assert rows["3"]["cluster_id"] == rows["4"]["cluster_id"] == "ror:00d0nc645"
    assert "microsft" in rows["3"]["reason"] and float(rows["3"]["score"]) < 1.0
    assert rows["5"]["ror_id"] == "" and rows["5"]["cluster_id"].startswith("org:tto")
    assert "acts for https://ror.org/04q78tk20" in rows["5"]["reason"]
    assert rows["7"]["ror_id"] == "https://ror.org/020m7t761"  # KOR read as KR
    assert review.exists()


def test_cluster_refuses_a_file_without_a_name_column(tmp_path: Path) -> None:
    infile = _write(tmp_path / "in.csv", [["id", "label"], ["1", "x"]])
    result = runner.invoke(app, ["cluster", str(infile), str(tmp_path / "o.csv"), "--ror", ROR])
    assert result.exit_code == 1
    assert "in.csv, line 1: missing column(s) name" in result.output


def test_explain_shows_the_decision(tmp_path: Path) -> None:
    result = runner.invoke(app, ["explain", "The John Hopkins University", "--country", "US",
                                 "--ror", ROR])
    assert result.exit_code == 0, result.output
    assert "john hopkins university" in result.output
    assert "https://ror.org/00za53h95" in result.output
    context = _write(tmp_path / "ctx.csv", [["id", "name", "country"],
                                            ["1", "Johns Hopkins University", "US"]])
    result = runner.invoke(app, ["explain", "The John Hopkins University", "--country", "US",
                                 "--context", str(context), "--ror", ROR])
    assert result.exit_code == 0, result.output
    assert "merged:" in result.output and "Johns Hopkins University" in result.output


def test_explain_rejects_a_bad_country() -> None:
    result = runner.invoke(app, ["explain", "Acme", "--country", "XQZ", "--ror", ROR])
    assert result.exit_code != 0
    assert "not a country code" in result.output
