"""API settings from the environment (TTKG_*), with safe defaults: read-only, CORS off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything `ttkg serve` and `create_app` need."""

    model_config = SettingsConfigDict(env_prefix="TTKG_", extra="ignore")

    backend: Literal["memory", "neo4j"] = "memory"
    graph: Path | None = Field(default=None, description="graph directory (memory backend)")
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: SecretStr | None = None
    neo4j_database: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed by CORS (comma-separated or a JSON list); CORS off when empty",
    )
    max_request_bytes: int = Field(default=16_384, ge=0)
    path_time_budget_s: float = Field(default=5.0, gt=0, le=60)
    threads: int | None = Field(
        default=None, ge=1, le=256, description="worker threads (default: 4 embedded, 40 Neo4j)"
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
