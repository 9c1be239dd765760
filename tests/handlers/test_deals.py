"""Deals: a rep opens, moves, wins and loses deals; lists, the card, the digest and the pipeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from handlers.context import Team
from handlers.deals.pipeline import pipeline_data
from handlers.router import Router
from storage.models import DealRules
from storage.store import Store
from tests.conftest import Chat


def opened(chat: Chat) -> None:
    chat("add customer Acme Corp")
    reply = chat('deal Acme "Q1 renewal" 48k stage:proposal close:15 jan')
    assert reply.changed, reply.plain()


def test_a_rep_opens_a_deal_and_reads_it_back(chat: Chat, store: Store) -> None:
    opened(chat)
    deal = store.deals.get(1)
    assert deal is not None
    assert (deal.title, deal.value, deal.currency, deal.stage) == (
        "Q1 renewal",
        48000,
        "EUR",
        "proposal",
    )
    assert deal.close == "2027-01-15" and deal.owner == "Ana"
    reply = chat('deal Acme "Support" 1.2m close:end of quarter owner:@nick')
    assert "1,200,000 EUR" in reply.title and "Thu 31 Dec 2026" in reply.title
    assert "lead 10%" in reply.title and "Nick" in reply.title
    labels = [b.label for b in reply.buttons]
    assert labels == ["Won", "Lost", "Next stage (qualified)", "Undo"]


def test_bad_deal_lines_store_nothing(chat: Chat, store: Store) -> None:
    chat("add customer Acme Corp")
    chat("add supplier GreenPack")
    assert not chat('deal Acme "Q1"').ok  # no value
    assert not chat('deal Acme "Q1" 10k close:32 foo').ok
    assert not chat('deal Acme "Q1" 10k stage:won').ok
    assert not chat('deal GreenPack "Boxes" 10k').ok  # not a customer
    assert not chat('deal Nobody "Q1" 10k').ok
    assert store.deals.count() == 0


def test_stage_won_and_lost_by_title_prefix_and_id(chat: Chat, store: Store) -> None:
    opened(chat)
    assert "proposal → negotiation" in chat("stage Q1 negotiation").title
    assert "negotiation → won" in chat("won #1").title
    assert store.deals.get(1).stage == "won"  # type: ignore[union-attr]
    assert not chat("stage #1 proposal").ok  # closed already
    chat('deal Acme "Hardware" 10k')
    asked = chat("lost Hardware")
    assert not asked.ok and "Why was #2 Hardware lost" in asked.title
    assert store.deals.get(2).stage == "lead"  # type: ignore[union-attr]
    reply = chat("lost hardw because went with a cheaper offer")
    assert reply.changed and "lost because went with a cheaper offer" in reply.title
    deal = store.deals.get(2)
    assert deal is not None and deal.reason == "went with a cheaper offer" and deal.closed_at


def test_next_stage_button_moves_on(chat: Chat, store: Store) -> None:
    opened(chat)
    reply = chat("stage #1 next")
    assert "proposal → negotiation" in reply.title
    assert [b.label for b in reply.buttons][:2] == ["Won", "Lost"]
    assert "Next stage" not in " ".join(b.label for b in reply.buttons)  # last open stage


def test_only_the_owner_or_a_manager_changes_a_deal(chat: Chat, store: Store) -> None:
    opened(chat)
    refused = chat("won #1", as_="Nick")
    assert not refused.ok and "Only Ana or a manager" in refused.title
    assert chat("stage #1 negotiation", as_="Maria").changed
    assert store.deliveries.pending_for("Ana")  # the owner hears of it


def test_undo_takes_a_deal_back(chat: Chat, store: Store) -> None:
    opened(chat)
    chat("won #1")
    chat("undo")
    assert store.deals.get(1).stage == "proposal"  # type: ignore[union-attr]
    chat("undo")
    assert store.deals.get(1) is None


def test_deals_lists_by_party_person_and_state(chat: Chat) -> None:
    opened(chat)
    chat('deal Acme "Hardware" 10k owner:@nick')
    chat("lost #2 because budget cut", as_="Nick")
    assert "1 open deal (yours)" in chat.text("deals")
    assert "#1 Q1 renewal · Acme Corp · 48,000 EUR · proposal 50%" in chat.text("deals mine open")
    assert "budget cut" in chat.text("deals @nick lost")
    assert "2 " not in chat("deals acme").title and "1 open deal" in chat("deals acme").title
    assert "No won deals" in chat("deals all won").title


def test_the_card_lists_open_deals(chat: Chat) -> None:
    opened(chat)
    card = chat.text("show acme")
    assert "Open deals (1):" in card and "#1 Q1 renewal · 48,000 EUR" in card


def test_digest_shows_late_and_quiet_deals(chat: Chat) -> None:
    chat("add customer Acme Corp")
    chat('deal Acme "Q1 renewal" 48k close:1 dec')
    chat("add customer Beta")
    chat('deal Beta "Pilot" 5k close:1 mar 2027')
    chat.later(days=20)
    digest = chat.text("digest", as_="Maria")
    assert "deal past close: #1 Q1 renewal" in digest and "⚠ overdue" in digest
    assert "deal gone quiet: #2 Pilot" in digest
    chat("log call with Beta")
    assert "#2 Pilot" not in chat.text("digest", as_="Maria")


def test_pipeline_per_stage_weighted_and_week(chat: Chat) -> None:
    opened(chat)
    chat('deal Acme "Hardware" 10k stage:qualified close:20 dec')
    chat('deal Acme "Nick deal" 100k owner:@nick close:1 dec')
    chat.later(days=8)
    chat("stage Hardware negotiation")
    chat('deal Acme "Fresh" 20k close:end of quarter')
    reply = chat("pipeline")
    text = reply.plain()
    assert reply.title.startswith("Pipeline (yours): 3 open deals, 78,000 EUR, weighted 33,500 EUR")
    assert "negotiation (75%):" in text and "Weighted: 7,500 EUR" in text
    assert "opened 1 (20,000 EUR), moved stage 1" in text and "+7,000 EUR" in text
    team = chat("pipeline", as_="Maria")
    assert "the team's" in team.title and "4 open deals" in team.title
    assert "Past close date (1)" in team.plain() and "Nick deal" in team.plain()
    quarter = chat("pipeline mine this quarter")
    assert "2 open deals" in quarter.title and "Thu 31 Dec 2026" in quarter.title


def test_pipeline_data_is_plain_numbers(chat: Chat, store: Store) -> None:
    opened(chat)
    chat('deal Acme "Later" 10k close:15 mar 2027')
    data = pipeline_data(
        store,
        ["Ana"],
        (date(2027, 1, 1), date(2027, 1, 31)),
        chat.now,
        DealRules(),
        ZoneInfo("Europe/Berlin"),
    )
    proposal = next(s for s in data.stages if s.stage == "proposal")
    assert (data.count, proposal.count, proposal.value, proposal.weighted) == (1, 1, 48000, 24000.0)


def test_stages_and_currency_come_from_the_config(store: Store, team: Team) -> None:
    rules = DealRules(
        stages=(("intro", 0.2), ("offer", 0.6), ("won", 1.0), ("lost", 0.0)), currency="USD"
    )
    custom = replace(team, policy=replace(team.policy, deals=rules))
    chat = Chat(Router(store, custom), custom)
    chat("add customer Acme")
    reply = chat('deal Acme "Q1" 5k')
    assert "5,000 USD" in reply.title and "intro 20%" in reply.title
    assert not chat('deal Acme "Q2" 5k stage:proposal').ok
