"""Charts of the class report: matplotlib figures as static, deterministic inline SVG.

matplotlib (the book's plotting library) draws them; this module only says what to draw.
The output is a bare ``<svg>`` element to put inside a page:

- deterministic: the SVG backend alone (no pyplot, no global state, no GUI), a fixed
  ``svg.hashsalt`` (the ids of clip paths are hashes), no date or creator in the metadata,
  text kept as ``<text>`` (``svg.fonttype = none``: the page's fonts render it, CJK included);
  the same data gives the same bytes;
- self-contained: no ``<style>``, no metadata block, no external reference; the ids inside one
  chart get the chart's own prefix, so several charts can share a page.

Every label passes through :func:`grader.reports.sanitize.one_line` first.
"""
from __future__ import annotations

import io
import math
import re

from grader.reports import sanitize

BLUE, RED, MUTED, GRID = "#0969da", "#cf222e", "#59636e", "#d8dee4"
FONTS = ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans", "sans-serif"]

_RC = {
    "svg.hashsalt": "dl-grader-class-report", "svg.fonttype": "none", "svg.image_inline": True,
    "font.family": "sans-serif", "font.sans-serif": FONTS, "font.size": 9,
    "axes.edgecolor": "#8c959f", "axes.labelcolor": "#1f2328", "axes.titlesize": 10,
    "xtick.color": MUTED, "ytick.color": MUTED, "axes.spines.top": False,
    "axes.spines.right": False, "axes.axisbelow": True, "path.simplify": False,
}


def _figure(width: float, height: float):
    from matplotlib.figure import Figure
    figure = Figure(figsize=(width, height), dpi=72)
    return figure


def to_svg(figure, prefix: str) -> str:
    """``figure`` as a bare, deterministic ``<svg>`` element whose ids start with ``prefix``."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    out = io.StringIO()
    with matplotlib.rc_context(_RC):
        FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None, "Creator": None,
                                                         "Format": None, "Type": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, flags=re.S)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'(url\(#|href="#)([^")]+)', lambda m: m.group(1) + (
        f"{prefix}-{m.group(2)}" if m.group(2) in ids else m.group(2)), svg)
    return svg.strip() + "\n"


def _style(axes, x_label: str, y_label: str) -> None:
    axes.set_xlabel(sanitize.one_line(x_label))
    axes.set_ylabel(sanitize.one_line(y_label))
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.yaxis.get_major_locator().set_params(integer=True)


def histogram(counts: list[int], labels: list[str], *, x_label: str, y_label: str,
              prefix: str, other: list[int] | None = None, other_label: str = "",
              main_label: str = "") -> str:
    """Columns of ``counts`` (stacked with ``other`` in red when given), one per label."""
    width = min(9.0, max(4.5, 0.32 * len(labels) + 1.5))
    figure = _figure(width, 2.9)
    axes = figure.add_axes((0.1, 0.2, 0.87, 0.72))
    xs = list(range(len(labels)))
    axes.bar(xs, counts, width=0.85, color=BLUE, label=sanitize.one_line(main_label) or None)
    if other is not None and any(other):
        axes.bar(xs, other, width=0.85, bottom=counts, color=RED,
                 label=sanitize.one_line(other_label) or None)
        axes.legend(frameon=False, loc="upper right")
    every = max(1, math.ceil(len(labels) / 16))
    axes.set_xticks(xs[::every], [sanitize.one_line(t, 12) for t in labels[::every]])
    axes.set_xlim(-0.6, len(labels) - 0.4)
    top = max([a + b for a, b in zip(counts, other or [0] * len(counts))] or [0])
    axes.set_ylim(0, max(1, top) * 1.08)
    _style(axes, x_label, y_label)
    return to_svg(figure, prefix)


def score_bins(fractions: list[float]) -> tuple[list[int], list[str]]:
    """Counts of scores (fractions of the maximum) in tenths, full marks apart."""
    counts = [0] * 11
    for f in fractions:
        counts[10 if f >= 1 else min(int(f * 10), 9)] += 1
    return counts, [f"{10 * k}–{10 * k + 9}" for k in range(10)] + ["100"]


def nice_step(span: float, most: int) -> float:
    """The smallest 1/2/2.5/5 x 10^k step that covers ``span`` in at most ``most`` steps."""
    if span <= 0:
        return 1.0
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power
