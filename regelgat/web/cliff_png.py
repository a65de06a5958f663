"""The cliff chart as a PNG, for reports that take images only: the optional extra `regelgat[png]`.

The SVG (web/cliff.py) needs nothing; a raster image needs a renderer, and matplotlib is the
well-kept one. It is optional so that the rules engine does not carry a plotting stack: without
it, `--output FILE.png` is refused with the one line that says how to get it.
"""

from __future__ import annotations

import io

from regelgat.check.cliff import Cliff
from regelgat.io.errors import InputError
from regelgat.rules.translations import RulesetTexts
from regelgat.web.cliff import ending_line
from regelgat.i18n import translations


def png(result: Cliff, texts: RulesetTexts, lang: str) -> bytes:
    """The same chart as the SVG: disposable income, earnings alone, armoedeval shaded, drops marked."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise InputError("", "--output", "a PNG chart needs matplotlib, which is not installed",
                         "pip install 'regelgat[png]', or write the chart as .svg") from None
    _ = translations(lang).gettext
    xs = [p.earnings for p in result.points if p.disposable is not None]
    ys = [p.disposable for p in result.points if p.disposable is not None]
    figure, axes = pyplot.subplots(figsize=(7.6, 4.0), dpi=100)
    try:
        for start, stop, _rate in result.traps():
            axes.axvspan(start, stop, color="#f4b6b6", label=_("Armoedeval"))
        axes.plot([xs[0], xs[-1]], [xs[0], xs[-1]], color="#888888", linestyle="--", linewidth=1)
        axes.plot(xs, ys, color="#1f4e9c", linewidth=2)
        top = max(ys + [xs[-1]]) * 1.05
        for k, ending in enumerate(result.endings()):
            axes.axvline(ending.earnings, color="#b00020", linestyle=":")
            right = ending.earnings > (xs[0] + xs[-1]) / 2
            axes.text(ending.earnings + (-8 if right else 8), top * (0.95 - 0.05 * (k % 8)),
                      ending_line(ending, texts, lang), color="#b00020", fontsize=7, ha="right" if right else "left")
        axes.set_ylim(0, top)
        axes.set_xlabel(_("Net monthly earnings (euros)"))
        axes.set_ylabel(_("Disposable income a month (euros)"))
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", metadata={"Software": None})  # no version stamp: same bytes each run
        return out.getvalue()
    finally:
        pyplot.close(figure)
