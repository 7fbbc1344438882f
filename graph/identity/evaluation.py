"""Clustering and linking quality against a labelled set: pairwise and B-cubed P/R/F1.

Both measures compare two partitions of the same names. Pairwise counts pairs of names put
together; B-cubed averages, per name, the overlap of its predicted and gold clusters (so big
clusters do not dominate). Link precision: of the labelled names the engine linked to ROR,
the share linked to the gold record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["LinkScores", "Scores", "bcubed", "link_scores", "pairwise"]


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def __str__(self) -> str:
        return f"P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f}"


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(gold: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """Pairwise precision/recall/F1 over the names in `gold` (all must be in `predicted`)."""
    names = list(gold)
    joint = Counter((gold[n], predicted[n]) for n in names)
    tp = sum(_pairs(c) for c in joint.values())
    pred_pairs = sum(_pairs(c) for c in Counter(predicted[n] for n in names).values())
    gold_pairs = sum(_pairs(c) for c in Counter(gold[n] for n in names).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return Scores(p, r, _f1(p, r))


def bcubed(gold: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """B-cubed precision/recall/F1 over the names in `gold`."""
    names = list(gold)
    gold_size = Counter(gold[n] for n in names)
    pred_size = Counter(predicted[n] for n in names)
    joint = Counter((gold[n], predicted[n]) for n in names)
    p = sum(joint[(gold[n], predicted[n])] / pred_size[predicted[n]] for n in names) / len(names)
    r = sum(joint[(gold[n], predicted[n])] / gold_size[gold[n]] for n in names) / len(names)
    return Scores(p, r, _f1(p, r))


@dataclass(frozen=True, slots=True)
class LinkScores:
    linked: int  # labelled names the engine linked
    correct: int  # ... to the gold record
    gold_linked: int  # labelled names with a gold record
    wrong: dict[str, tuple[str, str]]  # name -> (predicted, gold)

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold_linked if self.gold_linked else 1.0

    def __str__(self) -> str:
        return (f"precision={self.precision:.4f} ({self.correct}/{self.linked}) "
                f"recall={self.recall:.4f} ({self.correct}/{self.gold_linked})")


def link_scores(gold: Mapping[str, str], predicted: Mapping[str, str | None]) -> LinkScores:
    """Name-level ROR link precision and recall; `gold` maps name -> ROR id or ''."""
    linked = correct = 0
    wrong: dict[str, tuple[str, str]] = {}
    for name, want in gold.items():
        got = predicted.get(name)
        if got:
            linked += 1
            if got == want:
                correct += 1
            else:
                wrong[name] = (got, want)
    gold_linked = sum(1 for v in gold.values() if v)
    return LinkScores(linked, correct, gold_linked, wrong)


def clusters_by_label(labels: Mapping[str, str]) -> dict[str, list[str]]:
    """label -> names, for error listings."""
    out: dict[str, list[str]] = defaultdict(list)
    for name, label in labels.items():
        out[label].append(name)
    return out
