"""Schemathesis over the whole OpenAPI document of a running `ttkg serve` (the sample graph):
no server error other than the documented 504, and every response documented (status code,
content type) and matching its schema.

Three kinds of input per operation, each a bounded, derandomized run (fixed seed):
* positive: values valid per the schema (mostly names that match nothing: 404 paths);
* negative: values the schema forbids (422 paths);
* real: valid values with the entity and field parameters replaced by real names, ids and
  codes of the sample, so that the full answers (200) are generated and checked too.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.servers import LiveServer
from ttkg.api.app import create_app
from ttkg.core.settings import Settings

MAX_EXAMPLES = 25
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]

#: Real values of the sample for the parameters that name entities or fields.
ORGS = ["Tsinghua University", "ror:03cve4549", "Samsung Display Co., Ltd.", "SAMSUNG"]
FIELDS = ["Semiconductors", "Optics", "8", "H01L", "H01L21/02", "Electrical engineering"]
ENTITIES = [*ORGS, *FIELDS, "CN", "JPN", "cpc:H01L21/02", "Massachusetts Institute of Technology"]
REAL: dict[str, list[str]] = {
    "entity": ENTITIES,
    "q": ENTITIES,
    "source": ENTITIES,
    "target": ENTITIES,
    "organization": ORGS,
    "field": FIELDS,
    "field_a": FIELDS,
    "field_b": FIELDS,
    # flows and brokers: two ends (fields or themes, or countries and groups)
    "a": [*FIELDS, "AI", "theme:health"],  # plain "health" is also an OpenAlex subfield: a question
    "b": [*FIELDS, "AI", "theme:health"],
    "theme": ["AI", "agriculture,energy", "digital security"],
    "from": ["KR", "OIC", "Asia", "EU27"],
    "to": ["US", "US,CN", "BRICS"],
    "kind": ["university", "company"],
    "partner_kind": ["company", "university,government"],
}

OPERATIONS = sorted(
    (method.upper(), path)
    for path, ops in create_app(Settings()).openapi()["paths"].items()
    for method in ops
)


@pytest.fixture(scope="module")
def live_schema(live_server: LiveServer) -> Any:
    return schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")


#: Parameters that name the two ends of one question: a real request gives both or neither.
PAIRED = (("a", "b"), ("from", "to"), ("field_a", "field_b"), ("source", "target"))


def _with_real_names(case: Case, picks: list[int]) -> Case:
    if case.query is not None:
        for one, other in PAIRED:
            if (one in case.query) != (other in case.query):
                case.query.setdefault(one, "")
                case.query.setdefault(other, "")
    for i, (name, values) in enumerate(sorted(REAL.items())):
        for params in (case.path_parameters, case.query):
            if params is not None and name in params:
                params[name] = values[picks[i] % len(values)]
    return case


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative", "real"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_fuzzed_requests_get_documented_answers(
    live_server: LiveServer, live_schema: Any, method: str, path: str, mode: str
) -> None:
    operation = live_schema[path][method]
    generation = GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    picks = st.lists(st.integers(0, 1000), min_size=len(REAL), max_size=len(REAL))

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=generation), picks=picks)
    def run(case: Case, picks: list[int]) -> None:
        if mode == "real":
            case = _with_real_names(case, picks)
        response = case.call(base_url=live_server.url, timeout=60)
        statuses[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 504:
            problems.append(f"{response.status_code} for {case.as_curl_command()}")
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as exc:  # every failed check, as one exception group
            problems.append(f"{case.as_curl_command()}\n{exc}")

    try:
        run()
    except Unsatisfiable:
        if mode != "negative":
            raise
        pytest.skip(f"{method} {path} takes no parameter that can be made invalid")
    assert not problems, "\n\n".join(problems[:5])
    assert statuses.total() > 0
    if mode == "real":
        assert statuses[200] > 0, f"real names never reached a full answer: {dict(statuses)}"
