"""The sensitivity section of a run's reports: each headline figure with the range it takes when
one flagged assumption at a time is turned off, its base, the flags that move it most, and the
reading used. The terminal, report.md and report.html print the same lines, in Dutch or English.
"""

from __future__ import annotations

from regelgat.batch.plain_summary import first_sentence
from regelgat.batch.summary_model import FigureRange, SensitiveFlag, Summary
from regelgat.batch.wording import ENGLISH, Words
from regelgat.i18n import N_

READING = N_("Reading: each flagged assumption is turned off alone. A flagged criterion, exclusion or prerequisite "
             "is not applied. A flagged parameter value takes the parameter's nearest other dated value (the one "
             "before, else the one after) in every rule and amount that reads it; a value with no other date turns "
             "off the rules whose conditions read it. A flag on an amount's formula stays on. Reported practice is "
             "read as in the run. {flags} flags are carried by a rule on the rules date; "
             "{quiet} of them refuse no one here; {staying} more stay on (nothing to put in their place).")


def _flag_words(flag: SensitiveFlag, summary: Summary, w: Words) -> str:
    """A flag in words: the criterion it is on (its provision and first sentence), else the name of the
    parameter or amount, never an id."""
    rule = next((c for c in summary.criteria if c.criterion == flag.item
                 and c.provision.startswith(flag.ruleset + "/")), None)
    if rule is None:
        title = next((r.title for r in summary.rulesets if r.id == flag.ruleset), flag.ruleset)
        return f"{w.rule(title)}: {w.name(flag.item)}"
    return f"{w.rule(rule.provision_title)}: “{first_sentence(w.rule(rule.text))}”"


def _figure(f: FigureRange, w: Words, s, summary: Summary) -> str:
    if f.figure == "any_gap":
        name = w("any gap {value} of all {profiles} profiles")
    elif f.figure == "nothing":
        name = w("qualify for nothing they need {value} of all {profiles} profiles")
    else:
        name = w("{need} gap {value} of the {profiles} profiles who need it")
    head = name.format(need=w.name(f.figure[4:]), value=w.pct(f.value), profiles=w.num(f.profiles))
    spread = w("{low}-{high} across the {flags} flags that decide verdicts").format(
        low=w.pct(f.low), high=w.pct(f.high), flags=s.flags_deciding)
    if not f.most_sensitive:
        return f"{head}; {spread}; " + w("no flag moves it")
    most = "; ".join(f"{_flag_words(m, summary, w)} ({w.pct(m.value)})" for m in f.most_sensitive)
    return f"{head}; {spread}; " + w("most sensitive:") + f" {most}"


def sensitivity_lines(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """One sentence per headline figure, then the reading; none when the run had no --sensitivity."""
    s = summary.sensitivity
    if s is None:
        return []
    lines = [_figure(f, w, s, summary) for f in s.figures]
    lines.append(w(READING).format(flags=s.flags, quiet=s.flags - s.flags_deciding, staying=s.flags_staying_on))
    return lines


def sensitivity_markdown(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """The section of report.md."""
    lines = sensitivity_lines(summary, w)
    if not lines:
        return []
    return ["", "## " + w("How robust the figures are"), ""] + [f"- {line}" for line in lines[:-1]] + \
        ["", lines[-1], ""]
