"""Triage words from Appendix D, section 10: consequence if it recurred, likelihood of
recurrence, the risk score and its colour band, and the report lifecycle."""

from dataclasses import dataclass

from flows.messages import N_, _

CONSEQUENCES = (N_("None"), N_("Low"), N_("Moderate"), N_("Severe"), N_("Death"))  # 1..5
LIKELIHOODS = (N_("Rare"), N_("Unlikely"), N_("Possible"), N_("Likely"), N_("Almost certain"))  # 1..5
SCALE = range(1, 6)

COLOURS = ("green", "yellow", "amber", "red")
COLOUR_HEX = {"green": "#4caf50", "yellow": "#fdd835", "amber": "#fb8c00", "red": "#e53935"}
COLOUR_NAMES = {"green": N_("green"), "yellow": N_("yellow"), "amber": N_("amber"), "red": N_("red")}
COLOUR_WORDS = {
    "green": (N_("very low"), N_("aggregated analysis with similar reports")),
    "yellow": (N_("low"), N_("aggregated analysis")),
    "amber": (N_("moderate"), N_("local review")),
    "red": (N_("high"), N_("in-depth root cause analysis, promptly")),
}

# Before a manager triages it, a report's own grade gives it a provisional colour.
PROVISIONAL = {"severe": "red", "left_at_risk": "amber", "wrongly_judged": "amber"}


@dataclass(frozen=True)
class Bands:
    """The lowest score of each colour above green; configurable, defaults from Appendix D."""

    yellow: int = 4
    amber: int = 8
    red: int = 15

    def colour(self, score: int) -> str:
        """Returns the colour band of a risk score (1..25)."""
        if score >= self.red:
            return "red"
        if score >= self.amber:
            return "amber"
        if score >= self.yellow:
            return "yellow"
        return "green"


def risk_score(consequence: int, likelihood: int) -> int:
    """Returns consequence × likelihood, each 1..5."""
    if consequence not in SCALE or likelihood not in SCALE:
        raise ValueError("consequence and likelihood are each 1 to 5")
    return consequence * likelihood


def colour_name(colour: str) -> str:
    """Returns a band's colour in the language being spoken."""
    return _(COLOUR_NAMES[colour]) if colour in COLOUR_NAMES else colour
