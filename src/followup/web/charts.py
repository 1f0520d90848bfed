"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library, works offline.

Functions return SVG markup (``markupsafe.Markup``) built only from numbers and labels escaped
here, so a company name cannot inject markup.

Labels never overlap: each is measured by a generous estimate of its width (``text_width``);
when the bars are too narrow for every axis label, only every n-th is written (each bar's
tooltip still names it), a label longer than its room is cut with "…" (the whole of it in its
tooltip), and the target's label sits in a margin of its own, right of the bars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from markupsafe import Markup, escape

#: the width of one character of the charts' 11px labels, generously (digits and most letters
#: are narrower): an estimate that errs on the wide side never lets two labels touch
CHAR_WIDTH: Final = 7.0
#: the room kept between two labels side by side
GAP: Final = 6.0


def text_width(text: str) -> float:
    """The estimated width of ``text`` as a chart label."""
    return len(text) * CHAR_WIDTH


def fit(text: str, room: float) -> str:
    """``text`` cut to fit ``room`` with "…" (unchanged when it fits)."""
    if text_width(text) <= room:
        return text
    keep = max(int(room // CHAR_WIDTH) - 1, 1)
    return text[:keep].rstrip() + "…"


def _label(x: float, y: float, text: str, room: float, css: str, anchor: str) -> str:
    """An SVG text of ``text`` cut to ``room``, with the whole of it as its tooltip if cut."""
    shown = fit(text, room)
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">'
        f"{tip}{escape(shown)}</text>"
    )


def label_every(labels: Sequence[str], step: float) -> int:
    """Write every n-th axis label so that none overlaps the next (1: all of them)."""
    widest = max((text_width(t) for t in labels), default=0.0)
    return max(1, math.ceil((widest + GAP) / step)) if step > 0 else 1


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
    target_label = f"target {target}" if target else ""
    left, bottom, pad = 28, 36, 18  # pad: room above the tallest bar for its value
    right = 10 + (text_width(target_label) + GAP if target_label else 0)
    plot_h = height - bottom - pad
    step = (width - left - right) / max(len(bars), 1)
    every = label_every([label for label, _ in bars], step)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{pad + plot_h}" x2="{width - right:.1f}" y2="{pad + plot_h}" '
        'class="axis"/>',
        f'<text x="{left - 4}" y="{pad + 4}" class="tick" text-anchor="end">{top}</text>',
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
        if value and text_width(str(value)) <= step - GAP / 2:  # else the bar's tooltip says it
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y - 4:.1f}" class="value" '
                f'text-anchor="middle">{value}</text>'
            )
        if (len(bars) - 1 - n) % every == 0:  # counted from the last bar: the current week
            parts.append(
                _label(
                    x + w / 2,
                    height - bottom + 16,
                    label,
                    step * every - GAP,
                    "tick",
                    "middle",
                )
            )
    if target:
        y = pad + plot_h - plot_h * target / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right:.1f}" y2="{y:.1f}" '
            'class="target"/>'
            f'<text x="{width - right + GAP:.1f}" y="{y + 4:.1f}" class="tick target-label" '
            f'text-anchor="start">{escape(target_label)}</text>'
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
            _label(label_w - 8, y + 20, label, label_w - 8 - GAP, "tick", "end")
            + f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" class="bar"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 20}" class="value">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is a number or escaped
