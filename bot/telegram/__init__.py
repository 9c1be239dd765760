"""The Telegram adapter: TelegramBot (app.py) starts the bot, TelegramListeners answer the
updates; the only package that imports python-telegram-bot."""
