"""The store's invariants, checked by `rapport check` and by the property tests."""

from __future__ import annotations

from collections.abc import Iterable

from storage.store import Store


def check_store(store: Store, people: Iterable[str]) -> list[str]:
    """Every broken invariant, in words; an empty list means the store is sound."""
    known = {p.casefold() for p in people}
    problems = []
    for interaction in store.interactions.all():
        if store.parties.get(interaction.party_id) is None:
            problems.append(
                f"interaction {interaction.id} names missing party {interaction.party_id}"
            )
    for reminder in store.reminders.all():
        if not reminder.owner:
            problems.append(f"reminder {reminder.id} has no owner")
        elif known and reminder.owner.casefold() not in known:
            problems.append(f"reminder {reminder.id} is for {reminder.owner}, not in the config")
        if reminder.party_id is not None and store.parties.get(reminder.party_id) is None:
            problems.append(f"reminder {reminder.id} names missing party {reminder.party_id}")
    return problems
