"""The load benchmark's clients ask the steady rate from their start (`load.first_pause`).

Oracle: renewal theory. N clients each pausing a uniform 0.5..1.5 x T between requests ask,
in the steady state, N / T requests per unit of time; a stationary start keeps that rate in
every window from time 0 on. Simulated here with the benchmark's own pause law, requests taking
no time, and counted in windows of T / 4."""

from __future__ import annotations

import random

import pytest

from benchmarks.load import first_pause

CLIENTS = 20_000
THINK = 1.0
WINDOW = THINK / 4


def _arrivals(start: float | None, seed: int = 3) -> list[int]:
    """Requests per window over the first 3 think times."""
    rng = random.Random(seed)
    counts = [0] * 12
    for _ in range(CLIENTS):
        t = first_pause(THINK, rng) if start is None else rng.uniform(0, start)
        while t < 3 * THINK:
            counts[int(t / WINDOW)] += 1
            t += THINK * rng.uniform(0.5, 1.5)
    return counts


def test_first_pause_keeps_the_steady_rate_from_the_start() -> None:
    steady = CLIENTS / THINK * WINDOW  # 5,000 a window
    counts = _arrivals(None)
    # binomial noise on 5,000 is ~1.4 %; 4 % is ~3 standard deviations
    assert counts == pytest.approx([steady] * len(counts), rel=0.04)


def test_a_uniform_start_over_one_think_time_bursts() -> None:
    """What the benchmark did before: a window of its first think time asks ~1.25x."""
    counts = _arrivals(start=THINK)
    assert max(counts[:4]) > 1.2 * CLIENTS / THINK * WINDOW


def test_first_pause_stays_within_one_and_a_half_think_times() -> None:
    rng = random.Random(5)
    pauses = [first_pause(2.0, rng) for _ in range(10_000)]
    assert min(pauses) >= 0.0 and max(pauses) <= 3.0
    # the mean residual E[X^2] / (2 E[X]) of X uniform in 1..3: (1/3 + 4) / 4 = 13 / 12
    assert sum(pauses) / len(pauses) == pytest.approx(2.0 * 13 / 24, rel=0.03)
