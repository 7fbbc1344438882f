"""The Python API, for notebooks and scripts: `ttkg.open()` and a `KnowledgeGraph` whose
methods are the queries, with the same names and options as the CLI and the HTTP API and the
same typed results (each with `.rows()` and `.to_frame()`).

    >>> import ttkg
    >>> g = ttkg.open()                     # the graph `ttkg build` wrote ($TTKG_GRAPH)
    >>> r = g.bridges("Semiconductors", "Optics", kind="university", limit=2)
    >>> r.field_a.name, r.field_b.name
    ('Semiconductors', 'Optics')
    >>> [d.organization.name for d in r.direct]
    ['Massachusetts Institute of Technology', 'University of California System']
    >>> r.to_frame()[["bridge", "organization_name", "count_a", "count_b"]].head(1)
       bridge                       organization_name  count_a  count_b
    0  direct  Massachusetts Institute of Technology       28       25
    >>> g.close()

A Neo4j server instead: `ttkg.open(backend="neo4j", uri="bolt://...", password="...")`, or
the TTKG_NEO4J_* variables; the answers are the same.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ttkg.core.model import NodeLabel
from ttkg.core.settings import BackendName, Neo4jSettings, Settings
from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.backends.registry import open_backend
from ttkg.queries.bridges import bridges
from ttkg.queries.brokers import BrokersResult, brokers
from ttkg.queries.common import DEFAULT_EVIDENCE, DEFAULT_HOPS, Values, make_filters
from ttkg.queries.entity import EntityDetail, entity_detail
from ttkg.queries.flows import FLOW_SIDES, FlowsResult, flows
from ttkg.queries.models import (
    BridgesResult,
    FieldProfile,
    PartnersResult,
    PathsResult,
    SearchResult,
)
from ttkg.queries.partners import partners
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import search
from ttkg.queries.themes import ThemeTable, default_themes, load_themes

__all__ = ["KnowledgeGraph", "open"]



def open(  # the name researchers expect (`ttkg.open()`, like `io.open`)
    graph: str | Path | None = None,
    *,
    backend: BackendName | None = None,
    settings: Settings | None = None,
    themes: str | Path | None = None,
    **neo4j: Any,
) -> KnowledgeGraph:
    """Open a built graph: the default graph folder, a folder given as `graph`, or with
    `backend="neo4j"` the server that `uri`, `user`, `password`, `database` (or the
    TTKG_NEO4J_* variables) name. `settings` gives everything at once; `themes` (or
    TTKG_THEMES) a TOML file of themes laid over the bundled table."""
    settings = settings or Settings()
    update: dict[str, Any] = {}
    if graph is not None:
        update["graph"] = Path(graph)
    if backend is not None:
        update["backend"] = backend
    if neo4j:
        update["neo4j"] = Neo4jSettings(**neo4j)
    chosen = settings.model_copy(update=update)
    table = load_themes(themes or chosen.themes) if (themes or chosen.themes) else None
    return KnowledgeGraph(open_backend(chosen), themes=table)


class KnowledgeGraph:
    """One open graph and the questions it answers. Use it as a context manager, or call
    `close()`; years are written as in the CLI (`"2010-2020"`, `"2015-"`, `"2018"`)."""

    def __init__(self, backend: GraphBackend, *, themes: ThemeTable | None = None) -> None:
        self.backend = backend
        self.themes = themes or default_themes()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the backend (memory or connections)."""
        self.backend.close()

    def stats(self) -> dict[str, dict[str, int]]:
        """Node and edge counts by label and type."""
        return {"nodes": self.backend.node_counts(), "edges": self.backend.edge_counts()}

    def coverage(self) -> dict[str, Any]:
        """What the graph covers: patents' first and last grant dates, whether the last
        year is partial, and each source's release as its data states it."""
        m = self.backend.manifest()
        releases = {k: v.get("release") for k, v in m.get("sources", {}).items()}
        return {**m.get("coverage", {}), "releases": releases}

    def manifest(self) -> dict[str, Any]:
        """The build manifest: sources with releases and licences, counts, build time."""
        return self.backend.manifest()

    def search(
        self, text: str, *, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> SearchResult:
        """Entities by name (exact, prefix, fuzzy), id, ROR id, patent number, CPC symbol or
        ISO code."""
        return search(self.backend, text, labels, limit)

    def entity(self, text: str, *, limit: int = 25) -> EntityDetail:
        """One entity with its properties and neighbours."""
        return entity_detail(self.backend, text, limit=limit)

    def bridges(
        self,
        field_a: str,
        field_b: str,
        *,
        years: str | None = None,
        country: Values = None,
        kind: Values = None,
        partner_country: Values = None,
        partner_kind: Values = None,
        level: str = "organization",
        min_evidence: int = 1,
        limit: int = 10,
        offset: int = 0,
        evidence: int = DEFAULT_EVIDENCE,
        by_year: bool = False,
    ) -> BridgesResult:
        """Organisations and partnerships connecting two fields, with evidence
        (`level="family"`: families instead of organisations). A field is a technology field
        (WIPO field or sector, CPC symbol) or an OpenAlex research field (domain, field,
        subfield or topic, by name or id such as `openalex:field:25`), whose works count (by
        publication year) and whose partnerships are co-authorships; or a theme (`"AI"`) or
        several fields or themes at once (`"H01L,Optics"`), counted as their union.
        `by_year=True`: each bridge's and partnership's counted patents per grant year
        (technology fields)."""
        return bridges(
            self.backend,
            field_a,
            field_b,
            make_filters(years, country, kind, partner_country, partner_kind, level),
            min_evidence=min_evidence,
            limit=limit,
            offset=offset,
            evidence=evidence,
            by_year=by_year,
            themes=self.themes,
        )

    def paths(
        self,
        source: str,
        target: str,
        *,
        max_hops: int = DEFAULT_HOPS,
        via: str | Collection[str] | None = None,
        k: int = 3,
        time_budget: float = 10.0,
        evidence: int = DEFAULT_EVIDENCE,
        level: str = "organization",
    ) -> PathsResult:
        """The k best paths between two entities, each hop with its evidence (`level="family"`:
        each family contracted into its head)."""
        return paths(
            self.backend,
            source,
            target,
            max_hops=max_hops,
            via=via,
            k=k,
            time_budget=time_budget,
            evidence=evidence,
            level=level,
        )

    def partners(
        self,
        organization: str,
        *,
        field: str | None = None,
        years: str | None = None,
        partner_country: Values = None,
        partner_kind: Values = None,
        level: str = "organization",
        limit: int = 20,
        offset: int = 0,
        evidence: int = DEFAULT_EVIDENCE,
    ) -> PartnersResult:
        """Co-owners of an organisation, with their co-owned patents (`level="family"`: the
        other families co-owning with its family); `field` may be a theme or several fields."""
        return partners(
            self.backend,
            organization,
            field,
            make_filters(
                years, partner_country=partner_country, partner_kind=partner_kind, level=level
            ),
            limit=limit,
            offset=offset,
            evidence=evidence,
            themes=self.themes,
        )

    def profile(
        self,
        field: str,
        *,
        years: str | None = None,
        country: Values = None,
        kind: Values = None,
        level: str = "organization",
        limit: int = 10,
        by_year: bool = False,
    ) -> FieldProfile:
        """Top organisations (or families, `level="family"`) and countries of a field, and the
        fields it co-occurs with (a theme or several fields: their union); `by_year=True`: its
        patents per grant year."""
        return field_profile(
            self.backend, field, make_filters(years, country, kind, level=level), limit=limit,
            by_year=by_year, themes=self.themes,
        )

    def flows(
        self,
        origin: Values = None,
        destination: Values = None,
        *,
        kind: Values = None,
        partner_kind: Values = None,
        field: Values = None,
        theme: Values = None,
        years: str | None = None,
        by_year: bool = False,
        limit: int = 10,
        evidence: int = DEFAULT_EVIDENCE,
    ) -> FlowsResult:
        """Co-owned patents between an origin and a destination (countries or groups such as
        "OIC", "US,CN"), per country pair, field or theme and year (the CLI's `--from`,
        `--to`), with the organisation pairs that carry them."""
        filters = make_filters(years, origin, kind, destination, partner_kind, sides=FLOW_SIDES)
        return flows(self.backend, filters, field, theme, themes=self.themes, by_year=by_year,
                     limit=limit, evidence=evidence)

    def brokers(
        self,
        a: Values = None,
        b: Values = None,
        *,
        origin: Values = None,
        destination: Values = None,
        kind: Values = None,
        partner_kind: Values = None,
        field: Values = None,
        theme: Values = None,
        years: str | None = None,
        limit: int = 10,
        evidence: int = DEFAULT_EVIDENCE,
    ) -> BrokersResult:
        """Organisations bridging two fields or themes (a, b), or two countries or groups
        (origin, destination), ranked by brokerage on the co-ownership network, each with a
        path through it and the patents of every hop."""
        filters = make_filters(years, origin, kind, destination, partner_kind, sides=FLOW_SIDES)
        return brokers(self.backend, a, b, filters, fields=field, theme=theme,
                       themes=self.themes, limit=limit, evidence=evidence)
