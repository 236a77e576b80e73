"""The answer lists a reporter picks from: configurable settings, roles, factors, and the grades.

Labels are buttons on every platform: each, and its Welsh, is at most 28 characters, so that with a
tick in front it still fits the 30 that Slack shows before cutting a label."""

from dataclasses import dataclass, field

from flows.messages import N_


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    also: tuple[str, ...] = field(default=(), kw_only=True)  # other words a reporter may type for it


@dataclass(frozen=True)
class Grade(Option):
    scie: str
    npsa: str
    harm: bool = False
    statutory: bool = False


def _options(*pairs: tuple[str, ...]) -> tuple[Option, ...]:
    """Makes a list from (code, label) pairs, followed by other names typed for the option where
    its label was shortened to fit (DESIGN.md's fuller name, the one it had before), so that they
    are understood too."""
    return tuple(Option(code, label, also=tuple(fuller)) for code, label, *fuller in pairs)


DEFAULT_WHERE = _options(
    ("referral", N_("Referral and intake")),
    ("assessment", N_("Assessment")),
    ("home_visit", N_("Home visit")),
    ("strategy_meeting", N_("Strategy meeting/conference"), "strategy meeting or conference"),
    ("long_term_case", N_("Long-term or family support"), "long-term / family support case"),
    ("case_transfer", N_("Case transfer or handover")),
    ("out_of_hours", N_("Out of hours (EDT)")),
    ("education", N_("School or education")),
    ("health", N_("Hospital or health")),
    ("police_court", N_("Police or court")),
    ("office_phone", N_("Office or phone")),
    ("other", N_("Other")),
)

DEFAULT_WHO = _options(
    ("child", N_("Child or young person")),
    ("parent_carer", N_("Parent or carer")),
    ("wider_family", N_("Wider family")),
    ("social_worker", N_("Social worker")),
    ("manager", N_("Manager")),
    ("out_of_hours", N_("Out-of-hours team")),
    ("police", N_("Police")),
    ("health", N_("Health")),
    ("education", N_("Education")),
    ("housing", N_("Housing")),
    ("probation", N_("Probation")),
    ("mental_health", N_("Mental health services")),
    ("immigration", N_("Immigration")),
    ("voluntary", N_("Voluntary sector")),
    ("other", N_("Other")),
)

DEFAULT_FACTORS = _options(
    ("thresholds", N_("Harm over need / thresholds"), "prioritising immediate harm over need / thresholds"),
    ("information", N_("Access to information"), "access to information or records"),
    (
        "inter_agency",
        N_("Communication with agencies"),
        "communication between agencies",
        "inter-agency communication",
        "multi-agency communication",
    ),
    ("handover", N_("Case transfer or handover")),
    ("drift", N_("Drift or optimism in a case"), "drift or optimism in a long-term case"),
    ("workload", N_("Workload and time pressure")),
    ("supervision", N_("Supervision and support")),
    ("resources", N_("Resources not available")),
    ("tools", N_("Assessment tools, procedures"), "assessment tools and procedures"),
    ("other", N_("Other")),
)

# Seed Table 5 and NPSA Table 1 (Appendix D); fixed by the domain, not configurable.
GRADES = (
    Grade("prevented", N_("Stopped before it happened"), "no harm — prevented", "none (prevented)"),
    Grade("no_harm", N_("Happened, no harm caused"), "no harm — not prevented", "none"),
    Grade("left_at_risk", N_("Harm: child left at risk"), "harm — false negative", "low / moderate", harm=True),
    Grade(
        "wrongly_judged",
        N_("Harm: family wrongly judged"),
        "harm — false positive",
        "low / moderate",
        harm=True,
        also=("harm: family wrongly judged a risk",),
    ),
    Grade(
        "severe",
        N_("Life-threatening or death"),
        "life-threatening injury or death",
        "severe / death",
        harm=True,
        statutory=True,
        also=("life-threatening injury or death",),
    ),
)


FEEDBACK = (Option("yes", N_("Tell me what changes")), Option("no", N_("Don't contact me")))


@dataclass(frozen=True)
class Lists:
    """The configurable lists of one organisation, and the fixed ones beside them."""

    where: tuple[Option, ...] = DEFAULT_WHERE
    who: tuple[Option, ...] = DEFAULT_WHO
    factors: tuple[Option, ...] = DEFAULT_FACTORS
    grades: tuple[Grade, ...] = field(default=GRADES, init=False)
    feedback: tuple[Option, ...] = field(default=FEEDBACK, init=False)

    def named(self, name: str) -> tuple[Option, ...]:
        """Returns the list a question names (its Step.options)."""
        options: tuple[Option, ...] = getattr(self, name)
        return options
