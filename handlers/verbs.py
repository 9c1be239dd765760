"""What a verb is: the words that start it, the function that answers it, and its help."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.context import Context
from handlers.reply import Reply

Run = Callable[[Context, str, str], Reply]  # (context, the verb word as typed, the rest)


@dataclass(frozen=True)
class Verb:
    """One verb of the command language; `words` are every first word that starts it."""

    name: str
    words: tuple[str, ...]
    run: Run
    summary: str
    examples: tuple[str, ...]
    details: str = ""

    @property
    def usage(self) -> str:
        return self.examples[0]
