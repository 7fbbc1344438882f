"""Draw the second held-out sample (issue 13, session 5) from a names dump of the shared extract.

Fixed, seeded procedure (documented in ../README.md). The pool is every organisation string of
the extract that is in neither labelled_assignees.csv nor heldout_assignees.csv. Words are the
casefolded alphanumeric runs of a string (not the engine's normaliser, so the sample does not
depend on the code it measures). Four strata are drawn in this order, each from what the earlier
ones left, each seed followed by its neighbourhood (most patent rows first):

* government: seeds matching GOVERNMENT; neighbourhood = strings sharing the seed's first three
  words after 'represented by the' when it has that phrase, else its rarest word;
* university: seeds matching UNIVERSITY; neighbourhood = strings containing the seed's rarest
  word (of 4+ letters, not a generic institution word): boards, foundations, campuses, and the
  firms named after the same place;
* group: seeds whose first word (4+ letters) starts 4 or more pool strings; neighbourhood =
  strings starting with that word (corporate groups, subsidiaries, same-name firms);
* random: seeds uniform over the rest; neighbourhood = strings sharing the first two words (the
  first word alone when it has 6+ letters), as in the first held-out set.

    python sample_heldout2.py NAMES_TSV > heldout2_sample.tsv

The tuning set dev 2 (issue 13, session 5b) is drawn by the same procedure with another seed,
from a pool that also excludes the second held-out set:

    python sample_heldout2.py NAMES_TSV --seed 2613 --exclude heldout2_assignees.csv > dev2.tsv

The tuning set dev 5 (issue 13, session 9) favours the kinds where recall is lost on fresh
strings (`--plan dev5`): the government stratum's pattern matches nothing in the pool any more,
so two strata take its place before the university one, each seed's neighbourhood being that of
a university seed (its rarest word):

* public: seeds matching PUBLIC (states, cities, commonwealths, bureaus, armed forces,
  authorities, federal and public bodies);
* foundation: seeds matching FOUNDATION (foundations, campuses, schools, hospitals, medical
  centres, research institutes);

then fewer university, group and random seeds (PLANS['dev5']).

The tuning set dev 6 (issue 13, session 10; `--plan dev6`) keeps to the kinds where recall is
lost: public bodies, foundations/schools/hospitals, universities, and corporate groups (the
most seeds: a parent, its subsidiaries and renamed companies), no random stratum.

The tuning set dev 7 (issue 13, session 12) is drawn by held-out set 2's own plan again, so its
scores estimate how the rules generalise to strings drawn as held-out set 2's were:

    python sample_heldout2.py NAMES_TSV --seed 7219 --exclude heldout2_assignees.csv \
        dev2_assignees.csv dev3_assignees.csv dev4_assignees.csv dev5_assignees.csv \
        dev6_assignees.csv > dev7.tsv

The third held-out set (issue 13, session 15; never tuned on) is drawn by the same default plan
with a new seed, from a pool that excludes every earlier set:

    python sample_heldout2.py NAMES_TSV --seed 15013 --exclude heldout2_assignees.csv \
        dev2_assignees.csv dev3_assignees.csv dev4_assignees.csv dev5_assignees.csv \
        dev6_assignees.csv dev7_assignees.csv > heldout3.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 1305
PLAN = (("government", 14, 6), ("university", 40, 6), ("group", 16, 6), ("random", 30, 6))
PLANS = {
    "default": PLAN,
    "dev5": (("government", 14, 6), ("public", 10, 6), ("foundation", 20, 6),
             ("university", 30, 6), ("group", 16, 6), ("random", 5, 6)),
    "dev6": (("government", 14, 6), ("public", 4, 6), ("foundation", 8, 6),
             ("university", 8, 6), ("group", 14, 6)),
}
PUBLIC = re.compile(
    r"\bstate of\b|\bcity of\b|county|commonwealth|national laborator|\bbureau\b|\bnavy\b|"
    r"\barmy\b|air force|federal|public|authority", re.I)
FOUNDATION = re.compile(
    r"foundation|campus|school|hospital|medical (?:center|centre)|research institute", re.I)
GOVERNMENT = re.compile(
    r"represented by|secretary|government|ministry|minister|department of|national institutes? "
    r"of|agency|administration|commissariat|council of", re.I)
UNIVERSITY = re.compile(
    r"universit|college|regents|trustees|board of|institute of technology|school of|hospital|"
    r"research foundation|polytechnic|academy", re.I)
_GENERIC_WORDS = (
    "university universities universitat universite universidad college institute institution "
    "technology research foundation board regents trustees school hospital medical center centre "
    "national state academy sciences science corporation company limited incorporated america "
    "united states represented secretary department government republic international "
    "polytechnic industry industrial academic cooperation group holdings health system"
)
GENERIC = frozenset(_GENERIC_WORDS.split(" "))


def words(s: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", s.casefold())


def rarest(s: str, df: Counter[str]) -> str | None:
    cands = [w for w in words(s) if len(w) >= 4 and w not in GENERIC and not w.isdigit()]
    return min(cands, key=lambda w: (df[w], w)) if cands else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names_tsv")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--exclude", nargs="*", default=[],
                        help="further labelled CSVs (in ..) whose strings leave the pool")
    parser.add_argument("--plan", choices=sorted(PLANS), default="default",
                        help="strata and seeds per stratum (dev5, dev6: public bodies and "
                             "foundations first)")
    args = parser.parse_args()
    with open(args.names_tsv, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    taken = set()
    for f in ("labelled_assignees.csv", "heldout_assignees.csv", *args.exclude):
        with (HERE.parent / f).open(encoding="utf-8", newline="") as fh:
            taken |= {r["name"] for r in csv.DictReader(fh)}
    pool = sorted((r for r in rows if r[0] not in taken), key=lambda r: r[0])
    by_count = sorted(pool, key=lambda r: (-int(r[1]), r[0]))
    df: Counter[str] = Counter(w for r in pool for w in set(words(r[0])))
    first: Counter[str] = Counter(words(r[0])[0] for r in pool if words(r[0]))
    rng = random.Random(args.seed)
    chosen: dict[str, str] = {}
    w = csv.writer(sys.stdout, delimiter="\t")
    w.writerow(["name", "count", "assignee_type", "country", "stratum", "seed"])

    def neighbours(stratum: str, seed: str) -> list[list[str]]:
        ws = words(seed)
        if stratum == "government":
            m = re.search(r"represented by (?:the )?(.*)", seed, re.I)
            if m and len(words(m.group(1))) >= 3:
                key = " ".join(words(m.group(1))[:3])
                return [r for r in by_count if key in " ".join(words(r[0]))]
            stratum = "university"
        if stratum in ("university", "public", "foundation"):
            word = rarest(seed, df)
            return [r for r in by_count if word and word in words(r[0])]
        if stratum == "group":
            return [r for r in by_count if words(r[0])[:1] == ws[:1]]
        key = ws[:1] if len(ws[0]) >= 6 else ws[:2]
        return [r for r in by_count if words(r[0])[: len(key)] == key]

    for stratum, seeds, size in PLANS[args.plan]:
        if stratum == "government":
            cands = [r for r in pool if GOVERNMENT.search(r[0])]
        elif stratum == "public":
            cands = [r for r in pool if PUBLIC.search(r[0])]
        elif stratum == "foundation":
            cands = [r for r in pool if FOUNDATION.search(r[0])]
        elif stratum == "university":
            cands = [r for r in pool if UNIVERSITY.search(r[0])]
        elif stratum == "group":
            cands = [r for r in pool if words(r[0]) and len(words(r[0])[0]) >= 4
                     and first[words(r[0])[0]] >= 4]
        else:
            cands = list(pool)
        n = 0
        while n < seeds:
            if all(r[0] in chosen for r in cands):
                break  # the stratum is exhausted (dev 2: held-out 2 took most agencies)
            seed = rng.choice(cands)
            if seed[0] in chosen:
                continue
            n += 1
            near = [r for r in neighbours(stratum, seed[0])
                    if r[0] != seed[0] and r[0] not in chosen]
            group = [seed, *near[: size - 1]]
            for r in group:
                chosen[r[0]] = stratum
                w.writerow([*r, stratum, seed[0]])


if __name__ == "__main__":
    main()
