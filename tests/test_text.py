"""Text cut to what a platform shows in one piece, and Slack's blocks built from it."""

from bot.adapters.slack_views import message_blocks
from flows.chat import Message
from flows.text import split_text


def test_text_is_split_between_lines_and_inside_only_a_line_too_long_alone():
    text = "first line\nsecond line\n" + "x" * 25 + "\nlast"
    parts = split_text(text, 12)
    assert parts == ["first line", "second line", "x" * 12, "x" * 12, "x\nlast"]
    assert split_text("short\ntext", 100) == ["short\ntext"] and split_text("", 5) == [""]


def test_a_long_slack_message_is_several_sections_none_over_slacks_limit():
    text = "\n".join("A change that every agency told about the visit is now listed." for _ in range(120))
    sections = [b["text"]["text"] for b in message_blocks(Message(text)) if b["type"] == "section"]
    assert len(sections) == 3 and all(len(s) <= 3000 for s in sections)
    assert "\n".join(sections) == text
