"""Who may approve what a person may not do alone, named in refusals and told in notices."""

from __future__ import annotations

from handlers.context import Context, Team
from storage.models import Person


def managers(team: Team) -> list[Person]:
    """The team's managers; the admins when there is no manager."""
    found = [p for p in team.members() if p.role == "manager"]
    return found or [p for p in team.members() if p.role == "admin"]


def approvers(ctx: Context) -> str:
    """Whom to ask: the person's own manager, else the team's managers, as names."""
    own = ctx.team.find(ctx.person.manager) if ctx.person.manager else None
    if own is not None and own.is_manager:
        return own.name
    names = [p.name for p in managers(ctx.team) if p.name != ctx.person.name]
    return ", ".join(names) if names else "a manager (none is listed in the config)"
