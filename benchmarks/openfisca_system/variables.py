"""Variables: the facts a profile gives (inputs) and the formulas of algemene bijstand
(Participatiewet art. 11, 13, 19-22a, 34, 41) and zorgtoeslag (Wet op de zorgtoeslag art. 2-3,
Awir art. 9), as rulesets/participatiewet-bijstand.yaml and rulesets/zorgtoeslag.yaml state them.

Two-valued, like every OpenFisca variable: a fact that is not given takes its default. Not
modelled, as an OpenFisca package would not: the prerequisite that WPI wants a registered address
(or its own briefadres, which it gives only to people entitled to bijstand), the reasons behind a
verdict, gaps, effects on other households and the amounts paid. Encoded for rules dates up to
the end of 2026: the art. 34a disregard that replaces art. 31 lid 2 n and r from 2027 is not.
"""

from __future__ import annotations

from numpy import floor, inf, maximum, minimum, select, where
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .entities import Person


class ResidenceStatus(Enum):
    dutch = "Nederlander"
    eu_citizen = "EU-burger"
    residence_permit = "Verblijfsvergunning"
    asylum_seeker = "Asielzoeker"
    undocumented = "Ongedocumenteerd"


class IncomeSource(Enum):
    employment = "Loondienst"
    self_employment = "Zelfstandige"
    other = "Uitkering, pensioen, studiefinanciering of geen"


class Municipality(Enum):
    amsterdam = "Amsterdam"
    other = "Andere gemeente"


def _input(name: str, value_type, label: str, **extra) -> type[Variable]:
    """An input variable of a person, per month (how a country package declares its inputs)."""
    attributes = {"value_type": value_type, "entity": Person, "definition_period": MONTH, "label": label, **extra}
    return type(name, (Variable,), attributes)


INPUTS = [
    _input("age", int, "Leeftijd in hele jaren"),
    _input("municipality", Enum, "Woongemeente", possible_values=Municipality, default_value=Municipality.other),
    _input("residence_status", Enum, "Verblijfsstatus", possible_values=ResidenceStatus,
           default_value=ResidenceStatus.dutch),
    _input("eu_jobseeker_or_first_3_months", bool, "EU-burger: werkzoekend of in de eerste drie maanden"),
    _input("treated_as_married", bool, "Gehuwd, geregistreerd partner of samenwonend"),
    _input("joint_household_presumed", bool, "Gezamenlijke huishouding vermoed (art. 3 lid 4)"),
    _input("ex_spouse_at_home", bool, "Ex-echtgeno(o)t(e) woont op hetzelfde adres"),
    _input("years_since_separation", float, "Jaren sinds de scheiding"),
    _input("cost_sharers", int, "Kostendelende medebewoners van 27 jaar of ouder"),
    _input("cost_sharers_in_couple", int, "Kostendelers naast de partners"),
    _input("partner_at_home", bool, "Partner woont thuis"),
    _input("partner_age", int, "Leeftijd van de partner"),
    _input("parents_can_support", bool, "Ouders kunnen onderhouden (18-20 jaar)"),
    _input("minor_children_at_home", int, "Minderjarige kinderen thuis"),
    _input("income_net_monthly", float, "Netto inkomen per maand"),
    _input("income_source", Enum, "Bron van inkomen", possible_values=IncomeSource, default_value=IncomeSource.other),
    _input("months_in_work", int, "Maanden aan het werk"),
    _input("months_in_work_known", bool, "Maanden aan het werk bekend"),
    _input("youngest_child_age", int, "Leeftijd van het jongste kind"),
    _input("assets", float, "Vermogen"),
    _input("weeks_since_reporting", int, "Weken sinds de melding"),
    _input("search_period_waived", bool, "Zoektermijn opgeschort of afgezien (vanaf 2026)"),
    _input("in_detention", bool, "Gedetineerd"),
    _input("lives_in_institution", bool, "Verblijft in een inrichting"),
    _input("student_finance", bool, "Recht op studiefinanciering"),
    _input("health_insured", bool, "Verzekerd voor de zorgverzekering"),
    _input("yearly_income", float, "Toetsingsinkomen per jaar"),
]


