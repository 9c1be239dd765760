"""`python -m bot …` is the `rapport` command: run as a module, `bot/` never lands on sys.path,
where `bot/telegram/app.py` would shadow python-telegram-bot."""

import sys

from bot.cli import main

sys.exit(main())
