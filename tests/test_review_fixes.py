"""Regressions found in review: packaging, Slack markup, spreadsheet formulas, and a sweep that
must go on past one bad draft."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import update

from bot.adapters.slack import plain_text
from bot.app.services import vocabularies
from bot.services.housekeeping import Housekeeping
from bot.services.reporting import Reporting
from bot.services.sender import Sender
from flows.masking import mask
from storage.keys import Keys
from storage.models import Contact
from tests.conftest import MEMBER
from tests.helpers import all_rows

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_the_masker_reads_is_packaged():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["flows"]
    for data_file in (ROOT / "flows" / "data").iterdir():
        assert any(fnmatch(f"data/{data_file.name}", p) for p in patterns), data_file.name


def test_slack_mentions_and_links_are_plain_text_then_masked():
    typed = plain_text("Told <@U024BE7LH> &amp; <https://x.invalid/a|the policy> in <#C01|general>")
    assert typed == "Told @U024BE7LH & the policy in #general", "a link keeps the words shown for it"
    assert mask(typed).text == "Told [handle] & the policy in #general"
    emailed = plain_text("Mum on <mailto:jo.smith@example.org|jo.smith@example.org> or <https://x.invalid/b>")
    assert emailed == "Mum on jo.smith@example.org or https://x.invalid/b"
    assert mask(emailed).text == "Mum on [email] or [link]", "not mailto:[email]"


async def test_the_sweep_goes_on_past_a_draft_whose_contact_cannot_be_opened(database, keys, settings, clock):
    reporting = Reporting(
        database=database, keys=keys, settings=settings, vocabularies=vocabularies(settings), clock=clock
    )
    first, second = Sender("telegram", str(MEMBER), str(MEMBER)), Sender("telegram", "2002", "2002")
    await reporting.start(first)
    await reporting.start(second)
    stranger_key = Keys(keys.pseudonym_key, Fernet.generate_key())
    key_id, ciphertext = stranger_key.seal('{"platform": "telegram", "chat": "1"}')
    async with database.unit() as session:  # one contact sealed with a key this bot does not hold
        first_draft = (await all_rows(database))["drafts"][0]["id"]
        await session.execute(
            update(Contact).where(Contact.draft_id == first_draft).values(key_id=key_id, ciphertext=ciphertext)
        )
    clock.advance(hours=25)

    notices = await Housekeeping(database=database, reporters=reporting.reporters, settings=settings).sweep()

    assert len(notices) == 1
    assert (await all_rows(database))["drafts"] == []
