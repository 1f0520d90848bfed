"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library, works offline.

Functions return SVG markup (``markupsafe.Markup``) built only from numbers and labels escaped
here, so a company name cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def bar_chart(
    bars: Sequence[tuple[str, int]],
    *,
    target: int | None = None,
    title: str,
    width: int = 640,
    height: int = 220,
    marked: Sequence[bool] = (),
) -> Markup:
    """Vertical bars (label, value), with an optional dashed target line; a bar whose entry in
    ``marked`` is true (a week that fell short of the target) is drawn apart and says so."""
    top = max([v for _, v in bars] + [target or 0, 1])
    left, bottom, pad = 28, 36, 10
    plot_h = height - bottom - pad
    step = (width - left - pad) / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{pad + plot_h}" x2="{width - pad}" y2="{pad + plot_h}" '
        'class="axis"/>',
        f'<text x="{left - 4}" y="{pad + 8}" class="tick" text-anchor="end">{top}</text>',
    ]
    for n, (label, value) in enumerate(bars):
        h = plot_h * value / top
        x = left + n * step + step * 0.15
        w = step * 0.7
        y = pad + plot_h - h
        short = n < len(marked) and marked[n]
        css, note = ("bar missed", f" (below the target of {target})") if short else ("bar", "")
        if short and not h:  # an empty missed week still shows, as a sliver at the axis
            h, y = 2.0, pad + plot_h - 2.0
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" class="{css}">'
            f"<title>{escape(label)}: {value}{escape(note)}</title></rect>"
        )
        if value:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" class="value" '
                f'text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - bottom + 16}" class="tick" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if target:
        y = pad + plot_h - plot_h * target / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" class="target"/>'
            f'<text x="{width - pad}" y="{y - 4:.1f}" class="tick" text-anchor="end">'
            f"target {target}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is a number or escaped


def funnel_chart(stages: Sequence[tuple[str, int]], *, title: str, width: int = 640) -> Markup:
    """Horizontal bars, one per stage, narrowing from the first."""
    row, label_w = 34, 150
    height = row * len(stages) + 8
    top = max([v for _, v in stages] + [1])
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for n, (label, value) in enumerate(stages):
        y = 4 + n * row
        w = (width - label_w - 50) * value / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 20}" class="tick" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" class="bar"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 20}" class="value">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is a number or escaped
