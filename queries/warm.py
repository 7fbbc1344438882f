"""Warm a server process before it answers: a short, generic run of the path questions over
the graph's own technology fields and their biggest organisations.

Why: a fresh process answers its first requests at about twice the CPU of later ones (9.1M
synthetic patents, load.py's mix in-process, answer cache off: the first 100 requests 7.3-9.7
ms of CPU each, against 3.9-4.2 ms after 300 other requests had run first). What the first
queries pay for is spread everywhere: the allocator's heap growing, first reads of mapped
index pages, the caches of patent and node rows, per-field arrays made once. A server that
has asked some questions itself starts its real traffic warm.

The questions are the graph's, not any client's: for every WIPO field and sector a profile,
and one of the last decade; bridges between neighbouring fields without a year range, of the
last decade, and of the last decade between companies; the pages of the fields' top
countries; and for the fields' top organisations their entity page, partners, a path to the
next one and a search by name. They go to the query functions directly: nothing lands in the
HTTP answer cache, and no answer is kept. Bounded by a time budget (wall seconds).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from ttkg.core.errors import TtkgError
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import patent_coverage
from ttkg.queries.entity import entity_detail
from ttkg.queries.partners import partners
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import search

__all__ = ["warm_up_queries"]

log = logging.getLogger(__name__)

#: Organisations and countries taken from the top of each field's profile.
_TOP_PER_FIELD = 2


def warm_up_queries(backend: GraphBackend, budget_s: float = 5.0) -> int:
    """Run the generic warm-up questions until done or `budget_s` seconds have passed; the
    number of questions asked. Errors of single questions are logged, never raised.

    >>> import ttkg
    >>> warm_up_queries(ttkg.open().backend, budget_s=30) > 0
    True
    """
    deadline = time.monotonic() + budget_s
    asked = 0

    def ask(question: Callable[[], Any]) -> Any:
        nonlocal asked
        if time.monotonic() > deadline:
            raise _OutOfTime
        asked += 1
        try:
            return question()
        except TtkgError as err:  # a field or name this graph cannot answer: next question
            log.debug("warm-up question skipped: %s", err)
            return None

    try:
        _ask_all(backend, ask)
    except _OutOfTime:
        log.info("warm-up stopped at its budget of %.1f s after %d questions", budget_s, asked)
    return asked


class _OutOfTime(Exception):
    pass


def _ask_all(backend: GraphBackend, ask: Callable[[Callable[[], Any]], Any]) -> None:
    fields = [node_id for node_id, _ in backend.names([NodeLabel.TECHNOLOGY_FIELD])]
    last = patent_coverage(backend).get("last_year")
    recent = Filters(year_from=int(last) - 9, year_to=int(last)) if last else Filters()
    companies = dataclasses.replace(recent, kinds=frozenset({"company"}),
                                    partner_kinds=frozenset({"company"}))
    orgs: dict[str, str] = {}  # the fields' top organisations: id -> name, in field order
    countries: dict[str, None] = {}  # and their top countries
    for field in fields:
        found = ask(partial(field_profile, backend, field))
        ask(partial(field_profile, backend, field, recent))
        for ranked in found.organizations[:_TOP_PER_FIELD] if found else []:
            orgs.setdefault(ranked.entity.id, ranked.entity.name)
        for ranked in found.countries[:_TOP_PER_FIELD] if found else []:
            countries.setdefault(ranked.entity.id)
    for a, b in itertools.pairwise(fields):
        for filters in (Filters(), recent, companies):
            ask(partial(bridges, backend, a, b, filters, evidence=3))
    for country in countries:
        ask(partial(entity_detail, backend, country))
    ids = list(orgs)
    for org, other in zip(ids, ids[1:] + ids[:1], strict=True):
        name = orgs[org]
        ask(partial(entity_detail, backend, org))
        ask(partial(partners, backend, org, evidence=3))
        ask(partial(paths, backend, org, other, k=3, max_hops=4))
        ask(partial(search, backend, name))
        ask(partial(search, backend, name[: max(3, len(name) // 2)]))
