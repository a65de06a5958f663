"""What `regelgat search` says about the profile it found, in Dutch or English: which need falls
through, each door of it with the clause that shut it (provision titles, not ids), and the referral
loop it is caught in. Written as YAML comments above the profile, so the output stays a profile that
`regelgat check` reads; the search's progress goes to stderr in the same language.
"""

from __future__ import annotations

from typing import Callable

import click

from regelgat.client.profile import Profile
from regelgat.i18n import N_, translations
from regelgat.rules.compiled import CompiledRules
from regelgat.rules.translations import RulesetTexts


def progress_printer(lang: str) -> Callable[..., None]:
    """A progress callback for the search: one line on stderr per step, in the reader's language."""
    gettext = translations(lang).gettext

    def show(message: str, **figures) -> None:
        click.echo("search: " + gettext(message).format(**figures), err=True)

    return show


def found_comments(found: Profile, compiled: CompiledRules, needs: tuple[str, ...], loop: bool,
                   texts: RulesetTexts, lang: str) -> list[str]:
    """The comment lines above the profile: the gap (each shut door and its clause) and the loop."""
    from regelgat.check.single import check_profile

    _ = translations(lang).gettext
    result = check_profile(found, compiled).result
    titles = {p.key: texts(p.spec.title) for p in compiled.provisions}
    out = ["# " + _(N_("The simplest profile found for whom nothing covers {needs}.")).format(
        needs=", ".join(_(need.replace("_", " ")) for need in needs))]
    for need in needs:
        out.append("# " + _(N_("{need}: every door is shut:")).format(need=_(need.replace("_", " "))))
        for verdict in result.verdicts:
            if need not in verdict.provision.spec.covers:
                continue
            clause = verdict.deciding[0] if verdict.deciding else None
            if clause is None:
                continue
            if clause.rule.group == "requirement":
                why = _(N_("waits for {waits}, which this person cannot get")).format(
                    waits=_(" or ").join(titles.get(g, g) for g in clause.rule.rule.granters))
            else:
                why = texts.rule(clause.rule)
            out.append(f"#   {titles[verdict.provision.key]}: {' '.join(why.split())}")
    for cycle in result.loops if loop else ():
        out.append("# " + _(N_("Referral loop (each waits for the next): {loop}")).format(
            loop=" -> ".join(titles.get(k, k) for k in (*cycle, cycle[0]))))
    return out
