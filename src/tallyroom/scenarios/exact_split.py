"""Splitting an integer total into parts of given weights and bounds, hitting the total exactly."""

from __future__ import annotations

import random
from collections.abc import Sequence


def split_total(
    total: int,
    weights: Sequence[float],
    lower: Sequence[int],
    upper: Sequence[int],
    rng: random.Random,
) -> list[int]:
    """Integers roughly proportional to `weights`, each within its bounds, summing to `total`."""
    if not len(weights) == len(lower) == len(upper):
        raise ValueError("weights and bounds must have the same length")
    if not sum(lower) <= total <= sum(upper):
        raise ValueError(f"total {total} cannot be split within the bounds")
    weight_sum = sum(weights)
    parts = [
        min(high, max(low, int(total * weight / weight_sum)))
        for weight, low, high in zip(weights, lower, upper, strict=True)
    ]
    remainder = total - sum(parts)
    count = len(parts)
    # Rounding and clipping leave a small remainder; spread it one unit at a time over random
    # parts that still have room, so no part drifts far from its proportional share.
    while remainder:
        index = int(rng.random() * count)
        step = 1 if remainder > 0 else -1
        if lower[index] <= parts[index] + step <= upper[index]:
            parts[index] += step
            remainder -= step
    return parts
