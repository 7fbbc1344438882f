"""Where the loader tests' real slices and broken variants live, and a shared check."""

from __future__ import annotations

from pathlib import Path

from ttkg.loaders.report import LoadReport

DATA = Path(__file__).resolve().parents[1] / "data" / "loaders"
PATENTSVIEW = DATA / "patentsview"
BROKEN = DATA / "broken"
ROR = DATA / "ror" / "ror-data-sample.zip"
CPC = DATA / "cpc" / "CPCTitleList202505.zip"
WIPO = DATA / "wipo" / "ipc_technology.csv"


def assert_balanced(report: LoadReport) -> None:
    """Every file's rows are accounted for: read == accepted + rejected."""
    for rep in report.files.values():
        assert rep.read == rep.accepted + rep.rejected, rep
    assert sum(r.rejected for r in report.files.values()) == len(report.rejections)
