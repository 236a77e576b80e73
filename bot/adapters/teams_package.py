"""The Teams app package: manifest.json, its Welsh localisation and the two icons, zipped as
Teams' admin centre takes it (`nearmiss teams-package`)."""

import io
import json
import zipfile
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from bot.app.config import ConfigProblem, MsTeamsSettings
from flows import messages as M
from flows.messages import ENGLISH, N_, WELSH, _, speaking

MANIFEST_SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
LOCALISATION_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.Localization.schema.json"
)
ACCENT = "#2C4A6E"
SHORT_DESCRIPTION = N_("Report a near miss in children's social care, confidentially, in two minutes.")
FULL_DESCRIPTION = N_(
    "nearmiss lets people in children's social care report a near miss from their phone in about "
    "two minutes. Reports are confidential: managers never see who reported. Managers triage "
    "reports, get digests and alerts, and tell reporters what changed because they spoke up."
)
COMMAND_FORM = N_("The whole report on one card")
COMMAND_JOIN = N_("Join your team with its invite code")
COMMAND_REPORTS = N_("Managers: open reports for your teams")
COMMAND_OPEN = N_("Managers: one report, to triage")
COMMAND_ACTIONS = N_("Managers: actions not yet done")
# What the bot's command menu offers in a personal chat (Teams shows at most ten).
COMMANDS = (
    ("report", M.COMMAND_REPORT),
    ("form", COMMAND_FORM),
    ("status", M.COMMAND_STATUS),
    ("join", COMMAND_JOIN),
    ("cancel", M.COMMAND_CANCEL),
    ("language", M.COMMAND_LANGUAGE),
    ("help", M.COMMAND_HELP),
    ("reports", COMMAND_REPORTS),
    ("open", COMMAND_OPEN),
    ("actions", COMMAND_ACTIONS),
)


def _texts() -> dict[str, Any]:
    """Returns the manifest's words in the language being spoken."""
    return {
        "name": {"short": "nearmiss", "full": "nearmiss – near-miss reporting"},
        "description": {"short": _(SHORT_DESCRIPTION), "full": _(FULL_DESCRIPTION)},
        "commands": [{"title": word, "description": _(text)} for word, text in COMMANDS],
    }


def manifest(settings: MsTeamsSettings) -> dict[str, Any]:
    """Returns the app manifest for this bot registration, in English with Welsh alongside."""
    missing = [f for f in ("organisation", "website_url", "privacy_url", "terms_url") if not getattr(settings, f)]
    if missing:
        raise ConfigProblem(f"[msteams] needs {', '.join(missing)} for the app package (Teams shows them)")
    with speaking(ENGLISH):
        texts = _texts()
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": "1.17",
        "version": "1.0.0",
        "id": settings.app_id,
        "developer": {
            "name": settings.organisation,
            "websiteUrl": settings.website_url,
            "privacyUrl": settings.privacy_url,
            "termsOfUseUrl": settings.terms_url,
        },
        "name": texts["name"],
        "description": texts["description"],
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "localizationInfo": {
            "defaultLanguageTag": "en-gb",
            "additionalLanguages": [{"languageTag": "cy-gb", "file": "cy.json"}],
        },
        "bots": [
            {
                "botId": settings.app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal"], "commands": texts["commands"]}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def welsh_localisation() -> dict[str, Any]:
    with speaking(WELSH):
        texts = _texts()
    found: dict[str, Any] = {
        "$schema": LOCALISATION_SCHEMA,
        "name.short": texts["name"]["short"],
        "name.full": texts["name"]["full"],
        "description.short": texts["description"]["short"],
        "description.full": texts["description"]["full"],
    }
    for index, command in enumerate(texts["commands"]):
        found[f"bots[0].commandLists[0].commands[{index}].description"] = command["description"]
    return found


def _icon(size: int, *, outline: bool) -> bytes:
    """Returns an icon: the app's letters on its colour (192 px), or white on clear (32 px)."""
    picture = Image.new("RGBA", (size, size), (0, 0, 0, 0) if outline else ACCENT)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=size * 0.45)
    draw.text((size / 2, size / 2), "nm", fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def package(settings: MsTeamsSettings) -> bytes:
    """Returns the zip to upload in Teams' admin centre (or Teams > Apps > Upload a custom app)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(settings), ensure_ascii=False, indent=2))
        archive.writestr("cy.json", json.dumps(welsh_localisation(), ensure_ascii=False, indent=2))
        archive.writestr("color.png", _icon(192, outline=False))
        archive.writestr("outline.png", _icon(32, outline=True))
    return out.getvalue()
