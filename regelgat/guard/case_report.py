"""The report of a case, the same in `regelgat test` and in pytest: the file and line, expected
against actual, and every criterion of the provisions concerned with its status and legal source.
"""

from __future__ import annotations

from regelgat.check.single import Checked
from regelgat.guard.cases import CaseResult, describe_outcome, list_text
from regelgat.io.paths import shown_path
from regelgat.rules.verdicts import Reason, Verdict, requirement_text


_STATUS = {"pass": "pass", "fail": "FAIL", "not_applicable": "n/a", "unknown": "UNKNOWN"}


def format_result(result: CaseResult, all_provisions: bool = False) -> str:
    """The report of one case: a header, then expected against actual, then the criteria."""
    case = result.case
    head = f"{'PASS' if result.passed else 'FAIL'} {case.where}: {case.name}"
    if result.error is not None:
        return f"{head}\n  error: {result.error}"
    if result.passed and not all_provisions:
        return head
    checked = result.checked
    assert checked is not None
    lines = [head]
    profile = f"profile {checked.profile.id}" + (f" ({shown_path(case.persona_path)})" if case.persona_path else " (inline)")
    lines.append(f"  date {case.spec.date}, {profile}, rulesets {shown_path(result.rulesets)}")
    if case.author or case.source:
        lines.append("  " + ", ".join(f"{k}: {v}" for k, v in (("author", case.author), ("source", case.source)) if v))
    for mismatch in result.mismatches:
        lines.append(f"  {mismatch.expectation}")
        lines.append(f"    expected: {mismatch.expected}")
        lines.append(f"    actual:   {mismatch.actual}")
    verdicts = {v.provision.key: v for v in checked.result.verdicts}
    focus = list(dict.fromkeys(k for m in result.mismatches for k in m.provisions if k in verdicts))
    if all_provisions:
        focus = list(verdicts)
    if focus:
        lines.append("  criteria:")
        for key in focus:
            lines.extend(_provision_lines(verdicts[key], checked))
    effects = [k for m in result.mismatches for k in m.effects]
    for effect in checked.compiled.effects:
        if effect.key in effects:
            node = requirement_text(Reason(effect, "fail"), checked.compiled) if effect.condition is not None else ""
            lines.append(f"  effect {effect.key}: not shown; it shows when {node}")
            lines.append(f"      {effect.rule.source}")
    others = [v for k, v in verdicts.items() if k not in focus]
    if others:
        lines.append("  other provisions:")
        for verdict in others:
            lines.append(f"    {verdict.outcome:<10} {verdict.provision.key}" + "".join(
                f"\n               {_STATUS[r.status]} {r.rule.rule.id} ({r.rule.text or r.rule.rule.text}): "
                f"{r.rule.rule.source}" for r in verdict.deciding))
    summary = checked.result
    lines.append(f"  gaps: {list_text(summary.gaps)}; loops: "
                 f"{'; '.join(' -> '.join((*l, l[0])) for l in summary.loops) or 'none'}")
    return "\n".join(lines)


def _provision_lines(verdict: Verdict, checked: Checked) -> list[str]:
    """One provision of a failed case: its outcome, then every reason with status, what would pass, source."""
    lines = [f"    {verdict.provision.key}: {describe_outcome(verdict)}"]
    for reason in verdict.reasons:
        rule = reason.rule
        label = {"criterion": "", "exclusion": "exclusion ", "requirement": "requires "}[rule.group]
        status = _STATUS[reason.status]
        if rule.group == "exclusion":
            status = {"pass": "pass", "fail": "FAIL (applies)"}.get(reason.status, status)
        lines.append(f"      {status:<8} {label}{rule.rule.id}: {rule.text or rule.rule.text}")
        if reason.status == "fail" and rule.group in ("criterion", "exclusion"):
            now = checked.values_read(reason.rule)
            lines.append(f"               would need {requirement_text(reason, checked.compiled)}"
                         + (f" (now {now})" if now else ""))
        elif rule.group == "requirement" and reason.status == "fail":
            lines.append(f"               waits for {rule.rule.granters_text}"
                         + (f", unless {rule.rule.unless}" if rule.rule.unless else ""))
        lines.append(f"               {rule.rule.kind}: {rule.rule.source}")
    return lines
