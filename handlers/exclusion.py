"""How an excluded supplier is marked wherever it is shown: the card, lists, a log's reply."""

from __future__ import annotations

from storage.models import Party

EXCLUDED_WARNING = "⚠ EXCLUDED supplier"


def exclusion_warning(party: Party) -> str:
    """The warning an excluded supplier carries everywhere it is shown, with the reason."""
    if not party.excluded:
        return ""
    reasons = [c["reason"] for c in party.status_history if c.get("status") == "excluded"]
    return f"{EXCLUDED_WARNING}: {reasons[-1]}" if reasons else EXCLUDED_WARNING
