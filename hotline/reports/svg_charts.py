"""Inline SVG charts for the HTML report: no scripts, no fonts or files to fetch.

Each function returns one `<svg>` element as text; every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = 'font-family="sans-serif" font-size="11"'
PALETTE = (
    "#2f6fb3",
    "#4caf50",
    "#e53935",
    "#fb8c00",
    "#8e24aa",
    "#00897b",
    "#6d4c41",
    "#546e7a",
    "#c0ca33",
    "#d81b60",
    "#3949ab",
    "#7cb342",
    "#f4511e",
    "#757575",
)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10.0 ** (len(str(int(value))) - 1)  # 1, 10, 100... by the digits before the point
    for factor in (1, 2, 2.5, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def _label_every(n: int, most: int = 31) -> int:
    """Label every k-th point so that at most `most` labels share the axis."""
    return max(1, -(-n // most))


def _legend(series: Sequence[tuple[str, str]], x: float, y: float) -> str:
    parts = []
    for i, (name, color) in enumerate(series):
        xi = x + i * 120
        parts.append(
            f'<rect x="{xi:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>'
            f'<text x="{xi + 14:.1f}" y="{y:.1f}" {FONT}>{escape(name)}</text>'
        )
    return "".join(parts)


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    width: int = 860,
    height: int = 280,
) -> str:
    """Vertical bars, one per label, stacked by series (name, values, color)."""
    left, right, top, bottom = 50, 10, 40, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s[1][i] for s in series) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    slot = plot_w / max(len(labels), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><text x="{left}" y="16" {FONT} font-weight="bold">'
        f"{escape(title)}</text>",
        _legend([(n, c) for n, _, c in series], left + 260, 16),
    ]
    for k in range(5):
        value = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" {FONT} text-anchor="end">{value:g}</text>'
        )
    every = _label_every(len(labels))
    for i, label in enumerate(labels):
        x = left + i * slot + slot * 0.15
        base: float = top + plot_h
        for name, values, color in series:
            h = plot_h * values[i] / top_value
            if h > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{color}"><title>{escape(label)} {escape(name)}: {values[i]:g}</title></rect>'
                )
            base -= h
        if i % every == 0:
            out.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{height - 12}" {FONT} '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def rate_lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    width: int = 860,
    height: int = 260,
) -> str:
    """Lines of shares 0..1 (None = no calls: a gap), y axis 0-100 %."""
    left, right, top, bottom = 50, 10, 40, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(labels), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><text x="{left}" y="16" {FONT} font-weight="bold">'
        f"{escape(title)}</text>",
        _legend([(n, c) for n, _, c in series], left + 260, 16),
    ]
    for k in range(5):
        y = top + plot_h - plot_h * k / 4
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" {FONT} text-anchor="end">{k * 25}%</text>'
        )
    every = _label_every(len(labels))
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(
                f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - 12}" {FONT} '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for name, values, color in series:
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            x, y = left + (i + 0.5) * slot, top + plot_h - plot_h * max(0.0, min(1.0, v))
            runs[-1].append(f"{x:.1f},{y:.1f}")
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"><title>{escape(labels[i])} '
                f"{escape(name)}: {v * 100:.1f}%</title></circle>"
            )
        out += [
            f'<polyline points="{" ".join(r)}" fill="none" stroke="{color}" stroke-width="2"/>'
            for r in runs
            if len(r) > 1
        ]
    out.append("</svg>")
    return "".join(out)


def share_bars(title: str, items: Sequence[tuple[str, int, float | None]], width: int = 420) -> str:
    """Horizontal bars (label, calls, share 0..1), one line each."""
    row_h, top, left = 22, 28, 130
    height = top + row_h * max(len(items), 1) + 8
    bar_w = width - left - 110
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><text x="0" y="16" {FONT} font-weight="bold">{escape(title)}</text>'
    ]
    if not items:
        out.append(f'<text x="0" y="{top + 14}" {FONT}>无数据</text>')
    for i, (label, calls, share) in enumerate(items):
        y = top + i * row_h
        w = bar_w * (share or 0.0)
        pct = "—" if share is None else f"{share * 100:.1f}%"
        out.append(
            f'<text x="{left - 6}" y="{y + 14}" {FONT} text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="14" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 14}" {FONT}>{calls} ({pct})</text>'
        )
    out.append("</svg>")
    return "".join(out)
