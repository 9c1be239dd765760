"""The deal rules every deal command shares: stages, probabilities, naming a deal, its line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.amounts import money
from handlers.choices import for_asker
from handlers.context import Context
from handlers.days import show_day
from handlers.parsing import party_id_ref
from handlers.reply import Button, Reply, problem
from storage.deals import CLOSED_STAGES, LOST, WON, Deal
from storage.models import DealRules
from storage.store import Store

MAX_CHOICES = 5


def stage_names(rules: DealRules) -> list[str]:
    return [name for name, _ in rules.stages]


def open_stages(rules: DealRules) -> list[str]:
    return [name for name in stage_names(rules) if name not in CLOSED_STAGES]


def probability(rules: DealRules, stage: str) -> float:
    return dict(rules.stages).get(stage, 1.0 if stage == WON else 0.0)


def next_stage(rules: DealRules, stage: str) -> str | None:
    """The open stage after this one (None at the last open stage or when closed)."""
    stages = open_stages(rules)
    if stage not in stages or stage == stages[-1]:
        return None
    return stages[stages.index(stage) + 1]


@dataclass(frozen=True)
class DealClock:
    """When deals are late or quiet, for one reader at one moment (made once per reply)."""

    today: str  # the reader's day, YYYY-MM-DD
    quiet_since: str  # UTC ISO: no interaction since then is quiet
    last_contact: Callable[[int], str | None]

    def overdue(self, deal: Deal) -> bool:
        """Open, with its close day before today."""
        return deal.is_open and bool(deal.close) and deal.close < self.today

    def stale(self, deal: Deal) -> bool:
        """Open, and nobody logged anything with its party for `[deals] stale_days` (counted
        from when it was opened if the party was never contacted)."""
        return (
            deal.is_open and (self.last_contact(deal.party_id) or deal.opened_at) < self.quiet_since
        )


def deal_clock(store: Store, now: datetime, tz: ZoneInfo, rules: DealRules) -> DealClock:
    return DealClock(
        today=now.astimezone(tz).date().isoformat(),
        quiet_since=(now - timedelta(days=rules.stale_days)).isoformat(),
        last_contact=store.interactions.last_contact,
    )


def clock_of(ctx: Context) -> DealClock:
    return deal_clock(ctx.store, ctx.now, ctx.tz, ctx.policy.deals)


def deal_line(
    ctx: Context, deal: Deal, with_party: bool = True, clock: DealClock | None = None
) -> str:
    """'#3 Q1 renewal · Acme · 48,000 EUR · proposal 50% · closes Fri 15 Jan 2027 · Ana'."""
    clock = clock or clock_of(ctx)
    parts = [f"#{deal.id} {deal.title}"]
    party = ctx.store.parties.get(deal.party_id)
    if with_party and party is not None:
        parts.append(party.name)
    parts.append(money(deal.value, deal.currency))
    percent = round(probability(ctx.policy.deals, deal.stage) * 100)
    parts.append(f"{deal.stage} {percent}%" if deal.is_open else deal.stage)
    if deal.is_open and deal.close:
        late = " ⚠ overdue" if clock.overdue(deal) else ""
        parts.append(f"closes {show_day(deal.close)}{late}")
    if deal.stage == LOST and deal.reason:
        parts.append(f"because {deal.reason}")
    parts.append(deal.owner)
    if clock.stale(deal):
        parts.append("⚠ stale")
    return " · ".join(parts)


def deal_buttons(ctx: Context, deal: Deal) -> tuple[Button, ...]:
    """Won / Lost / Next stage for an open deal; nothing for a closed one."""
    if not deal.is_open:
        return ()
    buttons = [Button("Won", f"won #{deal.id}", "primary"), Button("Lost", f"lost #{deal.id}")]
    upcoming = next_stage(ctx.policy.deals, deal.stage)
    if upcoming is not None:
        buttons.append(Button(f"Next stage ({upcoming})", f"stage #{deal.id} next"))
    return tuple(buttons)


def find_deal(ctx: Context, text: str, command_for: str) -> Deal | Reply:
    """The deal `#id`, a title or a unique prefix names; else the reply that asks which one.

    `command_for` is the command with `{deal}` where the deal reference stands (its first one:
    what follows may be the person's own text, braces and all).
    """
    text = text.strip().strip("\"'“”")
    if not text:
        return problem("Which deal? Name it by its title or #id.", "won #3")
    deal_id = party_id_ref(text)
    if deal_id is not None:
        found = ctx.store.deals.get(deal_id)
        return found or problem(f"There is no deal #{deal_id}.", "deals mine")
    for lookup in (ctx.store.deals.titled, ctx.store.deals.with_prefix):
        matches = lookup(text)
        open_ones = [d for d in matches if d.is_open]
        matches = open_ones or matches  # a closed deal of the same name is rarely meant
        if len(matches) == 1:
            return matches[0]
        if matches:
            return _ask_which(ctx, matches, text, command_for)
    return problem(f"I don't know a deal called “{text}”.", "deals mine")


def _ask_which(ctx: Context, deals: list[Deal], text: str, command_for: str) -> Reply:
    buttons = []
    for deal in deals[:MAX_CHOICES]:
        party = ctx.store.parties.get(deal.party_id)
        label = f"{deal.title} ({party.name if party else '?'}, #{deal.id})"
        command = command_for.replace("{deal}", f"#{deal.id}", 1)
        buttons.append(Button(label, for_asker(ctx.person, command)))
    return Reply(title=f"Which deal do you mean by “{text}”?", buttons=tuple(buttons), ok=False)
