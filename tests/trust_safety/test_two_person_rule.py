"""5 stars: one staff member proposes "known and trusted", a different one confirms."""

import pytest

from movements.app.core.errors import RuleViolation
from movements.app.core.models import Judgement, StaffLogEntry, StarLimit
from movements.app.staff.accounts import remove_staff
from movements.app.trust import evidence
from tests.support.accounts import as_user, post

from .conftest import confirm_post, fresh, give_stars


@pytest.fixture
def known(warden, provider):
    return give_stars(warden, provider, 3)


def test_proposal_alone_gives_no_fifth_star(warden, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice; her firm vouches too")
    assert fresh(known).trust_stars == 3


def test_the_proposer_cannot_confirm_their_own_proposal(warden, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    with pytest.raises(RuleViolation):
        evidence.confirm_known_and_trusted(warden, known)
    assert fresh(known).trust_stars == 3
    assert Judgement.get().confirmed_on is None


def test_a_second_staff_member_confirms_five_stars(warden, keeper, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    evidence.confirm_known_and_trusted(keeper, known)
    assert fresh(known).trust_stars == 5
    judgement = Judgement.get()
    assert judgement.proposed_by_id == warden.id and judgement.confirmed_by_id == keeper.id
    confirmed = StaffLogEntry.get(StaffLogEntry.action == "judgement.confirmed")
    assert confirmed.actor == "keeper" and "proposed by warden" in confirmed.detail


def test_confirming_twice_is_refused(warden, keeper, chief, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    evidence.confirm_known_and_trusted(keeper, known)
    with pytest.raises(RuleViolation):
        evidence.confirm_known_and_trusted(chief, known)
    assert Judgement.get().confirmed_by_id == keeper.id


def test_five_stars_need_staff_to_have_spoken_with_them(warden, provider):
    give_stars(warden, provider, 1)  # an organisation, but no conversation
    with pytest.raises(RuleViolation):
        evidence.propose_known_and_trusted(warden, provider, "Seems fine")
    assert Judgement.select().count() == 0


def test_only_one_judgement_at_a_time(warden, keeper, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    with pytest.raises(RuleViolation):
        evidence.propose_known_and_trusted(keeper, known, "Me too")
    assert Judgement.select().count() == 1


def test_confirming_without_a_proposal_is_refused(keeper, known):
    with pytest.raises(RuleViolation):
        evidence.confirm_known_and_trusted(keeper, known)
    assert fresh(known).trust_stars == 3


def test_staff_lower_stars_with_a_reason_even_with_five(warden, keeper, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    evidence.confirm_known_and_trusted(keeper, known)
    evidence.limit_stars(keeper, fresh(known), 1, "Credible report she shares case files")
    assert fresh(known).trust_stars == 1
    evidence.lift_limit(warden, fresh(known), "Report investigated; unfounded")
    assert fresh(known).trust_stars == 5
    actions = [e.action for e in StaffLogEntry.select().order_by(StaffLogEntry.position)]
    assert actions[-2:] == ["stars.limited", "stars.limit_lifted"]


@pytest.mark.parametrize(
    ("stars", "reason"), [(2, ""), (2, "x" * 301), (5, "too high"), (-1, "no")]
)
def test_lowering_needs_a_limit_of_0_to_4_and_a_reason(warden, known, stars, reason):
    with pytest.raises(RuleViolation):
        evidence.limit_stars(warden, known, stars, reason)
    assert StarLimit.select().count() == 0 and fresh(known).trust_stars == 3


def test_new_evidence_does_not_undo_a_lowering(warden, known):
    evidence.limit_stars(warden, known, 1, "Under review")
    evidence.add_evidence(warden, fresh(known), "spoke", "A second call")
    assert fresh(known).trust_stars == 1


def test_withdrawing_the_judgement_goes_back_to_the_evidence(warden, keeper, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    evidence.confirm_known_and_trusted(keeper, known)
    evidence.withdraw_judgement(warden, fresh(known), "She left the firm")
    assert fresh(known).trust_stars == 3 and Judgement.select().count() == 0


def test_a_departing_staff_members_pending_proposal_goes_with_them(warden, keeper, known):
    evidence.propose_known_and_trusted(warden, known, "Met her twice")
    remove_staff("warden")
    assert Judgement.select().count() == 0
    with pytest.raises(RuleViolation):
        evidence.confirm_known_and_trusted(keeper, known)


def test_the_two_person_rule_through_the_staff_pages(app, warden, keeper, known):
    url = f"/staff/users/{known.username}"
    first = as_user(app, warden)
    proposed = confirm_post(first, url + "/judgement", {"why": "Met her at the bar association"})
    assert proposed.status_code == 302
    same = post(first, url + "/judgement/confirm", {"confirmed": "yes"})
    assert same.status_code == 409
    assert "second staff member" in same.get_data(as_text=True)
    assert fresh(known).trust_stars == 3
    second = as_user(app, keeper)
    assert "Confirm 5 stars" in second.get(url).get_data(as_text=True)
    confirmed = confirm_post(second, url + "/judgement/confirm")
    assert confirmed.status_code == 302
    assert fresh(known).trust_stars == 5


def test_the_confirmation_page_changes_nothing(app, warden, known):
    client = as_user(app, warden)
    page = post(client, f"/staff/users/{known.username}/limit", {"max_stars": "1", "reason": "Why"})
    assert page.status_code == 200 and "Yes, do it" in page.get_data(as_text=True)
    assert StarLimit.select().count() == 0 and fresh(known).trust_stars == 3
