"""Directory fixtures: standing offer fields and a provider who is listed with one."""

import pytest

from movements.app.directory import rules

STANDING_OFFER_FORM = {
    "title": "Pro-bono asylum advice for Syrians in Germany",
    "description": "I am an asylum lawyer in Berlin and advise on first interviews and appeals.",
    "skills": ["asylum", "legal"],
    "languages": ["ar", "en"],
    "countries": ["SY"],
    "capacity": "3",
}


def standing_offer_fields(**changes) -> rules.StandingOfferFields:
    fields = {
        "title": STANDING_OFFER_FORM["title"],
        "description": STANDING_OFFER_FORM["description"],
        "skills": ["asylum", "legal"],
        "languages": ["ar", "en"],
        "countries": ["SY"],
        "everywhere": False,
        "capacity": 3,
    }
    fields.update(changes)
    return rules.StandingOfferFields(**fields)


@pytest.fixture
def standing_offer(provider):
    """`provider` (lawyer_anna) publishes a standing offer, which lists her."""
    return rules.publish(provider, standing_offer_fields())
