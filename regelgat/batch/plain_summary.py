"""The one paragraph that opens every batch report: the headline findings in plain words.

Written from the summary's figures alone, never by hand, so that it cannot drift from the tables
below it: the headline gap, the largest gap by need, the group hit hardest, the clause that shuts
most doors and the perverse incentive, if any. Every percentage names its base ("of the 11,285
who need housing"), because a share without one is what an advocate cannot quote.
"""

from __future__ import annotations

from regelgat.batch.highlights import filters, needs_in
from regelgat.batch.summary_model import NeedRoutes, RouteRule, Summary
from regelgat.batch.wording import ENGLISH, Words, provision_titles

MIN_GROUP = 0.02  # a group label smaller than this share of the population is too small to headline


def plain_summary(summary: Summary, w: Words = ENGLISH) -> str:
    """The paragraph, as plain text: sentences joined by spaces."""
    overall = summary.overall
    sentences = [w("{gap} of the {total} simulated profiles ({share}) have at least one need that no provision "
                   "covers.").format(gap=w.num(overall.any_gap), total=w.num(summary.profiles),
                                     share=w.pct(overall.any_gap_share))]
    needs = [n for n in needs_in(summary) if overall.gap(n)]
    if needs:
        need = max(needs, key=lambda n: (overall.gap(n) / overall.need(n), -needs.index(n)))
        sentences.append(w("The widest gap is in {need}: {gap} of the {needing} who need {need} ({share}) are left "
                           "without.").format(need=w.name(need), gap=w.num(overall.gap(need)),
                                              needing=w.num(overall.need(need)),
                                              share=w.pct(overall.gap(need) / overall.need(need))))
    sentences += _hardest_hit(summary, w) + _top_clause(summary, w) + _perverse(summary, w)
    return " ".join(sentences)


def _hardest_hit(summary: Summary, w: Words) -> list[str]:
    """The group label with the highest share of gaps, among labels big enough to say something."""
    floor = max(1, MIN_GROUP * summary.profiles)
    candidates = [(entry.any_gap_share, -g, -l, group.name, label, entry)
                  for g, group in enumerate(summary.groups) if group.name != "all"
                  for l, label in enumerate(group.labels)
                  for entry in [summary.by_group[group.name][label]] if entry.profiles >= floor]
    if not candidates:
        return []
    _, _, _, name, label, entry = max(candidates)
    return [w("Hardest hit are the profiles with {group} “{label}”: {gap} of the {size} in that group ({share}) "
              "have a need that nothing covers.").format(group=w.name(name), label=w.label(label),
                                                          gap=w.num(entry.any_gap), size=w.num(entry.profiles),
                                                          share=w.pct(entry.any_gap_share))]


def _top_clause(summary: Summary, w: Words) -> list[str]:
    """The criterion that refuses most of those its provision is meant for (highlights.filters)."""
    ranked = filters(summary)
    if not ranked:
        return []
    top = ranked[0]
    return [w("The clause that shuts most doors is “{text}” ({provision}): it refused {count} of the "
              "{base} who needed that provision and are the people it is meant for ({share}).").format(
        text=first_sentence(w.rule(top.text)), provision=w.rule(top.provision_title),
        count=w.num(top.count_in_scope), base=w.num(top.in_scope), share=w.pct(top.share_of_in_scope))]


def _perverse(summary: Summary, w: Words) -> list[str]:
    """The need whose gap cases most often get out only by getting worse, and the rule behind it."""
    if summary.routes is None:
        return []
    harmful = [r for r in summary.routes if r.nearest.get("harmful")]
    if not harmful:
        return [w("No gap case needs to get worse to get out: each has a nearest way out that is not harmful.")]
    worst = max(harmful, key=lambda r: (r.harmful_share, r.nearest["harmful"], r.need))
    sentence = w("The rules reward getting worse: for {count} of the {cases} left without {need} ({share}), the "
                 "nearest way out is harmful.").format(count=w.num(worst.nearest["harmful"]),
                                                       cases=w.num(worst.gap_cases), need=w.name(worst.need),
                                                       share=w.pct(worst.harmful_share))
    rule = _perverse_rule(summary, worst)
    if rule is None:
        return [sentence]
    return [sentence, w("The rule behind it: “{text}” ({provision}).").format(
        text=first_sentence(w.rule(rule.text)), provision=w.rule(provision_titles(summary).get(rule.provision,
                                                                                               rule.provision)))]


def _perverse_rule(summary: Summary, routes: NeedRoutes) -> RouteRule | None:
    """Of the rules that only a harmful change passes in the examples, the one that refuses the most people
    it is meant for: a rule naming who a provision is for says the door is not theirs, not that it rewards
    getting worse."""
    counts = {(c.provision, c.criterion): c.count_in_scope for c in filters(summary)}
    rules = {(r.provision, r.criterion): r for example in routes.examples for r in example.rules
             if (r.provision, r.criterion) in counts}
    if not rules:
        return None
    return rules[max(rules, key=lambda key: (counts[key], key))]


def first_sentence(text: str) -> str:
    """The first sentence of a rule's text, enough to name it in a summary (the tables quote it whole)."""
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]
