"""The columnar reader gives exactly the rows, line numbers, values and rejections of the
reference (csv module) reader, on the real slices and on every broken variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loaders.slices import BROKEN, PATENTSVIEW
from ttkg.core.errors import InputError
from ttkg.loaders import columnar, patentsview
from ttkg.loaders.columnar import Rows, read_columns
from ttkg.loaders.report import LoadReport
from ttkg.loaders.tabular import read_rows

SPECS = {
    "g_patent": patentsview._PATENT_COLUMNS,
    "g_assignee": patentsview._ASSIGNEE_COLUMNS,
    "g_cpc_current": patentsview._CPC_COLUMNS,
    "g_inventor": patentsview._INVENTOR_COLUMNS,
    "g_location": patentsview._LOCATION_COLUMNS,
}
TABLES = sorted(
    p for p in [*PATENTSVIEW.glob("g_*"), *BROKEN.glob("*/g_*")]
    if any(p.name.startswith(k) for k in SPECS)
)


def _spec(path: Path) -> tuple:  # type: ignore[type-arg]
    return next(v for k, v in SPECS.items() if path.name.startswith(k))


def _as_rows(rows: Rows) -> list[tuple[int, list[str | None]]]:
    cols = [c.pylist() for c in rows.columns]
    return list(zip(rows.lines().tolist(), [list(v) for v in zip(*cols, strict=True)],
                    strict=True)) if cols else []


@pytest.mark.parametrize("path", TABLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_columnar_reader_equals_the_reference_reader(path: Path) -> None:
    ref_report, new_report = LoadReport(), LoadReport()
    try:
        expected = list(read_rows(path, _spec(path), ref_report))
    except InputError as exc:
        with pytest.raises(InputError) as got:
            read_columns(path, _spec(path), new_report)
        assert str(got.value) == str(exc)
        return
    rows = read_columns(path, _spec(path), new_report)
    assert _as_rows(rows) == expected
    assert rows.rejected == ref_report.rejections
    assert new_report.file(path.name).read == ref_report.file(path.name).read


@pytest.mark.parametrize("path", TABLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_arrow_path_is_taken_only_when_rows_are_lines(path: Path) -> None:
    """Arrow reads a file only when each line after the header is one well-formed row (it
    reads the published slices but the assignees' and locations', which hold a line break)."""
    report = LoadReport()
    try:
        lines = [line for line, _ in read_rows(path, _spec(path), report)]
    except InputError:
        return
    aligned = lines == list(range(2, len(lines) + 2)) and not report.rejections
    try:
        fast = columnar._arrow_rows(path, _spec(path), "\t", (".tsv",))
    except Exception:  # the reader's other way of saying no
        fast = None
    if fast is not None:  # never when a row is not its own line
        assert aligned
    if path.parent == PATENTSVIEW:  # the published slices are read by Arrow
        assert (fast is not None) == (not path.name.startswith(("g_assignee", "g_location")))
