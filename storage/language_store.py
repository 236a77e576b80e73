"""Reads and writes of people's chosen languages. The caller's unit of work owns the transaction."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LanguageChoice


async def chosen_language(session: AsyncSession, *, people: list[str]) -> str | None:
    """Returns the language a person chose, found by any of their pseudonyms, if they chose one."""
    return await session.scalar(
        select(LanguageChoice.language)
        .where(LanguageChoice.person.in_(people))
        .order_by(LanguageChoice.chosen_at.desc())
        .limit(1)
    )


async def choose_language(session: AsyncSession, *, person: str, language: str, now: datetime) -> None:
    """Records a person's language, replacing any they chose before under this pseudonym."""
    choice = await session.get(LanguageChoice, person)
    if choice is None:
        session.add(LanguageChoice(person=person, language=language, chosen_at=now))
    else:
        choice.language, choice.chosen_at = language, now
