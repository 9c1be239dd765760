"""The store's invariants, checked by `rapport check` and by the property tests."""

from __future__ import annotations

from collections.abc import Iterable

from storage.reminders import next_occurrence
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
            problems.append(f"reminder {reminder.id} is for {reminder.owner}, not on the team")
        if reminder.party_id is not None and store.parties.get(reminder.party_id) is None:
            problems.append(f"reminder {reminder.id} names missing party {reminder.party_id}")
    problems += check_ledger(store)
    problems += check_reminders(store, known)
    problems += check_terms(store)
    return problems


def check_terms(store: Store) -> list[str]:
    """Every deal, contract and certificate names a party that exists."""
    kept = (
        ("deal", store.deals.all()),
        ("contract", store.contracts.all()),
        ("certificate", store.certs.all()),
    )
    return [
        f"{noun} {item.id} names missing party {item.party_id}"
        for noun, items in kept
        for item in items
        if store.parties.get(item.party_id) is None
    ]


def check_reminders(store: Store, known: set[str]) -> list[str]:
    """Every repeat rule reads, and every queued notice is for someone of the team."""
    problems = []
    for reminder in store.reminders.all():
        try:
            next_occurrence(reminder, reminder.due_at)
        except (ValueError, KeyError, TypeError):
            problems.append(f"reminder {reminder.id} has a repeat rule that does not read")
    for notice in store.deliveries.pending():
        if known and notice.to.casefold() not in known:
            problems.append(f"notice {notice.id} is for {notice.to}, not on the team")
    return problems


def check_ledger(store: Store) -> list[str]:
    """Each party's balance is the sum of its ledger entries and never went below zero."""
    problems = []
    running: dict[int, int] = {}
    for entry in store.ledger.all():  # in id order, which is the order they were written
        if store.parties.get(entry.party_id) is None:
            problems.append(f"ledger entry {entry.id} names missing party {entry.party_id}")
        running[entry.party_id] = running.get(entry.party_id, 0) + entry.delta
        if running[entry.party_id] < 0:
            problems.append(f"ledger entry {entry.id} took party {entry.party_id} below zero")
    for party_id in running.keys() | store.ledger.balances().keys():
        kept, summed = store.ledger.balance(party_id), running.get(party_id, 0)
        if kept != summed:
            problems.append(f"party {party_id} balance {kept} is not its ledger sum {summed}")
    return problems
