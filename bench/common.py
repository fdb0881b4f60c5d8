"""What the harnesses' drivers (bench/*/bench.py) share: reading a program's JSON lines and
formatting the figures of the tables."""

import json
import statistics


def json_lines(text):
    """The JSON objects among a program's output lines (other lines are ignored)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def median(values):
    """The median of the values that are not None, or None."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def sig(x):
    """Three significant figures, thousands grouped."""
    if x is None:
        return "—"
    if isinstance(x, int) or (abs(x) >= 100 and float(x).is_integer()):
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"
