"""The one settings object of ttkg: read from the environment (TTKG_*) with safe defaults.

The HTTP app, the CLI and the backend registry all take a `Settings`; CLI options override
fields of it, nothing reads the environment elsewhere. Neo4j's settings are nested
(`settings.neo4j`, variables TTKG_NEO4J_URI, _USER, _PASSWORD, _DATABASE).

`Settings()` reads the environment as pydantic-settings would (keyword arguments first, then
TTKG_<FIELD> in any case, then the defaults; pydantic converts the strings), in a few lines
here: importing pydantic-settings took ~0.1 s of every `ttkg` command.

>>> s = Settings(backend="neo4j", neo4j=Neo4jSettings(uri="bolt://db:7687", password="pw"))
>>> s.neo4j.uri, s.neo4j.password
('bolt://db:7687', SecretStr('**********'))
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["BackendName", "Neo4jSettings", "Settings"]

BackendName = Literal["memory", "neo4j"]


class FromEnvironment(BaseModel):
    """A model whose fields not given as arguments are read from `env_prefix` + the field's
    name (case-insensitive); a field that is itself a model reads its own prefix."""

    model_config = ConfigDict(extra="ignore")
    env_prefix: ClassVar[str] = "TTKG_"

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**self.environment(), **values})

    @classmethod
    def environment(cls) -> dict[str, str]:
        """The fields this environment sets, as strings."""
        env = {k.upper(): v for k, v in os.environ.items()}
        found: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            value = env.get(f"{cls.env_prefix}{name}".upper())
            nested = isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
            if value is not None and not nested:
                found[name] = value
        return found


class Neo4jSettings(FromEnvironment):
    """Where the Neo4j server is (TTKG_NEO4J_*), defaulting to a local Neo4j 5."""

    env_prefix: ClassVar[str] = "TTKG_NEO4J_"

    uri: str = "bolt://localhost:7687"
    user: str = "neo4j"
    password: SecretStr | None = None
    database: str = "neo4j"

    def password_value(self) -> str | None:
        """The password in clear, for the driver only."""
        return self.password.get_secret_value() if self.password is not None else None


class Settings(FromEnvironment):
    """Everything the HTTP app, the CLI and the backend registry need."""

    backend: BackendName = "memory"
    graph: Path | None = Field(default=None, description="graph directory (memory backend)")
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed by CORS (comma-separated or a JSON list); CORS off when empty",
    )
    max_request_bytes: int = Field(default=16_384, ge=0)
    path_time_budget_s: float = Field(default=5.0, gt=0, le=60)
    workers: int = Field(default=1, ge=1, le=64, description="`ttkg serve` worker processes")
    identity_workers: int | None = Field(
        default=None, ge=1, le=64,
        description="processes of organisation identity in `ttkg build` (default: every core;"
                    " 1 also keeps the build's other steps in one process)",
    )
    themes: Path | None = Field(
        default=None, description="a TOML file of themes laid over the bundled table"
    )
    threads: int | None = Field(
        default=None, ge=1, le=256, description="worker threads (default: 4 embedded, 40 Neo4j)"
    )
    cache_mb: int = Field(
        default=64,
        ge=0,
        le=65_536,
        description="MB of answers the API keeps per process for the graph version it serves "
        "(least recently used out; 0: none, ETags and 304s still)",
    )
    shared_cache: Path | None = Field(
        default=None,
        description="`ttkg serve` with several workers (sets it): the directory of the answers "
        "its worker processes share (api/shared_answers.py; bounded by cache_mb, removed when the "
        "server stops); none: each process keeps its own only",
    )
    warm_up_s: float = Field(
        default=5.0,
        ge=0,
        le=600,
        description="seconds (at most) of generic questions over the graph's own fields and top "
        "organisations that the API over the embedded graph asks itself before it answers "
        "(`ttkg.queries.warm`: a cold process costs about twice the CPU per request); 0: none",
    )
    gc_freeze: bool = Field(
        default=False,
        description="`ttkg serve` (sets it): freeze what exists once the graph is warm out of "
        "the garbage collector's sight (gc.freeze)",
    )
    malloc_arenas: int = Field(
        default=0,
        ge=0,
        le=1024,
        description="`ttkg serve` (sets it to 1): the most glibc malloc arenas of a server "
        "process, set before its query threads start (api/allocator.py); 0: glibc's default",
    )
    watch: float = Field(
        default=0.0,
        ge=0,
        le=3600,
        description="`ttkg serve`: seconds between checks of the graph's CURRENT pointer, to "
        "move to a newly built version (0: only on SIGHUP)",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """TTKG_CORS_ORIGINS may be `https://a.org,https://b.org` as well as a JSON list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [o.strip() for o in text.split(",") if o.strip()]
        return value
