"""A small OpenFisca system for benchmarks/openfisca.py: algemene bijstand and zorgtoeslag eligibility,
written as an OpenFisca country package would write them (entities, Variable classes with formulas,
dated YAML parameters in parameters/, copied from regelgat's rulesets with their dates and sources).

It exists only to compare regelgat with OpenFisca on the same question; regelgat never imports it.
"""

from __future__ import annotations

from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from .entities import ENTITIES
from .variables import VARIABLES

PARAMETERS = Path(__file__).parent / "parameters"


def build_system() -> TaxBenefitSystem:
    """The tax-benefit system: two entities, the variables below, the dated parameters."""
    system = TaxBenefitSystem(ENTITIES)
    for variable in VARIABLES:
        system.add_variable(variable)
    system.load_parameters(str(PARAMETERS))
    return system
