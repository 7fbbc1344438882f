"""Thresholds and options of the identity engine, with defaults that meet the project targets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ttkg.core.errors import InvalidQueryError

__all__ = ["IdentitySettings"]


@dataclass(frozen=True)
class IdentitySettings:
    """Knobs of `OrganizationResolver`; every threshold is a similarity in [0, 1]."""

    #: Fuzzy merge of two normalised names needs at least this similarity.
    merge_threshold: float = 0.88
    #: Fuzzy merges between this and `merge_threshold` go to the review file, not merged.
    review_threshold: float = 0.80
    #: A fuzzy ROR link needs at least this similarity.
    link_threshold: float = 0.95
    #: Fuzzy ROR links between this and `link_threshold` go to the review file.
    link_review_threshold: float = 0.90
    #: Names shorter than this (in characters, normalised) are only merged/linked exactly.
    min_fuzzy_length: int = 7
    #: Use ROR acronyms for linking (only when unambiguous and the country matches).
    use_acronyms: bool = True
    #: Fuzzy matching on/off (off = normalised exact matching only).
    fuzzy: bool = True
    #: Optional CSV of person-made decisions (see `graph.identity.overrides`).
    overrides_path: Path | None = None
    #: Processes that share the independent steps of `resolve` (forked; None: every core
    #: this process may use, 1: this process alone). The decisions do not depend on it.
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise InvalidQueryError(f"identity workers must be at least 1, not {self.workers}")
