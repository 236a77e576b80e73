"""Every user-facing text, in one catalogue per language.

Texts are marked with ``N_`` (and plurals with ``NP_``) so Babel can extract them
(``pybabel extract -k N_ -k NP_:1,2``), and are translated at render time with ``_`` (and
``ngettext``) into the language of the person being answered: set for the current task with
``speaking``. The catalogues are ``flows/locale/<language>/LC_MESSAGES/nearmiss.po``, compiled
in memory when first used; English is the catalogue's own text.
"""

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ENGLISH, WELSH = "en", "cy"
LANGUAGES = (ENGLISH, WELSH)
LOCALES = Path(__file__).parent / "locale"
DOMAIN = "nearmiss"

_language: ContextVar[str] = ContextVar("language", default=ENGLISH)


def N_(text: str) -> str:
    """Marks a text for extraction without translating it."""
    return text


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a text with a plural for extraction, as the pair ngettext takes."""
    return singular, plural


def _(text: str) -> str:
    """Returns the text in the language being spoken."""
    return translation(_language.get()).gettext(text)


def ngettext(forms: tuple[str, str], count: int) -> str:
    """Returns the form of a text for this count (Welsh has six) in the language being spoken."""
    return translation(_language.get()).ngettext(forms[0], forms[1], count)


# Date patterns (Unicode's, as Babel takes them): "23 Nov 2026", "23 Nov", "Mon 23 Nov".
DAY, DAY_MONTH, WEEKDAY_DAY, WEEKDAY_DAY_YEAR = "d MMM y", "d MMM", "EEE d MMM", "EEE d MMM y"


def day(when: date, pattern: str = DAY) -> str:
    """Returns a date as people read it, in the language being spoken."""
    return format_date(when, pattern, locale=_locale(_language.get()))


@cache
def _locale(code: str) -> Locale:
    # Babel reads a locale's data again for every Locale made: one for each language, kept.
    return Locale.parse(code)


def language() -> str:
    """Returns the language being spoken."""
    return _language.get()


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Renders every text in this language inside the block (an unknown code speaks English)."""
    token = _language.set(code if code in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _language.reset(token)


@cache
def translation(code: str) -> gettext.NullTranslations:
    """Returns a language's catalogue, compiled from its .po file; English needs none."""
    po = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == ENGLISH or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


INTRO = N_(
    "Confidential: managers never see who reported.\n"
    "A child at risk now? Follow child protection procedures or call 999."
)
LANGUAGE_KEPT = N_("Carrying on in English.")
RESUME = N_("You have a report in progress. Carrying on where you left off:")
HELP = N_(
    "/report – report a near miss in about two minutes\n"
    "/cancel – stop the report in progress\n"
    "/status CODE – how your report is going, and what changed because of it "
    "(/status alone lists your reports)\n"
    "/help – this message\n\n"
    "Reports are confidential: managers never see who reported. "
    "A child at risk now? Follow child protection procedures or call 999."
)

ASK_WHEN = N_("When did it happen?")
ASK_WHEN_DAY = N_("Which day?")
ASK_WHEN_TYPED = N_("Type the date, e.g. 3/11 or last Tuesday.")
ASK_WHERE = N_("Where did it happen?")
ASK_WHO = N_("Who was involved?")
ASK_WHAT = N_("What happened?")
ASK_ACTION = N_("What was done straight away?")
ASK_OUTCOME = N_("What was the outcome?")
ASK_FACTORS = N_("What contributed?")
ASK_STOPPED = N_("What stopped it getting worse?")
ASK_FEEDBACK = N_("Shall I tell you what changes?")
ASK_CHECK = N_("Check your report, then Submit:")
# What a chat question adds to its words (a form shows the question alone).
HINT_SOME = N_("Tap all that apply.")
HINT_SOME_OPTIONAL = N_("Tap any, or Skip.")
HINT_WHAT = N_("One or two sentences, no names please.")
HINT_OPTIONAL = N_("(optional)")
# A form's examples, shown in its empty boxes.
PLACEHOLDER_WHAT = N_("e.g. Referral sat unread for 3 days. No names")
PLACEHOLDER_ACTION = N_("e.g. Rang the family and visited that day")
PLACEHOLDER_STOPPED = N_("e.g. A teacher rang us too")
PLACEHOLDER_CHOOSE = N_("Choose one")
PLACEHOLDER_CHOOSE_SOME = N_("Choose all that apply")
ASK_CONFIRM_CANCEL = N_("Cancel this report? Nothing will be kept.")

FIELD_WHEN = N_("When")
FIELD_WHERE = N_("Where")
FIELD_WHO = N_("Who")
FIELD_WHAT = N_("What happened")
FIELD_ACTION = N_("Action taken")
FIELD_OUTCOME = N_("Outcome")
FIELD_FACTORS = N_("Factors")
FIELD_STOPPED = N_("What stopped it")
FIELD_FEEDBACK = N_("Feedback")
NOT_GIVEN = N_("—")

WHEN_TODAY = N_("Today")
WHEN_YESTERDAY = N_("Yesterday")
WHEN_THIS_WEEK = N_("Earlier this week")
WHEN_PICK = N_("Pick a date")

BUTTON_BACK = N_("◀ Back")
BUTTON_SKIP = N_("Skip")
BUTTON_DONE = N_("Done ✔")
BUTTON_CANCEL = N_("✖ Cancel")
BUTTON_SUBMIT = N_("✅ Submit")
BUTTON_EDIT = N_("✏ {field}")
BUTTON_YES_CANCEL = N_("Yes, cancel")
BUTTON_NO_CARRY_ON = N_("No, carry on")

SUBMITTED = N_("Sent. Your reference is {reference}. Thank you for speaking up.")
SUBMITTED_FEEDBACK = N_("I'll tell you what changes.")
SUBMITTED_NO_CONTACT = N_("No contact details kept: check progress with your reference.")
CANCELLED = N_("Cancelled. Nothing was kept.")
EXPIRED = N_(
    "Your unfinished report was cleared after {hours} hours without activity, "
    "and nothing was kept. Send {start} whenever you are ready."
)
STATUTORY = N_(
    "This must also go through the statutory route: follow your local safeguarding procedures "
    "(in England, a child safeguarding practice review; in Wales, a child practice review). "
    "Tell your safeguarding lead today."
)
MASKED = N_("To protect identities I hid {found}: {parts}")
DATE_UNDERSTOOD = N_("Noted: {when} ({fix} to change).")
TIME_ABOUT = N_("{day}, about {time}")
TIME_AM = N_("{time}am")
TIME_PM = N_("{time}pm")
ASK_WHICH_DATE = N_("Which did you mean?")
NOTED = N_("Noted: {field}: {answer}.")
EDITED = N_(
    "I can't take changes to a message already sent. To change an answer, tap ✏ beside it on the "
    "summary card before you Submit."
)

NEED_BUTTON = N_("I couldn't match that to a button: tap one, or type its words.")
NEED_ONE = N_("Please tap at least one, then Done.")
NEED_WORDS = N_("Please type a few words.")
TOO_LONG = N_("That is {length} characters; please keep it under {limit}. Nothing else was lost.")
DATE_UNREADABLE = N_("I couldn't read that date. Try 3/11, yesterday or last Tuesday.")
DATE_FUTURE = N_("That date is in the future. When did it happen?")
DATE_TOO_EARLY = N_(
    "That reads as {date}. This bot takes near misses from {year} on, while what they teach still "
    "applies. When did it happen?"
)
NO_SUCH_TIME = N_("There is no {time} on a clock. Type the time as 14:30 or 2:30pm, or leave it out.")
FORM_CHOOSE = N_("Please choose one.")
FORM_CHOOSE_SOME = N_("Please choose at least one.")
CANNOT_SKIP = N_("This question is required: the report needs an answer to it.")
FIRST_QUESTION = N_("This is the first question.")
STALE_BUTTON = N_("That button belongs to an earlier question. Here is where you are:")
WHERE_YOU_ARE = N_("Here is where your report is:")
TAPS_CROSSED = N_("Two taps arrived at once, so that one didn't count. Here is where you are:")
NO_DRAFT = N_("There is no report in progress. Send {start} to start one.")
TEXT_ONLY = N_(
    "I can only take typed text: please don't send photos, voice notes, files or contacts, "
    "as they may identify people. Your report is still here."
)

NOT_A_MEMBER = N_(
    "Sorry, this bot is only for teams that use nearmiss. "
    "If you should have access, ask your manager for an invite code and send {join} CODE."
)
PRIVATE_ONLY = N_("Reports are private: please message me directly, not in a group.")
JOINED = N_("Welcome to {team}. Send {start} to report a near miss.")
BAD_INVITE = N_("That invite code didn't work. Please check it with your manager.")
SLOW_DOWN = N_("That was faster than I can keep up with. Please wait a moment; your report is safe.")
BUSY = N_("Sorry, I couldn't save that just now. Your report is safe; please try again in a minute.")

# Identifier kinds, singular and plural, as shown in MASKED.
FOUND_EMAIL = NP_("an email address", "{n} email addresses")
FOUND_URL = NP_("a link", "{n} links")
FOUND_PHONE = NP_("a phone number", "{n} phone numbers")
FOUND_NHS = NP_("an NHS number", "{n} NHS numbers")
FOUND_NI = NP_("a National Insurance number", "{n} National Insurance numbers")
FOUND_POSTCODE = NP_("a postcode", "{n} postcodes")
FOUND_DOB = NP_("a date of birth", "{n} dates of birth")
FOUND_CASE = NP_("a case number", "{n} case numbers")
FOUND_ADDRESS = NP_("an address", "{n} addresses")
FOUND_VEHICLE = NP_("a vehicle registration", "{n} vehicle registrations")
FOUND_HANDLE = NP_("a social media name", "{n} social media names")
FOUND_SCHOOL = NP_("a school name", "{n} school names")
FOUND_NAME = NP_("a name", "{n} names")
AND = N_("and")
# What stands in kept text for each kind of identifier (flows.masking.placeholder), each its own
# msgid, so a reporter reads it in their language.
PLACEHOLDERS = (
    N_("[link]"),
    N_("[email]"),
    N_("[NHS number]"),
    N_("[NI number]"),
    N_("[case number]"),
    N_("[date of birth]"),
    N_("[postcode]"),
    N_("[phone]"),
    N_("[address]"),
    N_("[vehicle registration]"),
    N_("[handle]"),
    N_("[school]"),
    N_("[name]"),
)

COMMAND_REPORT = N_("Report a near miss")
COMMAND_CANCEL = N_("Cancel the report in progress")
COMMAND_STATUS = N_("How your reports are going")
COMMAND_HELP = N_("How this works")
COMMAND_LANGUAGE = N_("English or Cymraeg")

MODAL_TITLE = N_("Near-miss report")
MODAL_SUBMIT = N_("Submit")
MODAL_CLOSE = N_("Cancel")
REVIEW_TITLE = N_("Check what is kept")
REVIEW_BACK = N_("Back")
REVIEW_NOTE = N_(
    "To protect identities I hid {found}. This is what will be kept: change it here if you need "
    "to, then Submit. Back returns to your form."
)
HOME_TITLE = N_("Near-miss reporting")
HOME_INTRO = N_(
    "Report a near miss in about two minutes. It is confidential: managers never see who "
    "reported. A child at risk now? Follow child protection procedures or call 999."
)
HOME_REPORT = N_("Report a near miss")
HOME_STEPS = N_("Step by step in chat")
HOME_YOURS = N_("Your reports")
HOME_NONE = N_("None yet.")
SLACK_HELP = N_(
    "{command} – report a near miss on one screen\n"
    "{command} steps – the same, a question at a time in this chat\n"
    "{command} join CODE – join your team with its invite code\n"
    "{command} status CODE – how your report is going, and what changed because of it "
    "({command} status alone lists your reports)\n\n"
    "Reports are confidential: managers never see who reported. "
    "A child at risk now? Follow child protection procedures or call 999."
)
TEAMS_HELP = N_(
    "report – report a near miss, a question at a time\n"
    "form – the whole report on one card\n"
    "cancel – stop the report in progress\n"
    "join CODE – join your team with its invite code\n"
    "status CODE – how your report is going, and what changed because of it "
    "(status alone lists your reports)\n"
    "language – English or Cymraeg\n"
    "help – this message\n\n"
    "Reports are confidential: managers never see who reported. "
    "A child at risk now? Follow child protection procedures or call 999."
)
FORM_REQUIRED = N_("Please answer this one.")
WORKING = N_("Working on it: the answer will follow in this chat.")
STATUS = {
    "submitted": N_("submitted"),
    "triaged": N_("triaged"),
    "under_review": N_("under review"),
    "action_agreed": N_("action agreed"),
    "feedback_sent": N_("feedback sent"),
    "closed": N_("closed"),
}

# Managers and safeguarding leads.
MANAGER_HELP = N_(
    "For managers:\n"
    "{reports} – open reports for your teams\n"
    "{open} CODE – one report, to triage\n"
    "{actions} – actions not yet done\n"
    "Managers never see who reported; every read and change is recorded in the audit log."
)
NOT_A_MANAGER = N_("Sorry, that is only for managers of a team.")
NO_SUCH_REPORT = N_("No report {reference} in your teams. Check the code, e.g. NM-7K3F-9Q2C.")
NO_SUCH_ACTION = N_("No open action {reference} in your teams.")
NO_OPEN_REPORTS = N_("No open reports in your teams.")
OPEN_REPORTS = N_("Open reports, untriaged first. Tap one to triage it.")
REPORT_LINE = N_("{reference} · {colour} · {age}")
UNTRIAGED = N_("not triaged")
AGE_DAYS = N_("{days}d")
CARD = N_(
    "{reference} · team {team} · {status}\n"
    "Sent {submitted} · happened {occurred}\n"
    "Where: {where}\nWho: {who}\nWhat happened: {what}\nAction taken: {action}\n"
    "Outcome: {grade}\nFactors: {factors}\nWhat stopped it: {stopped}\n"
    "Risk: {risk}\nThemes: {themes}\nLinked reports: {links}\nActions: {actions}{rca}"
)
CARD_RISK = N_("{score} ({consequence} × {likelihood}): {colour}, {band} – {follow}")
NOT_YET = N_("not yet graded")
RCA_NEEDED = N_("\nRoot cause analysis: needed, not yet recorded")
RCA_DONE = N_("\nRoot cause analysis: {whys} whys; barriers: {barriers}")
BUTTON_GRADE = N_("Grade risk")
BUTTON_THEMES = N_("Themes")
BUTTON_STATUS = N_("Status")
BUTTON_LINK = N_("Link a report")
BUTTON_RCA = N_("Root cause")
BUTTON_ACTION = N_("Action")
BUTTON_NEW_ACTION = N_("New action")
BUTTON_MARK_DONE = N_("Mark {reference} done")
ASK_CONSEQUENCE = N_("{reference}: if it happened again, what would the most likely consequence be?")
ASK_LIKELIHOOD = N_("{reference}: how likely is it to happen again?")
GRADED = N_("{reference} graded: risk {risk}.")
RED_MARKED = N_("Marked for in-depth root cause analysis: tap Root cause to record the five whys.")
ASK_THEMES = N_("{reference}: which themes (contributory factors)? Tap all that apply, then Done.")
THEMES_SET = N_("{reference} themes: {themes}.")
ASK_STATUS = N_("{reference} is {status}. Move it to:")
STATUS_SET = N_("{reference} is now {status}.")
ASK_LINK = N_("Type the reference of a report that shares the same underlying pattern as {reference}.")
LINKED = N_("Linked {reference} and {other}.")
LINK_SELF = N_("A report cannot be linked to itself. Type another reference.")
ASK_WHY = N_("{reference}, why {number} of 5: why did it happen? Type one reason, or tap Done.")
ASK_BARRIERS = N_("Which barriers failed, and which held (what kept the child safe)?")
RCA_RECORDED = N_("Root cause analysis for {reference} recorded.")
ASK_ACTION_PICK = N_("Link {reference} to an open action, or record a new one:")
ASK_ACTION_WHAT = N_(
    "What will change (practice, process or system)? One or two sentences, no names or case details: "
    'reporters are told, and the team may see it in its "you said, we did" post.'
)
ASK_ACTION_OWNER = N_("Who owns it? A role, not a name (e.g. Team manager, Duty senior).")
ASK_ACTION_DUE = N_("Due by when? e.g. 31/1 or next Friday.")
ACTION_RECORDED = N_("Action {action} recorded for {reference}: {what} – {owner}, due {due}.")
ACTION_LINKED = N_("{reference} linked to action {action}.")
ACTION_DONE = N_("Action {action} marked done.")
OPEN_ACTIONS = N_("Actions not yet done:")
ACTION_LINE = N_("{reference} · {what} · {owner} · due {due}{overdue}")
OVERDUE = N_(" · overdue")
NO_OPEN_ACTIONS = N_("No open actions.")
NO_REPORT_OPEN = N_("Open a report first: {open} CODE.")
INPUT_CANCELLED = N_("Stopped. Nothing more was changed.")
DUE_PAST = N_("That date has passed. When is it due?")

ALERT = N_(
    "⚠ Safeguarding alert, team {team}: report {reference} {reason}.\n"
    "Outcome given: {grade}. Where: {where}.\n"
    "What happened: {what}\n"
    "Open it with {open} {reference}."
)
ALERT_GRADED = N_("was graded by its reporter as harm")
ALERT_STATUTORY = N_("was graded life-threatening injury or death: the statutory route applies")
ALERT_RED = N_("was triaged red (risk {score}): in-depth root cause analysis needed")

DIGEST_TITLE = N_("Near-miss digest for {team}, {start} to {end}")
DIGEST_NEW = N_("New reports: {total}")
DIGEST_GRADE_LINE = N_("  {grade}: {count}")
DIGEST_GRADES_HIDDEN = N_("  (not split by grade: some grades had fewer than {small})")
DIGEST_WAITING = N_("Red or amber, awaiting triage:")
DIGEST_WAITING_LINE = NP_(
    "  {reference} · {colour} · waiting {days} day", "  {reference} · {colour} · waiting {days} days"
)
DIGEST_NONE_WAITING = N_("Red or amber awaiting triage: none")
DIGEST_THEMES = N_("Recurring themes: {themes}")
DIGEST_NO_THEMES = N_("Recurring themes: none seen {often} times or more this period")
DIGEST_ACTIONS = N_("Actions done: {done}. Overdue: {overdue}.")
DIGEST_FEEDBACK = N_("Reporters still owed feedback: {owed}")
DIGEST_FEEDBACK_SHARE = N_(
    "Feedback over the last {days} days: {given} of {reports} reports have had some ({share}%); "
    "median time to first feedback {median} days"
)
DIGEST_FEEDBACK_SOME = N_("Feedback over the last {days} days: {given} of {reports} reports have had some")
DIGEST_FEEDBACK_MOST = N_("Feedback over the last {days} days: all but {missing} of {reports} reports have had some")
DIGEST_FEEDBACK_NONE = N_("Feedback over the last {days} days: none of {reports} reports has had any yet")
DIGEST_FEEDBACK_FEW = N_("Feedback over the last {days} days: too few reports to measure")
DIGEST_SMALL = N_("fewer than {small}")

# Telling reporters what changed because they spoke up (never naming anyone).
FEEDBACK_AGREED = N_(
    "About your near-miss report {reference}: because of reports like yours, this will change: "
    "{what} (owner: {owner}, due {due}). Thank you for speaking up."
)
FEEDBACK_DONE = N_(
    "About your near-miss report {reference}: a change it led to is now in place: {what}. "
    "Thank you: reporting made this happen."
)
CLOSED_NOTE = N_(
    "Your near-miss report {reference} is now closed. Thank you for reporting it. "
    "The contact details kept to tell you about it have been deleted."
)
PROGRESS_NOTE = N_(
    "About your near-miss report {reference}: {where}. It has not been forgotten: you will hear when something changes."
)
PROGRESS_WHERE = {
    "submitted": N_("it is waiting for a manager to look at it"),
    "triaged": N_("a manager has looked at it and weighed up the risk"),
    "under_review": N_("it is being looked into"),
    "action_agreed": N_("a change has been agreed and is being put in place"),
}
LEARNING_TITLE = N_("You said, we did: {team}, {start} to {end}")
LEARNING_INTRO = N_("Because people in this team reported near misses, these changes are now in place:")
LEARNING_LINE = N_("• {what}")
LEARNING_MORE = N_("…and {more} more changes: your managers can tell you about them.")
LEARNING_OUTRO = N_("Thank you to everyone who reported. Every report is read, and this is what they changed.")
STATUS_REPORT = N_("{reference}: {status}, sent {day}.")
STATUS_CHANGE = N_("Change agreed: {what}{done}")
STATUS_CHANGE_DONE = N_(" (now in place)")
STATUS_NO_CHANGES = N_("No change has been agreed yet.")
STATUS_UNKNOWN = N_("I don't know the reference {reference}. It looks like NM-7K3F-9Q2C.")
STATUS_TOO_MANY_MISSES = N_(
    "I didn't know several of the references you sent, so I'll look up no more for a while. "
    "Please check your reference and try again later."
)
STATUS_YOURS = N_("Your reports:")
STATUS_ASK = N_("Send {command} with your reference, e.g. {command} NM-7K3F-9Q2C.")
