"""A horizontal bar chart as inline SVG: no scripts, fonts or files from elsewhere."""

from __future__ import annotations

from html import escape

from broadcast.report.document import BarChart

_LABEL_WIDTH = 260
_BAR_AREA = 380
_ROW = 28
_TOP = 36


def _value_vi(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def render_svg(chart: BarChart) -> str:
    largest = max((value for _, value in chart.bars), default=0.0) or 1.0
    height = _TOP + _ROW * max(len(chart.bars), 1) + 10
    width = _LABEL_WIDTH + _BAR_AREA + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
        f'font-size="13">',
        f"<title>{escape(chart.title)}</title>",
        f'<text x="0" y="18" font-weight="bold">{escape(chart.title)}</text>',
    ]
    for index, (label, value) in enumerate(chart.bars):
        y = _TOP + index * _ROW
        bar = _BAR_AREA * value / largest
        parts += [
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>',
            f'<rect class="bar" x="{_LABEL_WIDTH}" y="{y}" width="{bar:.1f}" height="20" '
            f'fill="#2f6db5"><title>{escape(label)}: {_value_vi(value)} phút</title></rect>',
            f'<text x="{_LABEL_WIDTH + bar + 6:.1f}" y="{y + 15}">{_value_vi(value)}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)
