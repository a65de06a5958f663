"""Options several commands share: which provisions (or needs) a question is about."""

from __future__ import annotations

import click


def selection_options(func):
    """--provisions and --needs: evaluate only those provisions (or the doors of those needs) and the
    prerequisites they depend on (rules/selection.py)."""
    func = click.option("--needs", "needs", multiple=True, metavar="NEED[,NEED]",
                        help="Only the provisions that cover these needs (housing, income, care, debt_help), "
                             "with their prerequisites; gaps are decided for these needs only.")(func)
    return click.option("--provisions", "provisions", multiple=True, metavar="KEY[,KEY]",
                        help="Only these provisions (<ruleset>/<provision>, as `regelgat rules` lists them) and "
                             "the prerequisites they depend on; effects on others are left out.")(func)


def selected(compiled, provisions, needs, known=None):
    """The compiled rules cut down to the provisions and needs given on the command line."""
    from regelgat.rules.selection import parse_list, select

    return select(compiled, parse_list(provisions), parse_list(needs), known)
