"""Pieces of the Telegram adapter that need no server: update ordering and callback data."""

import asyncio
from dataclasses import replace

from telegram import Update

from bot.adapters.telegram import keyboard
from bot.adapters.telegram_order import PerChatOrder
from flows.chat import Action, Answer, Button, Message, decode_button, encode_button
from tests.fakes.telegram import text_update


def update(update_id: int, chat_id: int) -> Update:
    return Update.de_json({"update_id": update_id, **text_update(chat_id, "hi")}, None)


async def test_updates_of_one_chat_run_in_turn_while_other_chats_run_at_once():
    order = PerChatOrder(max_concurrent_updates=16)
    events: list[str] = []
    running = {"now": 0, "most": 0}

    async def handle(name: str, pause: float):
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        events.append(f"start {name}")
        await asyncio.sleep(pause)
        events.append(f"end {name}")
        running["now"] -= 1

    await asyncio.gather(
        order.process_update(update(1, 10), handle("a1", 0.05)),
        order.process_update(update(2, 10), handle("a2", 0.0)),
        order.process_update(update(3, 20), handle("b1", 0.01)),
    )

    assert events.index("end a1") < events.index("start a2"), "one chat's updates never overlap"
    assert running["most"] >= 2, "different chats overlap"
    assert len(order._chats) == 0, "nothing is kept for idle chats"


def test_callback_data_fits_telegram_and_round_trips():
    button = Button(Action.PICK, "Strategy meeting or conference", "where", "strategy_meeting")
    data = encode_button(replace(button, token="AbCdEfGh"))
    assert len(data.encode()) <= 64
    assert decode_button(data) == Answer(Action.PICK, "strategy_meeting", "where", "AbCdEfGh")
    assert decode_button("zz|where|x|t") is None and decode_button("nonsense") is None


def test_short_labels_sit_two_to_a_row_and_controls_on_their_own():
    message = Message(
        "When?",
        options=tuple(Button(Action.PICK, f"Day {i}", "when", str(i)) for i in range(3)),
        controls=(Button(Action.CANCEL, "✖ Cancel", "when"),),
    )
    rows = keyboard(message).inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Day 0", "Day 1"], ["Day 2"], ["✖ Cancel"]]
    assert keyboard(Message("Thanks")) is None
