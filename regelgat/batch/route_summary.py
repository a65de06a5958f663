"""The routes section of a run's summary: per need, how near the way out of its gaps is.

The counts come from the chunks (numpy, batch/route_kinds.py); the examples are searched exactly,
one profile at a time (check/routes.py), after regenerating them from their index.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from regelgat.batch.chunk_stats import Layout
from regelgat.batch.merge import Merger
from regelgat.batch.route_kinds import KINDS
from regelgat.check.single import check_profile
from regelgat.client.profile import NEEDS, without_defaults
from regelgat.population.generate import BLOCK, generate_block
from regelgat.population.profile_columns import materialise


def route_summary(layout: Layout, merger: Merger, by_group: Callable[[int], dict], overall: Callable[[int], int],
                  features: dict[str, int]) -> list[dict[str, Any]]:
    """Per need with gaps: gap cases by the kind of their nearest route, by group, with examples."""
    out = []
    for need in NEEDS:
        nearest = {kind: overall(features[f"route:{need}:{kind}"]) for kind in KINDS}
        cases = sum(nearest.values())
        if not cases:
            continue
        gaps, harmful = by_group(features[f"gap:{need}"]), by_group(features[f"route:{need}:harmful"])
        out.append({"need": need, "gap_cases": cases, "nearest": nearest,
                    "harmful_share": round(nearest["harmful"] / cases, 6),
                    "by_group": {name: {label: {"gap_cases": count, "harmful": harmful[name][label]}
                                        for label, count in labels.items()} for name, labels in gaps.items()},
                    "examples": [_example(layout, need, index) for _, index in merger.route_examples.get(need, [])]})
    return out


def _example(layout: Layout, need: str, index: int) -> dict[str, Any]:
    """A profile regenerated from its index, and its nearest route out of the need's gap, searched exactly."""
    scenario = layout.scenario
    profile = materialise(generate_block(scenario, index // BLOCK), np.array([index % BLOCK]))[0]
    checked = check_profile(profile, layout.engine.compiled)
    search = checked.routes_search()
    routes = search.need(need) if need in checked.result.gaps else []
    rules = search.perverse_rules(routes) if routes and routes[0].kind == "harmful" else []
    return {"profile_id": profile.id, "profile": without_defaults(profile),
            "kind": routes[0].kind if routes else "none",
            "routes": [{"kind": route.kind, "opens": list(route.opens),
                        "changes": [{"fact": c.fact, "to": c.to, "kind": c.kind,
                                     "words": c.words.en.replace("{to}", str(c.to)),
                                     "words_nl": c.words.nl.replace("{to}", str(c.to))} for c in route.changes]}
                       for route in routes[:4]],
            "rules": [{"provision": f"{r.ruleset}/{r.provision}", "criterion": r.rule.id, "text": r.text,
                       "source": {"title": r.rule.source.title, "url": r.rule.source.url}} for r in rules]}
