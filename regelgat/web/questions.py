"""The interview's questions: one per profile field, in plain words, with the answers it offers.

Every string here is an English msgid; the page translates it (locale/nl). Field names never reach
the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regelgat.i18n import N_


@dataclass(frozen=True)
class Question:
    field: str
    label: str
    kind: str  # number, integer, yes_no, choice, text, needs, children, co_residents, sleeps_elsewhere
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = field(default=())  # (value, label)
    unit: str = ""


NEED_LABELS = {
    "housing": N_("a place to sleep (housing or shelter)"),
    "income": N_("an income"),
    "care": N_("care"),
    "debt_help": N_("help with debts"),
}
NEED_NAMES = {"housing": N_("Housing"), "income": N_("Income"), "care": N_("Care"), "debt_help": N_("Debt help")}
YES_NO = (("yes", N_("yes")), ("no", N_("no")))

_QUESTIONS = [
    # The few questions every case needs, in the order a first conversation takes.
    Question("id", N_("Name or label"), "text",
             N_("Only to recognise this check on screen and on paper; it is not stored.")),
    Question("age", N_("Age"), "integer", unit=N_("years")),
    Question("relationship", N_("Household"), "choice", choices=(
        ("single", N_("single")), ("married", N_("married, living together")),
        ("registered_partner", N_("registered partner, living together")), ("cohabiting", N_("living together, not married")),
        ("separated", N_("married, but living apart for good")), ("divorced", N_("divorced")), ("widowed", N_("widowed")))),
    Question("children", N_("Ages of the children who live with the client"), "children",
             N_("For example: 4, 7. Leave empty if none.")),
    Question("co_residents", N_("Who else lives in the client's home?"), "co_residents",
             N_("Adults who share the home, not the children above. They can lower the bijstand (kostendelersnorm)."),
             choices=(("partner", N_("partner")), ("ex_partner", N_("former partner or spouse")),
                      ("parent", N_("parent")), ("child", N_("adult child")), ("sibling", N_("brother or sister")),
                      ("relative", N_("other family")), ("friend", N_("friend")),
                      ("lodger", N_("lodger or landlord on a commercial contract")), ("other", N_("someone else")))),
    Question("pregnancy_weeks", N_("Weeks pregnant"), "integer", N_("0 if not pregnant."), unit=N_("weeks")),
    Question("housing", N_("Where does the client sleep tonight?"), "choice", choices=(
        ("own_rental", N_("in a rented home of their own")), ("owner_occupied", N_("in a home they own")),
        ("with_parents", N_("with their parents")), ("sofa_surfing", N_("on friends' or family's sofas")),
        ("shelter", N_("in a shelter")), ("street", N_("on the street")),
        ("unsuitable", N_("in a shed, a car or an allotment house")), ("institution", N_("in an institution")))),
    Question("sleeps_elsewhere", N_("Nights a week at another household's home"), "sleeps_elsewhere",
             N_("Sleeping at someone's home can change that household's benefits.")),
    Question("income_net_monthly", N_("Net income per month"), "number", unit="€"),
    Question("income_source", N_("Main source of income"), "choice", choices=(
        ("employment", N_("a job")), ("self_employment", N_("self-employed")), ("benefit", N_("a benefit")),
        ("pension", N_("a pension")), ("student_finance", N_("student finance")), ("none", N_("no income")))),
    Question("needs", N_("What does the client need?"), "needs"),
    # Questions asked only when their answer could still change a verdict.
    Question("municipality", N_("Municipality where the client actually lives"), "text",
             N_("Local rules (shelter, urgency, briefadres, debt help) are those of this municipality.")),
    Question("self_reliant", N_("Is the client zelfredzaam (self-reliant), as a GGD screening (ZRM) would judge?"),
             "yes_no", N_("Zelfredzaam: able to manage daily life alone or with help from their own network.")),
    Question("addiction", N_("Does the client have an addiction?"), "yes_no"),
    Question("psychiatric_disorder", N_("Does the client have a serious psychiatric problem?"), "yes_no"),
    Question("domestic_violence", N_("Is the client a victim of domestic violence?"), "yes_no"),
    Question("registered_address", N_("Registration in the BRP (municipal register)"), "choice", choices=(
        ("home", N_("at a home address")), ("postal", N_("at a briefadres (postal address)")), ("none", N_("not registered")))),
    Question("years_in_region", N_("Years lived in the region"), "number", unit=N_("years")),
    Question("housing_problem_cause", N_("Main cause of the housing problem"), "choice", choices=(
        ("none", N_("none")), ("divorce", N_("divorce or separation")), ("eviction", N_("eviction")),
        ("homelessness", N_("homelessness")), ("pregnancy", N_("pregnancy")), ("medical", N_("a medical problem")),
        ("domestic_violence", N_("domestic violence")), ("calamity", N_("a calamity such as a fire")),
        ("shelter_outflow", N_("leaving a shelter or sheltered housing")), ("mantelzorg", N_("mantelzorg (caring for someone)")))),
    Question("problematic_debts", N_("Does the client have problematic debts?"), "yes_no"),
    Question("in_debt_restructuring", N_("Is the client in a Wsnp debt-restructuring scheme now?"), "yes_no"),
    Question("parents_can_support", N_("Can the parents pay for the client's living costs, and is asking them reasonable?"), "yes_no"),
    Question("weeks_since_reporting", N_("Weeks since reporting (melding) for bijstand"), "integer", unit=N_("weeks")),
    Question("search_period_waived", N_("Did the municipality waive the four-week search period?"), "yes_no"),
    Question("assets", N_("Assets minus debts"), "number", unit="€"),
    Question("months_in_work", N_("Months since the current paid work started"), "integer",
             N_("Part of the earnings then stays uncounted by bijstand (inkomstenvrijlating)."), unit=N_("months")),
    Question("income_gross_yearly", N_("Gross income per year"), "number",
             N_("Leave empty if unknown; 12 times the net monthly income is used, which is too low."), unit="€"),
    Question("residence_status", N_("Residence status"), "choice", choices=(
        ("dutch", N_("Dutch")), ("eu_citizen", N_("EU citizen")), ("residence_permit", N_("residence permit")),
        ("asylum_seeker", N_("asylum seeker")), ("undocumented", N_("undocumented")))),
    Question("eu_jobseeker_or_first_3_months", N_("Is the EU citizen in the first three months here, or here only to "
                                                  "look for work without having worked here?"), "yes_no"),
    Question("gender", N_("Gender"), "choice", choices=(("female", N_("female")), ("male", N_("male")), ("x", N_("other or not said")))),
    Question("years_since_separation", N_("Years since the marriage or joint household ended"), "number", unit=N_("years")),
    Question("rental_contract", N_("Does the client have a rental contract for the home?"), "yes_no"),
    Question("self_contained_home", N_("Does the home have its own entrance, kitchen, toilet and shower?"), "yes_no"),
    Question("rent_monthly", N_("Bare rent (kale huur) per month"), "number", unit="€"),
    Question("health_insured", N_("Does the client have Dutch basic health insurance?"), "yes_no"),
    Question("student_finance", N_("Is the client entitled to student finance?"), "yes_no"),
    Question("in_detention", N_("Is the client in detention?"), "yes_no"),
    Question("lives_in_institution", N_("Does the client live in a care institution?"), "yes_no"),
    Question("youth_care_before_18", N_("Did the client receive jeugdhulp (youth care) before turning 18?"), "yes_no"),
    Question("months_since_youth_care_ended", N_("Months since the youth care ended"), "integer",
             N_("Leave empty if it has not ended."), unit=N_("months")),
    Question("detox_completed", N_("Has the client completed addiction detox?"), "yes_no"),
    Question("social_problems_resolved", N_("Are housing, income and debts in order?"), "yes_no"),
    Question("freezing_weather", N_("Is tonight's felt temperature below zero?"), "yes_no"),
    Question("good_faith_years", N_("Years of good faith over the debts"), "number", unit=N_("years")),
    Question("amicable_route_tried", N_("Was the amicable debt route (minnelijk traject) tried, or is it evidently pointless?"), "yes_no"),
]
QUESTIONS: dict[str, Question] = {q.field: q for q in _QUESTIONS}
FIRST_QUESTIONS: tuple[str, ...] = tuple(q.field for q in _QUESTIONS[:11])  # up to and with the needs

CO_RESIDENT_ROWS = 3  # people the form takes; a profile file takes more

HOSTS = (("ex_partner", N_("a former partner or spouse")), ("partner", N_("a partner")),
         ("family", N_("family")), ("friend", N_("a friend")))

# Derived facts a rule reads, and the answer that settles each.
FACT_TO_FIELD = {
    "pregnant": "pregnancy_weeks", "children_at_home": "children", "minor_children_at_home": "children",
    "youngest_child_age": "children", "treated_as_married": "relationship", "homeless": "housing",
    "yearly_income": "income_gross_yearly", "nights_elsewhere": "sleeps_elsewhere",
    "host_on_bijstand": "sleeps_elsewhere", "host_is_ex_partner": "sleeps_elsewhere", "host_age": "sleeps_elsewhere",
    "youth_care_ongoing": "youth_care_before_18",
}
