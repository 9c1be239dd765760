"""The year benchmark's deals, contracts and certificates: built through the router, and the
commands that read and change them, as the reps, buyers and managers type them."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

SIZES = {"deals": 5_000, "contracts": 2_000, "certs": 3_000}
STAGES = ("lead", "qualified", "proposal", "negotiation")
CERT_NAMES = ("ISO 14001", "ISO 9001", "FSC")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def day_words(moment: datetime) -> str:
    """'15 jan 2027': how people type a day."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def deal_lines(
    sizes: dict[str, int], reps: list[Any], customer: Callable[[int], str], now: datetime
) -> Iterator[tuple[Any, str]]:
    """Deals opened through the year; some move on, some are won, some lost."""
    rng = random.Random(13)
    for n in range(sizes["deals"]):
        which = rng.randrange(sizes["customers"])
        rep = reps[which % len(reps)]
        close = now + timedelta(days=rng.randint(-60, 180))
        stage = STAGES[n % 3]
        yield (
            rep,
            (
                f'deal {customer(which)} "Deal {n:05}" {rng.randint(5, 400)}k stage:{stage} '
                f"close:{day_words(close)}"
            ),
        )
        if n % 4 == 0:
            yield rep, f"stage #{n + 1} next"
        if n % 10 == 1:
            yield rep, f"won #{n + 1}"
        elif n % 15 == 2:
            yield rep, f"lost #{n + 1} because price"


def contract_lines(
    sizes: dict[str, int], buyers: list[Any], supplier: Callable[[int], str], now: datetime
) -> Iterator[tuple[Any, str]]:
    rng = random.Random(17)
    for n in range(sizes["contracts"]):
        which = n % sizes["suppliers"]
        start = now - timedelta(days=rng.randint(30, 700))
        end = start + timedelta(days=rng.choice((365, 730)))
        yield (
            buyers[which % len(buyers)],
            (
                f'contract {supplier(which)} "Contract {n:05}" from {day_words(start)} to '
                f"{day_words(end)} value:{rng.randint(10, 900)}k notice:{rng.choice((30, 60, 90))}d"
            ),
        )


def cert_lines(
    sizes: dict[str, int], buyers: list[Any], supplier: Callable[[int], str], now: datetime
) -> Iterator[tuple[Any, str]]:
    rng = random.Random(19)
    for n in range(sizes["certs"]):
        which = n % sizes["suppliers"]
        kind = n // sizes["suppliers"]  # each supplier's first three are the common ones
        name = CERT_NAMES[kind] if kind < len(CERT_NAMES) else f"Cert {kind}"
        expires = now + timedelta(days=rng.randint(-90, 900))
        yield (
            buyers[which % len(buyers)],
            (f'cert {supplier(which)} "{name}" expires {day_words(expires)}'),
        )


def commands(
    store: Any,
    sizes: dict[str, int],
    people: dict[str, Any],
    customer: Callable[[], str],
    supplier: Callable[[], str],
    now: datetime,
    runs: int,
) -> dict[str, tuple[Any, Callable[[], str]]]:
    """The new commands and a line for each run (changes pick deals still open)."""
    rng = random.Random(23)
    rep, buyer, manager = people["rep"], people["buyer"], people["manager"]
    open_ids = [d.id for d in store.deals.all() if d.is_open]
    first_new = max((d.id for d in store.deals.all()), default=0) + 1
    open_ids += range(first_new, first_new + runs)  # what the timed `deal` runs open first
    rng.shuffle(open_ids)
    counter = iter(range(10**6))
    later = day_words(now + timedelta(days=400))
    return {
        "deal": (
            rep,
            lambda: f'deal {customer()} "Bench {next(counter)}" 40k close:end of quarter',
        ),
        "stage": (manager, lambda: f"stage #{rng.choice(open_ids)} {rng.choice(STAGES)}"),
        "won": (manager, lambda: f"won #{open_ids.pop()}"),
        "lost … because": (manager, lambda: f"lost #{open_ids.pop()} because budget cut"),
        "deals mine": (rep, lambda: "deals mine"),
        "deals <party>": (rep, lambda: f"deals {customer()}"),
        "pipeline (a rep's)": (rep, lambda: "pipeline"),
        "pipeline team this quarter": (manager, lambda: "pipeline team this quarter"),
        "contract": (
            buyer,
            lambda: f'contract {supplier()} "Bench {next(counter)}" to {later} value:50k',
        ),
        "contracts expiring in 90d": (buyer, lambda: "contracts expiring in 90d"),
        "cert (renew)": (buyer, lambda: f'cert {supplier()} "ISO 9001" expires {later}'),
        "certs expiring": (buyer, lambda: "certs expiring"),
        "find suppliers policy:failing": (buyer, lambda: "find suppliers policy:failing"),
        "show (a supplier)": (buyer, lambda: f"show {supplier()}"),
    }
