"""What is kept no longer: idle drafts (each reporter told gently), contacts and closed reports
past their retention periods, outbox messages too old to send, and events too old to be redelivered."""

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm.exc import StaleDataError

from bot.app.config import Settings
from bot.services.languages import language_for, team_language
from bot.services.reporters import Reporters
from bot.services.sender import Notice
from flows.messages import speaking
from storage import outbox_store, report_store
from storage.database import Database
from storage.keys import KeyProblem

log = logging.getLogger(__name__)

EVENT_MEMORY = timedelta(days=2)  # platforms redeliver unconfirmed events for a day; remember them for two


class Housekeeping:
    def __init__(self, *, database: Database, reporters: Reporters, settings: Settings) -> None:
        self._database = database
        self._reporters = reporters
        self._settings = settings
        self._retention = settings.retention

    async def sweep(self) -> list[Notice]:
        """Deletes what is kept no longer; returns a gentle note for each reporter whose idle
        draft was cleared."""
        now, retention = self._reporters.clock(), self._retention
        contacts_before = now - timedelta(days=retention.contacts_days)
        closed_days = retention.closed_reports_days
        async with self._database.unit() as session:
            await report_store.forget_events(session, before=now - EVENT_MEMORY)
            await report_store.purge(
                session,
                contacts_before=contacts_before,
                closed_before=now - timedelta(days=closed_days) if closed_days else None,
            )
            await outbox_store.give_up_on_old(session, queued_before=contacts_before, now=now)
        async with self._database.unit() as session:
            expired = [draft.id for draft in await report_store.expired_drafts(session, now=now)]
        notices = []
        for draft_id in expired:  # one at a time: one bad draft must not keep the others
            try:
                notice = await self._expire(draft_id, now)
            except StaleDataError:
                continue  # the reporter came back just now; the draft is theirs again
            if notice is not None:
                notices.append(notice)
        if notices:
            log.info("expired %d idle drafts", len(notices))
        return notices

    async def _expire(self, draft_id: str, now: datetime) -> Notice | None:
        """Deletes one idle draft; returns the note for its reporter if they can be reached."""
        async with self._database.unit() as session:
            draft = await report_store.get_draft_by_id(session, draft_id=draft_id)
            if draft is None or draft.expires_at > now:
                return None
            try:
                address = await report_store.open_draft_contact(session, keys=self._reporters.keys(), draft_id=draft.id)
            except KeyProblem:
                address = None  # its key is gone: the draft goes all the same, with no note
                log.error("an idle draft's contact could not be opened; deleted without a note")
            notice = None
            if address:
                default = team_language(self._settings, draft.team)
                with speaking(
                    await language_for(session, keys=self._reporters.keys(), address=address, default=default)
                ):
                    notice = Notice(address["platform"], address["chat"], self._reporters.expired(address["platform"]))
            await report_store.delete_draft(session, draft=draft)
        return notice
