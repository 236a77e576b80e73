"""The bare python-telegram-bot echo bot the throughput benchmark compares nearmiss with.

python bench/echo_bot.py BASE_URL TOKEN MAX_CONCURRENT
"""

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    base_url, token, concurrent = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = Application.builder().token(token).base_url(base_url).concurrent_updates(concurrent).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=["message"], drop_pending_updates=False)


if __name__ == "__main__":
    main()
