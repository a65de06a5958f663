"""Entities: a person, and the household (huishouden) the bijstand is assessed for.

Every generated profile is one applicant with their household described by derived facts
(partner at home, cost-sharers, children), so each household holds one person here, as
SimulationBuilder.build_default_simulation makes them.
"""

from openfisca_core.entities import build_entity

Person = build_entity(
    key="person",
    plural="persons",
    label="Persoon (applicant)",
    is_person=True,
)

Household = build_entity(
    key="household",
    plural="households",
    label="Huishouden",
    roles=[{"key": "applicant", "plural": "applicants", "label": "Aanvrager", "max": 1}],
)

ENTITIES = [Person, Household]
