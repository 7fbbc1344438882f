"""API settings from the environment (TTKG_*), with safe defaults: read-only, CORS off."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    cors_origins: list[str] = Field(default_factory=list, description="CORS off when empty")
    max_request_bytes: int = Field(default=16_384, ge=0)
    path_time_budget_s: float = Field(default=5.0, gt=0, le=60)
