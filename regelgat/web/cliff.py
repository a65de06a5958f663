"""The cliff as a social worker reads it, in Dutch or English: text, an SVG chart, an HTML page.

The chart is plain SVG built here (no plotting library, so it is the same bytes every run and
loads nothing from elsewhere): disposable income against net earnings, the armoedeval shaded
where the marginal effective rate is 100% or more, and a line at every drop naming the provision
and the clause that ends it.
"""

from __future__ import annotations

from html import escape

from rich.console import Console
from rich.text import Text

from regelgat.check.cliff import Cliff, Ending
from regelgat.rules.translations import RulesetTexts
from regelgat.i18n import money, translations

WIDTH, HEIGHT = 760, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 50


def percent(rate: float | None, lang: str) -> str:
    if rate is None:
        return "–"
    text = f"{rate * 100:.0f}%" if abs(rate * 100 - round(rate * 100)) < 0.05 else f"{rate * 100:.1f}%"
    return text.replace(".", ",") if lang == "nl" else text


def _short(title: str) -> str:
    """`Algemene bijstand (general social assistance)` -> `Algemene bijstand`."""
    return title.split(" (")[0]


def ending_line(ending: Ending, texts: RulesetTexts, lang: str) -> str:
    """`Algemene bijstand ends: Participatiewet art. 19 lid 1 a and art. 21 a`."""
    _ = translations(lang).gettext
    return _("{provision} ends: {clause}").format(provision=_short(texts(ending.title)), clause=texts(ending.source))


def _whole(rate: float | None) -> int | None:
    return None if rate is None else round(rate * 100)


def segments(result: Cliff) -> list[tuple[int, int]]:
    """(first, last) point indexes of each run of steps at one marginal rate (to the whole percent,
    so that rounding to cents does not split a run), split at every drop."""
    out: list[tuple[int, int]] = []
    p = result.points
    for i in range(1, len(p)):
        if out and not p[i].ends and _whole(p[i].marginal_rate) == _whole(p[i - 1].marginal_rate):
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def segment_rate(result: Cliff, first: int, last: int) -> float | None:
    """The marginal rate over a whole run: what the household keeps of the earnings it adds."""
    a, b = result.points[first - 1], result.points[last]
    if a.disposable is None or b.disposable is None:
        return None
    return 1 - (b.disposable - a.disposable) / (b.earnings - a.earnings)


def render_text(result: Cliff, texts: RulesetTexts, lang: str, console: Console) -> None:
    """The cliff in a few lines per rate: where the armoedeval is and which clause ends what."""
    _ = translations(lang).gettext
    p = result.points
    console.print(Text(_("Cliff for {profile}").format(profile=result.profile.id), style="bold"),
                  Text(f" ({_('Rules in force on')} {result.date.isoformat()})", style="dim"))
    console.print(_("Net monthly earnings from {start} to {stop} in steps of {step}; everything else as in the "
                    "profile.").format(start=money(result.start, lang), stop=money(p[-1].earnings, lang),
                                       step=money(result.step, lang)))
    if result.gross_factor is None:
        console.print(_("Yearly income for the toeslagen: 12 x the net monthly earnings (the profile gives no "
                        "gross yearly income)."), style="dim")
    else:
        console.print(_("Yearly income for the toeslagen: the profile's gross yearly income per euro of net "
                        "monthly income ({factor}) x the earnings.").format(factor=f"{result.gross_factor:.2f}"),
                      style="dim")
    console.print()
    console.print(Text(_("Disposable income of the household"), style="bold underline"))
    for first, last in segments(result):
        a, b = p[first - 1], p[last]
        line = _("{start} to {stop}: disposable income {before} to {after}, marginal rate {rate}").format(
            start=money(a.earnings, lang), stop=money(b.earnings, lang), before=money(a.disposable, lang),
            after=money(b.disposable, lang), rate=percent(segment_rate(result, first, last), lang))
        trap = any((q.marginal_rate or 0) >= 1 - 1e-9 for q in p[first:last + 1])
        console.print(Text("  " + line, style="red" if trap else ""))
        for ending in b.ends:
            lost = f" (-{money(ending.lost, lang)} {_('a month')})" if ending.lost else ""
            console.print(Text(f"    {ending_line(ending, texts, lang)}{lost}", style="bold"))
    console.print()
    traps = result.traps()
    console.print(Text(_("Armoedeval (marginal rate 100% or more)"), style="bold underline"))
    if not traps:
        console.print("  " + _("none in this range"))
    for start, stop, rate in traps:
        console.print(Text("  " + _("{start} to {stop}: each euro earned more leaves the household no richer "
                                    "(up to {rate})").format(start=money(start, lang), stop=money(stop, lang),
                                                             rate=percent(rate, lang)), style="red"))
    console.print()
    console.print(Text(_("Where a provision ends"), style="bold underline"))
    if not result.endings():
        console.print("  " + _("none in this range"))
    for ending in result.endings():
        console.print(Text(f"  {money(ending.earnings, lang)}: {ending_line(ending, texts, lang)}", style="bold"))
        words = texts.rule(ending.rule) if ending.rule is not None else ending.text
        console.print(f"    {_('Because this no longer holds:')} {words}")
        console.print(Text(f"    {ending.url}", style="cyan"))
    if result.cross_checked:
        console.print()
        console.print(_("Checked with durable_rules at: {points}").format(
            points=", ".join(money(e, lang) for e in result.cross_checked)), style="dim")


