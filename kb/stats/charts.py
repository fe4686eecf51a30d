"""Charts of the figures as SVG, drawn on the server by pygal (no script in the browser).

The SVG carries its own <title> and <desc> (what it shows and how many cases declare it); the
page always prints the same numbers as a table beside it, the accessible form of the chart."""

from collections.abc import Callable

import pygal
from lxml import etree
from pygal.style import Style

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f23",
    foreground_strong="#1b1f23",
    foreground_subtle="#4a5560",
    colors=("#0b5f4a",),
    font_family='system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    title_font_size=16,
)
ROW = 30  # px per bar of a horizontal chart


def bar_chart(
    *,
    title: str,
    description: str,
    labels: list[str],
    values: list[float],
    formatter: Callable[[float], str],
    horizontal: bool = True,
) -> str:
    """Return a bar chart as a standalone SVG document (bars in the order given)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(
        style=STYLE,
        title=title,
        js=[],  # no tooltips: nothing to run, nothing fetched from another site
        show_legend=False,
        print_values=True,
        value_formatter=formatter,
        width=800,
        height=max(220, 90 + ROW * len(labels)) if horizontal else 420,
        truncate_label=-1,
        x_label_rotation=0 if horizontal or len(labels) < 12 else 60,
        margin=12,
        no_data_text=description,
    )
    # HorizontalBar draws its first bar at the bottom: reverse, so that the biggest is on top.
    order = slice(None, None, -1) if horizontal else slice(None)
    chart.x_labels = labels[order]
    chart.add(title, values[order])
    tree = chart.render_tree()
    return _accessible(tree, title, description)


def _accessible(root: etree._Element, title: str, description: str) -> str:
    """Drop pygal's config script and tooltips; name the picture with a <title> and <desc>.

    (pygal builds its tree without namespaces and writes `xmlns` as an attribute.)"""
    unwanted = [*root.iter("script", etree.Comment), *root.iter("title", "desc")]
    for node in unwanted:
        node.getparent().remove(node)
    head_title = etree.Element("title", id="chart-title")
    head_title.text = title
    desc = etree.Element("desc", id="chart-desc")
    desc.text = description
    root.insert(0, desc)
    root.insert(0, head_title)
    root.set("role", "img")
    root.set("aria-labelledby", "chart-title chart-desc")
    return etree.tostring(root, encoding="unicode")
