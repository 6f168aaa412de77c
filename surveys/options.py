"""A question's options and a grid's rows, as stored: each a label with a stable value."""

from __future__ import annotations

from collections.abc import Iterable


def option_list(labels: Iterable[str], prefix: str = "o") -> list[dict[str, str]]:
    """Options from labels, each with a stable value that survives later edits of the label."""
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for label in (label.strip() for label in labels):
        if not label or label.lower() in seen:
            continue
        seen.add(label.lower())
        options.append({"value": f"{prefix}{len(options) + 1}", "label": label})
    return options