class treated_as_couple(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Gehuwd of als gehuwd aangemerkt (Pw art. 3), met het vermoeden voor ex-echtgenoten"

    def formula(person, period, parameters):
        p = parameters(period).bijstand
        return (person("treated_as_married", period) + person("joint_household_presumed", period)
                + person("ex_spouse_at_home", period)
                * (person("years_since_separation", period) < p.spouse_presumption_years))


def _cost_sharing(people, norm, p):
    """Art. 22a lid 1: ((A + B x C) / D) x the couple norm, C = D = persons in the home."""
    return (p.cost_sharing_base + people * p.cost_sharing_per_person) / people * norm


class bijstand_norm(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Bijstandsnorm per maand, incl. vakantietoeslag (Pw art. 20-22a)"
    reference = "https://wetten.overheid.nl/BWBR0015703/2026-01-01#Artikel21"

    def formula(person, period, parameters):
        p = parameters(period).bijstand
        age, couple = person("age", period), person("treated_as_couple", period)
        partner, partner_age = person("partner_at_home", period), person("partner_age", period)
        sharers = minimum(person("cost_sharers", period), 5) + 1
        in_couple = minimum(person("cost_sharers_in_couple", period), 4) + 2
        children = person("minor_children_at_home", period) >= 1
        pension, young = age >= p.aow_age, (age >= 18) * (age < 21)
        alone = person("cost_sharers", period) == 0
        alone_in_couple = person("cost_sharers_in_couple", period) == 0
        single = ~couple
        return select(
            [single * young, single * pension, single * (age >= 21),
             couple * partner * (((age < 21) * (partner_age >= 21)) + ((age >= 21) * (partner_age < 21))),
             couple * ((pension * ~(partner * (partner_age < 21))) + ((age >= 21) * partner * (partner_age >= p.aow_age))),
             couple * (age >= 21) * ~(partner * ((partner_age < 21) + (partner_age >= p.aow_age))),
             couple * young * ~(partner * (partner_age >= 21))],
            [where(person("parents_can_support", period), p.norm_youth_single, p.norm_youth_single + p.youth_supplement),
             where(alone, p.norm_single_aow, _cost_sharing(sharers, p.norm_couple_aow, p)),
             where(alone, p.norm_single, _cost_sharing(sharers, p.norm_couple, p)),
             where(children, p.norm_youth_mixed_children, p.norm_youth_mixed),
             where(alone_in_couple, p.norm_couple_aow, 2 * (_cost_sharing(in_couple, 1, p)) * p.norm_couple_aow),
             where(alone_in_couple, p.norm_couple, 2 * (_cost_sharing(in_couple, 1, p)) * p.norm_couple),
             where(children, p.norm_youth_couple_children, p.norm_youth_couple)],
            inf)  # no household type applies (under 18): no norm to test against


def _cents(amount):
    """Half up to whole cents, as regelgat rounds its amounts."""
    return floor(amount * 100 + 0.5) / 100


class earnings_disregard(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Vrijlating van inkomsten uit arbeid (Pw art. 31 lid 2 n en r), tot en met 2026"
    reference = "https://wetten.overheid.nl/BWBR0015703/2026-01-01#Artikel31"

    def formula(person, period, parameters):
        p = parameters(period).bijstand
        age, months = person("age", period), person("months_in_work", period)
        source = person("income_source", period)
        income = person("income_net_monthly", period)
        working = (((source == IncomeSource.employment) + (source == IncomeSource.self_employment))
                   * person("months_in_work_known", period) * (age >= p.disregard_min_age) * (age < p.aow_age))
        single_parent = (~person("treated_as_married", period) * (person("minor_children_at_home", period) >= 1)
                         * (person("youngest_child_age", period) < 12))
        return _cents(select(
            [working * (months < p.disregard_months),
             working * single_parent * (months < p.disregard_months + p.disregard_single_parent_months)],
            [minimum(p.disregard_rate * income, p.disregard_cap),
             minimum(p.disregard_single_parent_rate * income, p.disregard_single_parent_cap)], 0))


class bijstand_counted_income(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Inkomen dat meetelt voor de bijstand, na de vrijlating (Pw art. 19 lid 1 a, 31)"

    def formula(person, period, parameters):
        return _cents(maximum(0, person("income_net_monthly", period) - person("earnings_disregard", period)))


class bijstand_lawful_residence(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Rechtmatig verblijf voor bijstand (Pw art. 11; richtlijn 2004/38 art. 24 lid 2)"

    def formula(person, period, parameters):
        status = person("residence_status", period)
        return ((status == ResidenceStatus.dutch) + (status == ResidenceStatus.residence_permit)
                + (status == ResidenceStatus.eu_citizen) * ~person("eu_jobseeker_or_first_3_months", period))


class bijstand_search_period_over(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Zoektermijn van vier weken voorbij, of niet van toepassing (Pw art. 41 lid 4)"

    def formula(person, period, parameters):
        p = parameters(period).bijstand
        return ((person("age", period) >= 27) + (person("weeks_since_reporting", period) >= p.search_period_weeks)
                + p.search_period_may_be_waived * person("search_period_waived", period)
                + person("partner_at_home", period) * (person("partner_age", period) >= 27))


class bijstand_excluded(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Uitgesloten: gedetineerd, 18-20 in een inrichting, of onder 27 met studiefinanciering (Pw art. 13)"

    def formula(person, period, parameters):
        age = person("age", period)
        return (person("in_detention", period) + (age >= 18) * (age < 21) * person("lives_in_institution", period)
                + (age < 27) * person("student_finance", period))


class algemene_bijstand_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Recht op algemene bijstand (Participatiewet)"
    reference = "https://wetten.overheid.nl/BWBR0015703/2026-01-01"

    def formula(person, period, parameters):
        p = parameters(period).bijstand
        age = person("age", period)
        single_no_children = ~person("treated_as_couple", period) * (person("minor_children_at_home", period) == 0)
        asset_limit = where(single_no_children, p.asset_limit_single, p.asset_limit_family)
        in_amsterdam = person("municipality", period) == Municipality.amsterdam
        return ((age >= 18) * person("bijstand_lawful_residence", period)
                * ((age >= p.aow_age) + in_amsterdam)  # from the AOW age the SVB pays (AIO), wherever one lives
                * (person("bijstand_counted_income", period) < person("bijstand_norm", period))
                * (person("assets", period) <= asset_limit)
                * person("bijstand_search_period_over", period)
                * ~person("bijstand_excluded", period))


class zorgtoeslag_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Recht op zorgtoeslag (Wet op de zorgtoeslag art. 2-3, Awir art. 9)"
    reference = "https://wetten.overheid.nl/BWBR0018451/2026-01-01"

    def formula(person, period, parameters):
        p = parameters(period).zorgtoeslag
        status = person("residence_status", period)
        partners = person("treated_as_married", period)
        return ((person("age", period) >= 18)
                * ((status == ResidenceStatus.dutch) + (status == ResidenceStatus.eu_citizen)
                   + (status == ResidenceStatus.residence_permit))
                * person("health_insured", period)
                * (person("yearly_income", period)
                   <= where(partners, p.income_limit_partners, p.income_limit_single))
                * (person("assets", period) <= where(partners, p.asset_limit_partners, p.asset_limit_single)))


VARIABLES = [*INPUTS, treated_as_couple, bijstand_norm, earnings_disregard, bijstand_counted_income, bijstand_lawful_residence, bijstand_search_period_over,
             bijstand_excluded, algemene_bijstand_eligible, zorgtoeslag_eligible]
