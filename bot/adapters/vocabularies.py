"""How each platform's users spell the commands: the words the bot tells them to type."""

from flows import messages as M
from flows.commands import Command, Vocabularies, Vocabulary

TELEGRAM = Vocabulary(
    spellings={command: f"/{command}" for command in Command} | {Command.JOIN: "/start"},  # /start CODE joins
    help=M.HELP,
)
TERMINAL = TELEGRAM  # the demo speaks as the Telegram bot does
# Teams' users type a command's word, without a slash (see bot.adapters.teams.WORDS).
TEAMS = Vocabulary(spellings={command: command.value for command in Command}, help=M.TEAMS_HELP)


def slack(command: str) -> Vocabulary:
    """Returns Slack's words under the app's slash command (`[slack] command`)."""
    words = {c: f"{command} {c}" for c in Command} | {Command.START: command, Command.REPORT: command}
    return Vocabulary(spellings=words, help=M.SLACK_HELP, command=command)


def for_platforms(*, slack_command: str | None) -> Vocabularies:
    """Returns every platform's words, by platform name; Slack's only where it is configured."""
    found = {"telegram": TELEGRAM, "terminal": TERMINAL, "msteams": TEAMS}
    return found | ({"slack": slack(slack_command)} if slack_command else {})
