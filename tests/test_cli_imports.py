"""The CLI imports what the called command needs and no more: a query from a shell must not
pay for the RDF export, the identity engine, the build or the HTTP server, nor for scipy and
pyarrow.compute when it only reads rows of the mapped index (each a fresh process, as a
user's shell starts one; no timings here, those are in benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ttkg.graph.backends.contract import GraphBackend

#: Never needed by a query on the embedded backend.
NOT_FOR_QUERIES = (
    "rdflib",
    "ttkg.graph.rdf",
    "ttkg.graph.identity",
    "ttkg.graph.build",
    "ttkg.loaders",
    "ttkg.api",
    "fastapi",
    "uvicorn",
    "networkx",
    "igraph",
    "neo4j",
    "pydantic_settings",
    # the answer is read from memory-mapped arrays and Arrow tables: no data frames, and no
    # datasets layer over the Parquet files
    "pandas",
    "pyarrow.dataset",
)
#: Not needed to open the mapped index and answer bridges, partners, profiles, paths and
#: searches over WIPO fields and organisations: they read rows of the stored CSR arrays; scipy
#: is imported by the queries that multiply matrices (a CPC selection, a year filter).
NOT_FOR_ROW_READS = ("scipy", "pyarrow.compute")
#: Not needed to parse a command line (the backend imports them when it opens the graph).
NOT_FOR_PARSING = (*NOT_FOR_QUERIES, "numpy", "scipy", "pyarrow", "rapidfuzz")

RUN = """
import json, sys
from ttkg.cli.main import main
codes = []
for args in json.loads(sys.argv[1]):
    sys.argv = ["ttkg", *args]
    try:
        main()
    except SystemExit as exc:
        codes.append(exc.code)
    else:
        codes.append(0)
code = next((c for c in codes if c), 0)
print("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _run(*commands: list[str]) -> tuple[int, str, set[str], str]:
    """Run the CLI with each command's args in turn, in one new interpreter: the first
    non-zero exit code (else 0), the output, the modules imported by them all."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output, _, tail = done.stdout.rpartition("\nMODULES ")
    assert tail, done.stderr
    report = json.loads(tail)
    return report["code"], output, set(report["modules"]), done.stderr


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_importing_the_cli_imports_no_command_module_and_no_data_library() -> None:
    code = "import json, sys, ttkg.cli.main; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    assert _loaded(modules, NOT_FOR_PARSING) == []
    # the modules of the sub-commands (identity, neo4j, export, science, flows, brokers) wait
    assert {m for m in modules if m.startswith("ttkg.cli.")} == {
        "ttkg.cli.main",
        "ttkg.cli.options",
        "ttkg.cli.render",
    }


def test_a_query_imports_what_it_needs_and_rebuilds_nothing(
    sample_graph: Path, memory_backend: GraphBackend
) -> None:
    code, output, modules, stderr = _run(
        ["query", "bridges", "Semiconductors", "Optics", "--kind", "university",
         "--partner-kind", "company", "--limit", "2", "--format", "json",
         "--graph", str(sample_graph)]
    )  # fmt: skip
    assert code == 0, stderr
    body = json.loads(output)
    assert body["field_a"]["name"] == "Semiconductors" and body["direct"]
    assert _loaded(modules, NOT_FOR_QUERIES) == []
    assert _loaded(modules, NOT_FOR_ROW_READS) == []
    assert _loaded(modules, ("rapidfuzz",)) == []  # exact names: no fuzzy matching
    # the serving index is mapped as built, nothing computed again (the backend warns when it
    # has to compute it)
    assert stderr == ""


def test_partners_profile_paths_and_search_read_rows_without_scipy(sample_graph: Path) -> None:
    graph = ["--graph", str(sample_graph)]
    code, output, modules, stderr = _run(
        ["query", "partners", "Tsinghua University", "--limit", "3", *graph],
        ["query", "profile", "Semiconductors", "--kind", "university", "--limit", "3", *graph],
        ["query", "paths", "Tsinghua University", "Hon Hai Precision Industry Co., Ltd.", *graph],
        ["search", "universit", *graph],
    )
    assert code == 0, stderr
    assert "Hon Hai Precision" in output and "Path 1" in output
    assert _loaded(modules, NOT_FOR_QUERIES) == []
    assert _loaded(modules, NOT_FOR_ROW_READS) == []


def test_a_stored_subclass_profile_reads_its_counts_without_scipy(sample_graph: Path) -> None:
    """A CPC subclass's profile sums its stored counts (`sc.*`): no sparse product, so
    scipy (0.1-0.3 s to import) is never imported."""
    code, output, modules, stderr = _run(
        ["query", "profile", "H01L", "--limit", "3", "--format", "json",
         "--graph", str(sample_graph)]
    )  # fmt: skip
    assert code == 0, stderr
    answer = json.loads(output)
    assert answer["organizations"] and answer["countries"] and answer["patents"] > 0
    assert "scipy.sparse" not in modules


def test_a_product_of_matrices_imports_scipy_when_asked(sample_graph: Path) -> None:
    """The other side: a union of CPC subclasses (a single one is stored, `sc.*`) counts
    patents per organisation and country with sparse products, which import scipy on first
    use."""
    code, output, modules, stderr = _run(
        ["query", "profile", "H01L,G06F", "--limit", "3", "--format", "json",
         "--graph", str(sample_graph)]
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(output)["organizations"]
    assert "scipy.sparse" in modules


def test_a_lazy_sub_command_is_imported_when_called() -> None:
    code, output, modules, stderr = _run(["export", "rdf", "--help"])
    assert code == 0, stderr
    assert "Output file" in output
    assert "ttkg.cli.rdf_commands" in modules
    assert "ttkg.cli.identity_commands" not in modules
