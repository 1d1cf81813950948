"""Outside the staff area, a staff account answers exactly as a name that does not exist."""

import re

import pytest

from movements.app.core.models import Block, Report
from tests.support.accounts import as_user, post

TOKEN = re.compile(r'name="csrf_token"[^>]*>')


def shown(response, name: str) -> tuple[int, str]:
    """Status and page, less the CSRF token, which carries the second it was made, and with
    the name asked for made anonymous (the language link carries the page's own address)."""
    page = TOKEN.sub("", response.get_data(as_text=True))
    return response.status_code, page.replace(name, "NAME")


def answers(client, name: str) -> list[tuple[int, str]]:
    """What a member sees at every address that takes a username."""
    seen = []
    for url in (
        f"/users/{name}",
        f"/users/{name}/block",
        f"/report?target=user:{name}",
        f"/users/{name}/vouch",
        f"/providers/{name}/invite",
    ):
        seen.append(shown(client.get(url), name))
    for url, form in (
        (f"/users/{name}/block", {}),
        (f"/users/{name}/unblock", {}),
        (f"/report?target=user:{name}", {"reason": "scam"}),
        (f"/users/{name}/vouch", {}),
    ):
        seen.append(shown(post(client, url, form), name))
    return seen


@pytest.mark.parametrize("member", ["activist", "provider"])
def test_a_staff_name_answers_as_a_name_that_does_not_exist(app, warden, member, request):
    client = as_user(app, request.getfixturevalue(member))
    assert answers(client, warden.username) == answers(client, "nobody_here")
    assert Block.select().count() == 0 and Report.select().count() == 0


def test_a_staff_name_answers_other_staff_as_a_name_that_does_not_exist(app, warden, keeper):
    client = as_user(app, keeper)
    assert answers(client, warden.username) == answers(client, "nobody_here")
