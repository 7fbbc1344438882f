"""Read the Neo4j Browser kit (neo4j/): the GraSS style sheet, the example queries with their
expected results, and the guide's runnable queries with theirs.

`python -m tests.neo4j.kit refresh --uri ... --password ... --database ...` rewrites the
expected results in examples.cypher and guide.html from a server holding the pushed sample
(after a deliberate change to the sample or the build); the test suite checks them.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

KIT = Path(__file__).resolve().parents[2] / "neo4j"
EXPECT = "// expect: "


@dataclass
class KitQuery:
    """A query of the kit and the rows it should give on the bundled sample."""

    where: str  # file and position, for messages
    query: str
    expected: list[dict[str, Any]]


# --- GraSS ------------------------------------------------------------------------------------

_RULE = re.compile(r'\s*([A-Za-z_.]+)\s*\{((?:[^{}"]|"[^"]*")*)\}\s*', re.S)
_DECL = re.compile(r"^\s*([a-z-]+)\s*:\s*(.+?)\s*$")


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Selector -> {property: value}; raises ValueError on anything that is not a GraSS rule
    (selector, braces, `name: value;` declarations)."""
    rules: dict[str, dict[str, str]] = {}
    pos = 0
    while pos < len(text):
        m = _RULE.match(text, pos)
        if m is None:
            if text[pos:].strip():
                raise ValueError(f"GraSS: cannot parse at offset {pos}: {text[pos : pos + 40]!r}")
            break
        selector, body = m.group(1), m.group(2)
        if selector in rules:
            raise ValueError(f"GraSS: selector {selector} twice")
        decls: dict[str, str] = {}
        for part in body.split(";"):
            if not part.strip():
                continue
            d = _DECL.match(part)
            if d is None:
                raise ValueError(f"GraSS: bad declaration in {selector}: {part.strip()!r}")
            decls[d.group(1)] = d.group(2)
        if body.strip() and not body.strip().endswith(";"):
            raise ValueError(f"GraSS: last declaration of {selector} lacks ';'")
        rules[selector] = decls
        pos = m.end()
    return rules


# --- examples.cypher ------------------------------------------------------------------------


def parse_examples(text: str, name: str = "examples.cypher") -> list[KitQuery]:
    """Queries end with ';' at a line end; each is preceded by its `// expect:` line."""
    out: list[KitQuery] = []
    expected: list[dict[str, Any]] | None = None
    lines: list[str] = []
    start = 0
    for no, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(EXPECT.strip()):
            if expected is not None or lines:
                raise ValueError(f"{name}:{no}: expect line before the previous query ended")
            expected = json.loads(stripped[len(EXPECT.strip()) :])
            start = no
            continue
        if stripped.startswith("//") or (not stripped and not lines):
            continue
        lines.append(line)
        if stripped.endswith(";"):
            if expected is None:
                raise ValueError(f"{name}:{no}: query without an `// expect:` line")
            query = "\n".join(lines).strip().rstrip(";")
            out.append(KitQuery(f"{name}:{start}", query, expected))
            expected, lines = None, []
    if lines or expected is not None:
        raise ValueError(f"{name}: last query does not end with ';'")
    return out


# --- guide.html ---------------------------------------------------------------------------------


class _GuideParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.queries: list[tuple[int, str, str | None]] = []
        self.tags: list[str] = []
        self._in: tuple[int, str | None] | None = None
        self._text: list[str] = []
        self.slides = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "slide":
            self.slides += 1
        if tag == "pre" and "runnable" in (a.get("class") or "").split():
            self._in = (self.getpos()[0], a.get("data-expected"))
            self._text = []
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._in is not None:
            line, expected = self._in
            self.queries.append((line, "".join(self._text), expected))
            self._in = None
        if not self.tags or self.tags[-1] != tag:
            open_tag = self.tags[-1] if self.tags else "-"
            raise ValueError(f"guide.html:{self.getpos()[0]}: </{tag}> does not close <{open_tag}>")
        self.tags.pop()

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)


def parse_guide(text: str, name: str = "guide.html") -> tuple[int, list[KitQuery]]:
    """(number of slides, runnable queries with their `data-expected` rows); every tag must be
    closed in order and every runnable query must carry its expected result."""
    p = _GuideParser()
    p.feed(text)
    p.close()
    if p.tags:
        raise ValueError(f"{name}: unclosed tags {p.tags}")
    out = []
    for line, query, expected in p.queries:
        if expected is None:
            raise ValueError(f"{name}:{line}: runnable query without data-expected")
        out.append(KitQuery(f"{name}:{line}", query.strip(), json.loads(expected)))
    return p.slides, out


# --- running and refreshing ------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A result value as JSON holds it (for comparing and writing expectations)."""
    return json.loads(json.dumps(value, default=str))


def run(driver: Any, database: str, query: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(query, database_=database)
    return [plain(dict(r)) for r in records]


def _summary(rows: list[dict[str, Any]]) -> str:
    """The expected result as a line of text for readers of the guide."""
    if not rows:
        return "Expected on the bundled sample: no rows."
    shown = "; ".join(", ".join(f"{k}: {v}" for k, v in r.items()) for r in rows[:5])
    return f"Expected on the bundled sample: {shown}" + (" …" if len(rows) > 5 else "")


def refresh(driver: Any, database: str) -> None:
    """Rewrite the expected results of examples.cypher and guide.html from the server."""
    path = KIT / "examples.cypher"
    text = path.read_text()
    for q in parse_examples(text):
        line_no = int(q.where.rsplit(":", 1)[1])
        lines = text.splitlines(keepends=True)
        rows = run(driver, database, q.query)
        lines[line_no - 1] = EXPECT + json.dumps(rows, ensure_ascii=False) + "\n"
        text = "".join(lines)
    path.write_text(text)

    path = KIT / "guide.html"
    text = path.read_text()
    pre = re.compile(
        r'(<pre class="[^"]*runnable[^"]*") data-expected=(?:\'[^\']*\'|"[^"]*")>(.*?)</pre>'
        r'(\s*<p class="ttkg-note expected">)(.*?)(</p>)',
        re.S,
    )

    def sub(m: re.Match[str]) -> str:
        rows = run(driver, database, html.unescape(m.group(2)).strip())
        attr = html.escape(json.dumps(rows, ensure_ascii=False), quote=True)
        note = html.escape(_summary(rows), quote=False)
        return (
            f'{m.group(1)} data-expected="{attr}">{m.group(2)}</pre>{m.group(3)}{note}{m.group(5)}'
        )

    path.write_text(pre.sub(sub, text))


def main() -> None:
    from neo4j import GraphDatabase

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["refresh"])
    parser.add_argument("--uri", required=True)
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password", required=True)
    parser.add_argument("--database", default="neo4j")
    args = parser.parse_args()
    with GraphDatabase.driver(args.uri, auth=(args.user, args.password)) as driver:
        refresh(driver, args.database)


if __name__ == "__main__":
    main()
