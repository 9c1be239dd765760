"""Rewards: the catalog from the config (`rewards`) and spending points on one (`redeem`)."""

from __future__ import annotations

from dataclasses import replace

from handlers.approvals import approvers
from handlers.context import Context
from handlers.notices import notify
from handlers.parsing import quote_name
from handlers.points import points_line, write_entry
from handlers.reply import Reply, Section, changed, problem
from handlers.resolve import find_party
from handlers.terms.contracts import open_draft
from handlers.verbs import Verb
from storage.ledger import REDEEM
from storage.models import Party, Reward, may_move_points, name_key

EXAMPLE = 'redeem "priority review" for GreenPack'


def rewards(ctx: Context, _word: str, rest: str) -> Reply:
    """`rewards [party]`: the catalog, or what that party can redeem now."""
    catalog = ctx.policy.rewards
    if not catalog:
        return Reply(title="No rewards yet: an admin adds [[rewards]] to the config.")
    text = rest.strip()
    if text.lower().startswith("for "):
        text = text[4:]
    if not text:
        lines = tuple(f"{r.name} — {r.cost} points · {_for_whom(r)}" for r in catalog)
        return Reply(title="Rewards:", sections=(Section(lines=(*lines, f"Try: {EXAMPLE}")),))
    party = find_party(ctx, text, "rewards {party}")
    if isinstance(party, Reply):
        return party
    if party.excluded:
        return problem(f"{party.name} is an excluded supplier: it can't redeem rewards.")
    balance = ctx.store.ledger.balance(party.id)
    fitting = [r for r in catalog if fits(r, party)]
    can = tuple(f"{r.name} — {r.cost} points" for r in fitting if r.cost <= balance)
    later = tuple(f"{r.name} — {r.cost - balance} more needed" for r in fitting if r.cost > balance)
    sections = [Section(title="Can redeem now", lines=can or ("nothing yet",))]
    if later:
        sections.append(Section(title="Not yet", lines=later))
    title = f"Rewards for {party.name}: {points_line(ctx, party)}"
    return Reply(title=title, sections=tuple(sections))


def _for_whom(reward: Reward) -> str:
    return "anyone" if reward.for_role == "any" else f"{reward.for_role}s"


def fits(reward: Reward, party: Party) -> bool:
    """Whether the reward is meant for this kind of party."""
    return reward.for_role == "any" or party.is_(reward.for_role)


def find_reward(ctx: Context, text: str) -> Reward | None:
    """A reward by name, any case, or by a prefix only one reward has."""
    key = name_key(text.strip().strip("\"'"))
    exact = [r for r in ctx.policy.rewards if name_key(r.name) == key]
    prefixed = [r for r in ctx.policy.rewards if key and name_key(r.name).startswith(key)]
    found = exact or prefixed
    return found[0] if len(found) == 1 else None


def _split(ctx: Context, rest: str) -> tuple[Reward, str] | None:
    """The reward and the party text of `<reward> for <party>`, trying each `for`."""
    padded = f" {rest} "
    start = 0
    while (at := padded.lower().find(" for ", start)) >= 0:
        reward = find_reward(ctx, padded[:at])
        if reward is not None:
            return reward, padded[at + 5 :].strip()
        start = at + 1
    return None


def redeem(ctx: Context, _word: str, rest: str) -> Reply:
    """`redeem <reward> for <party>`: spends the reward's cost and tells the party's owner."""
    found = _split(ctx, rest.strip())
    if found is None:
        names = ", ".join(quote_name(r.name) for r in ctx.policy.rewards) or "none configured"
        return problem(f"Redeem which reward for whom? Rewards: {names}.", EXAMPLE)
    reward, party_text = found
    party = find_party(ctx, party_text, f"redeem {quote_name(reward.name)} for {{party}}")
    if isinstance(party, Reply):  # over the limit: refused rather than asked which party
        allowed = may_move_points(ctx.person, reward.cost, ctx.policy)
        return party if allowed else _over_limit(ctx)
    refusal = _refusal(ctx, reward, party)
    if refusal is not None:
        return refusal
    summary = f"Redeemed {reward.name} for {party.name}"
    left = ctx.store.ledger.balance(party.id) - reward.cost
    drafted = ""
    with ctx.store.change(ctx.actor(), summary) as change:
        write_entry(ctx, change, party, -reward.cost, reward.name, REDEEM)
        if reward.kind == "contract":
            drafted = open_draft(ctx, change, party, reward.name, reward.name)
        if party.owner and party.owner.casefold() != ctx.person.handle:
            told = (
                f"{ctx.person.name} redeemed “{reward.name}” for {party.name} ({left} points left)."
            )
            notify(ctx, change, party.owner, Reply(title=told))
    reply = changed(f"{summary}: −{reward.cost} points.", change.entry_id)
    lines = (points_line(ctx, party),) + ((drafted,) if drafted else ())
    return replace(reply, sections=(Section(lines=lines),))


def _refusal(ctx: Context, reward: Reward, party: Party) -> Reply | None:
    """Why this redemption can't happen, or None."""
    if party.excluded:
        return problem(f"{party.name} is an excluded supplier: it can't redeem rewards.")
    if not fits(reward, party):
        return problem(f"“{reward.name}” is for {_for_whom(reward)}; {party.name} is not one.")
    balance = ctx.store.ledger.balance(party.id)
    if reward.cost > balance:
        return problem(
            f"{party.name} has {balance} points; “{reward.name}” costs {reward.cost} "
            f"({reward.cost - balance} more needed)."
        )
    if not may_move_points(ctx.person, reward.cost, ctx.policy):
        return _over_limit(ctx)
    return None


def _over_limit(ctx: Context) -> Reply:
    limit = ctx.policy.award_limit
    return problem(f"Rewards over {limit} points need a manager: {approvers(ctx)}.")


VERBS = (
    Verb(
        "rewards",
        ("rewards", "reward", "catalog"),
        rewards,
        "the rewards catalog, or what a party can redeem",
        ("rewards", "rewards GreenPack"),
    ),
    Verb(
        "redeem",
        ("redeem",),
        redeem,
        "spend a party's points on a reward",
        (EXAMPLE,),
        "The cost is deducted from the balance; the tier stays (it follows points earned).",
    ),
)
