"""Small statistics shared by the analysis modules."""

from __future__ import annotations

import math

Z95 = 1.96  # the two-sided 5% point of the normal distribution


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for count / n; sound for small groups and shares near 0 or 1."""
    if n <= 0:
        return (0.0, 0.0)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))
