"""Person-made decisions fed back into the engine, and the review file that invites them.

One CSV layout serves both. Columns: `action,name,target` (+ optional `note`); a review file
also has `decision,score,reason`. Actions:

* `merge`    name and target (another raw name) are one organisation;
* `split`    name and target are different organisations, whatever the names suggest;
* `link`     name's organisation is ROR record target (https://ror.org/...);
* `unlink`   name's organisation is not ROR record target (empty target: not any record);
* `acts_for` name's organisation acts for ROR record target.

In a review file a row counts only when a person filled `decision`: yes/y/accept/1 applies
the action, no/n/reject/0 applies its opposite (merge <-> split, link -> unlink), empty
leaves the engine's own decision in place.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ttkg.core.errors import InputError

__all__ = ["ACTIONS", "Overrides", "ReviewRow", "read_overrides", "write_review"]

ACTIONS: Final = frozenset({"merge", "split", "link", "unlink", "acts_for"})
_YES: Final = frozenset({"yes", "y", "accept", "accepted", "1", "true"})
_NO: Final = frozenset({"no", "n", "reject", "rejected", "0", "false"})
_OPPOSITE: Final = {"merge": "split", "split": "merge", "link": "unlink", "unlink": "link"}
REVIEW_COLUMNS: Final = ("decision", "action", "name", "target", "score", "reason")


@dataclass
class Overrides:
    """Decisions by a person; names are raw assignee strings."""

    merge: list[tuple[str, str]] = field(default_factory=list)
    split: list[tuple[str, str]] = field(default_factory=list)
    link: dict[str, str] = field(default_factory=dict)
    unlink: dict[str, set[str]] = field(default_factory=dict)  # empty set: no link at all
    acts_for: dict[str, str] = field(default_factory=dict)

    def add(self, action: str, name: str, target: str) -> None:
        if action == "merge":
            self.merge.append((name, target))
        elif action == "split":
            self.split.append((name, target))
        elif action == "link":
            self.link[name] = target
        elif action == "unlink":
            self.unlink.setdefault(name, set())
            if target:
                self.unlink[name].add(target)
        elif action == "acts_for":
            self.acts_for[name] = target

    def names(self) -> set[str]:
        """Every raw name a decision names (both names of a merge or split)."""
        out = {n for pair in (*self.merge, *self.split) for n in pair}
        return out | set(self.link) | set(self.unlink) | set(self.acts_for)

    def counts(self) -> dict[str, int]:
        """Decisions by action."""
        return {"merge": len(self.merge), "split": len(self.split), "link": len(self.link),
                "unlink": len(self.unlink), "acts_for": len(self.acts_for)}

    def __len__(self) -> int:
        return (len(self.merge) + len(self.split) + len(self.link) + len(self.unlink)
                + len(self.acts_for))


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One borderline decision for a person to confirm or reject."""

    action: str
    name: str
    target: str
    score: float
    reason: str


def read_overrides(path: Path) -> Overrides:
    """Read an overrides file or an edited review file (see module docstring)."""
    out = Overrides()
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(str(path), f"cannot read overrides: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or ())
        missing = {"action", "name", "target"} - fields
        if missing:
            raise InputError(str(path), "missing column(s) " + ", ".join(sorted(missing)),
                             line=1)
        reviewed = "decision" in fields
        for line, row in enumerate(reader, start=2):
            action = (row.get("action") or "").strip().lower()
            name = (row.get("name") or "").strip()
            target = (row.get("target") or "").strip()
            if action not in ACTIONS:
                raise InputError(str(path), f"unknown action {action!r} (expected one of "
                                 + ", ".join(sorted(ACTIONS)) + ")", line=line, field="action")
            if not name:
                raise InputError(str(path), "empty name", line=line, field="name")
            if action in ("merge", "split", "link", "acts_for") and not target:
                raise InputError(str(path), f"{action} needs a target", line=line,
                                 field="target")
            if action in ("link", "acts_for") and not target.startswith("https://ror.org/"):
                raise InputError(str(path), "target must be a ROR id (https://ror.org/...)",
                                 line=line, field="target")
            if reviewed:
                decision = (row.get("decision") or "").strip().lower()
                if not decision:
                    continue
                if decision in _NO:
                    if action not in _OPPOSITE:
                        continue
                    action = _OPPOSITE[action]
                elif decision not in _YES:
                    raise InputError(str(path), f"decision {decision!r} is not yes or no",
                                     line=line, field="decision")
            out.add(action, name, target)
    return out


def write_review(rows: Iterable[ReviewRow], path: Path) -> int:
    """Write borderline decisions for a person: fill `decision` with yes or no, feed back."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REVIEW_COLUMNS)
        for r in rows:
            writer.writerow(("", r.action, r.name, r.target, f"{r.score:.3f}", r.reason))
            n += 1
    return n
