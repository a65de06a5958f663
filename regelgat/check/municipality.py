"""Local rules apply only where they were made.

A client of a municipality whose local rules are not encoded is never judged by Amsterdam's
rules: every local rule (local policy, local practice, or a test of the municipality itself)
counts as unknown for them, so a door that rests on one is undetermined, with a notice naming the
municipalities that are encoded. National rules still decide, also inside a local door: a
national criterion that refuses still refuses.
"""

from __future__ import annotations

from regelgat.i18n import N_, translations
from regelgat.rules.compiled import BoundRule, CompiledRules
from regelgat.rules.expressions import facts_read

NOTICE = N_("Local rules are encoded only for {encoded}; the provisions that rest on them are not decided for a "
            "client in {municipality}. National rules still apply.")


def encoded_municipalities(compiled: CompiledRules) -> tuple[str, ...]:
    """The municipalities whose local rules the rulesets encode (their jurisdiction `NL / <municipality>`)."""
    return tuple(sorted({r.spec.jurisdiction.split("/", 1)[1].strip() for r in compiled.rulesets
                         if "/" in r.spec.jurisdiction}))


def is_local(rule: BoundRule, compiled: CompiledRules) -> bool:
    """A local rule: local policy, local practice, or a test of the municipality itself."""
    return rule.rule.kind in ("local_policy", "practice") or any(
        "municipality" in facts_read(compiled.atoms[i]) for i in (rule.condition, rule.when, rule.unless)
        if i is not None)


def outside(municipality: str | None, compiled: CompiledRules) -> bool:
    """Whether the client lives in a municipality whose local rules are not encoded (unknown is not outside;
    rulesets that name no municipality apply anywhere)."""
    encoded = encoded_municipalities(compiled)
    return municipality is not None and bool(encoded) and municipality not in encoded


def unknowable(municipality: str | None, compiled: CompiledRules) -> frozenset[BoundRule]:
    """The rules that cannot decide for a client of MUNICIPALITY: every local rule when it is not encoded."""
    if not outside(municipality, compiled):
        return frozenset()
    return frozenset(r for p in compiled.provisions for r in (*p.criteria, *p.exclusions, *p.requires)
                     if is_local(r, compiled))


def notice(municipality: str | None, compiled: CompiledRules, lang: str = "en") -> str | None:
    """The notice for a client outside the encoded municipalities, in LANG; None inside them."""
    if not outside(municipality, compiled):
        return None
    return translations(lang).gettext(NOTICE).format(
        encoded=", ".join(encoded_municipalities(compiled)), municipality=municipality)