def _scale(result: Cliff) -> tuple:
    xs = [p.earnings for p in result.points]
    ys = [p.disposable for p in result.points if p.disposable is not None] or [0.0]
    x0, x1 = xs[0], xs[-1]
    y1 = max(max(ys), x1) * 1.05 or 1.0

    def x(value: float) -> float:
        return round(LEFT + (value - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT), 1)

    def y(value: float) -> float:
        return round(HEIGHT - BOTTOM - value / y1 * (HEIGHT - TOP - BOTTOM), 1)

    return x, y, y1


def _ticks(high: float) -> list[float]:
    raw = high / 5
    unit = next(u for u in (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000,
                            100_000, 250_000, 500_000, 1_000_000) if u >= raw)
    return [unit * k for k in range(int(high // unit) + 1)]


def svg(result: Cliff, texts: RulesetTexts, lang: str) -> str:
    """The chart: disposable income (line), earnings alone (dashed), armoedeval (shaded), drops (marked)."""
    _ = translations(lang).gettext
    x, y, top = _scale(result)
    p = result.points
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" role="img">',
             f'<title>{escape(_("Disposable income of the household against net monthly earnings"))}</title>',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    for start, stop, rate in result.traps():
        parts.append(f'<rect x="{x(start)}" y="{TOP}" width="{round(x(stop) - x(start), 1)}" '
                     f'height="{HEIGHT - TOP - BOTTOM}" fill="#f4b6b6"><title>{escape(_("Armoedeval"))}: '
                     f'{escape(money(start, lang))} – {escape(money(stop, lang))}, {percent(rate, lang)}</title></rect>')
    for tick in _ticks(top):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" stroke="#e3e3e3"/>'
                     f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end">{tick:,.0f}</text>')
    for tick in _ticks(p[-1].earnings - p[0].earnings):
        value = p[0].earnings + tick
        parts.append(f'<text x="{x(value)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{value:,.0f}</text>')
    parts.append(f'<line x1="{x(p[0].earnings)}" y1="{y(p[0].earnings)}" x2="{x(p[-1].earnings)}" '
                 f'y2="{y(p[-1].earnings)}" stroke="#888888" stroke-dasharray="4 4"/>')
    line = " ".join(f"{x(q.earnings)},{y(q.disposable)}" for q in p if q.disposable is not None)
    parts.append(f'<polyline points="{line}" fill="none" stroke="#1f4e9c" stroke-width="2"/>')
    for k, ending in enumerate(result.endings()):
        label, at = escape(ending_line(ending, texts, lang)), x(ending.earnings)
        side = f'x="{at + 4}"' if at < WIDTH / 2 else f'x="{at - 4}" text-anchor="end"'  # text stays inside
        parts.append(f'<line x1="{at}" x2="{at}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
                     f'stroke="#b00020" stroke-dasharray="2 3"><title>{label}</title></line>'
                     f'<text {side} y="{TOP + 12 + 13 * (k % 8)}" fill="#b00020">{label}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
                 f'{escape(_("Net monthly earnings (euros)"))}</text>')
    parts.append(f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2})">'
                 f'{escape(_("Disposable income a month (euros)"))}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def html(result: Cliff, texts: RulesetTexts, lang: str) -> str:
    """A self-contained page: the chart, the armoedeval, the drops with their clauses, every step."""
    _ = translations(lang).gettext
    title = escape(_("Cliff for {profile}").format(profile=result.profile.id))
    rows = "\n".join(
        f"<tr><td>{escape(money(q.earnings, lang))}</td><td>{escape(money(q.disposable, lang))}</td>"
        f"<td>{percent(q.marginal_rate, lang)}</td><td>{escape('; '.join(_short(texts(e.title)) for e in q.ends))}</td></tr>"
        for q in result.points)
    traps = "".join(f"<li>{escape(money(a, lang))} – {escape(money(b, lang))}: {percent(r, lang)}</li>"
                    for a, b, r in result.traps()) or f"<li>{escape(_('none in this range'))}</li>"
    drops = "".join(f'<li>{escape(money(e.earnings, lang))}: <a href="{escape(e.url)}">'
                    f"{escape(ending_line(e, texts, lang))}</a></li>" for e in result.endings()) \
        or f"<li>{escape(_('none in this range'))}</li>"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:1em auto}}td,th{{padding:0 .8em;text-align:right}}</style>
</head><body>
<h1>{title}</h1>
<p>{escape(_('Rules in force on'))} {result.date.isoformat()}</p>
{svg(result, texts, lang)}
<h2>{escape(_('Armoedeval (marginal rate 100% or more)'))}</h2><ul>{traps}</ul>
<h2>{escape(_('Where a provision ends'))}</h2><ul>{drops}</ul>
<h2>{escape(_('Disposable income of the household'))}</h2>
<table><tr><th>{escape(_('earnings'))}</th><th>{escape(_('disposable'))}</th><th>{escape(_('marginal rate'))}</th>
<th>{escape(_('ends'))}</th></tr>
{rows}
</table></body></html>
"""
