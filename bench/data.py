"""Many realistic requests in an instance's SQLite database, inserted in bulk.

A few authors sign up through the app's own rules (real keys, real argon2). Their requests go
in through the statement peewee's insert_many writes for the model, executed for a thousand
rows at a time by sqlite3's executemany inside transactions: peewee spends about 0.3 ms
building SQL for each row it inserts itself, which would make a million rows take six minutes.
The skills and languages tables and the full-text index (words and facets) are filled
alongside, as the app fills them for each request it stores.
"""

import datetime
import random
import secrets
import time
from pathlib import Path

from movements.app.accounts.rules import register
from movements.app.core import facets
from movements.app.core.db import database
from movements.app.core.models import (
    HelpRequest,
    HelpRequestLanguage,
    HelpRequestSkill,
    RequestText,
    User,
)
from movements.app.core.taxonomy import SKILLS, URGENCIES, countries, languages
from movements.app.factory import create_app

AUTHORS = 8
BATCH = 1000
BATCHES_PER_TRANSACTION = 50
COLUMNS = (
    HelpRequest.id,
    HelpRequest.public_id,
    HelpRequest.author,
    HelpRequest.title,
    HelpRequest.description,
    HelpRequest.country,
    HelpRequest.urgency,
    HelpRequest.visibility,
    HelpRequest.min_stars,
    HelpRequest.status,
    HelpRequest.created_on,
    HelpRequest.expires_on,
)
SEARCH_COLUMNS = (
    RequestText.rowid,
    RequestText.title,
    RequestText.description,
    RequestText.facets,
)
SKILL_COLUMNS = (HelpRequestSkill.help_request, HelpRequestSkill.code)
LANGUAGE_COLUMNS = (HelpRequestLanguage.help_request, HelpRequestLanguage.code)
SEED = 7

TOPICAL = (
    "legal advice lawyer detained detention journalist journalists press report prison court "
    "asylum refugee visa border family families mother students student protest protesters "
    "union workers strike teachers women rights defenders network training security digital "
    "phone encrypted archive video evidence testimony torture release campaign petition song "
    "music artist poster radio translation interpreter parliament policy brief meeting "
    "funding grant donors health trauma support shelter doctor medical urgent safe secure "
    "exile diaspora hearing appeal bail lawyer's organisers election monitoring observers "
    "وکیل بازداشت خبرنگار زندان دادگاه خانواده دانشجو حقوق پناهندگی آموزش امنیت "
    "محامٍ معتقلين صحفي سجن محكمة عائلة طلاب حقوق لجوء تدريب أمن "
    "юрист задержание журналист тюрьма суд семья студенты права убежище "
)
VOCABULARY_SIZE = 20_000
FIRST_TOPICAL_RANK, TOPICAL_SPACING = 30, 25
SYLLABLES = [consonant + vowel for consonant in "kmnstrvdbgfz" for vowel in "aeiou"]


def _vocabulary() -> tuple[list[str], list[float]]:
    """Words with Zipf's frequencies (the r-th most common word 1/r as often as the first).

    Topical words sit at ranks from 30 to about 2,700, among made-up words, so a search for
    one of them matches from a few percent of requests down to a fraction of a percent, as in
    real text, rather than nearly every request as a small vocabulary would.
    """
    rng = random.Random(SEED)
    words, seen = [], set()
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for number, word in enumerate(TOPICAL.split()):
        words[FIRST_TOPICAL_RANK + number * TOPICAL_SPACING] = word
    cumulative, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


WORDS, CUMULATIVE_WEIGHTS = _vocabulary()
STATUSES = [("open", 70), ("matched", 15), ("completed", 10), ("withdrawn", 5)]
VISIBILITIES = [("everyone", 80), ("signed_in", 15), ("stars", 5)]


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, cum_weights=CUMULATIVE_WEIGHTS, k=rng.randint(low, high)))


READER = "bench_reader"
READER_PASSWORD = "a bench account that protects nothing"  # noqa: S105


def reader_account(instance: Path) -> tuple[str, str]:
    """A provider to sign in as, so a benchmark can load pages that are rendered every time."""
    app = create_app(instance_path=instance)
    with app.app_context(), database.connection_context():
        if not User.select().where(User.username == READER).exists():
            register(READER, READER_PASSWORD, "provider", "")
    return READER, READER_PASSWORD


def sign_in_accounts(instance: Path, count: int) -> list[tuple[str, str]]:
    """Providers who sign in with their right password, one per client of a sign-in flood
    (each account counts its own attempts: app/web/throttle.py)."""
    app = create_app(instance_path=instance)
    accounts = [(f"bench_signer_{number}", READER_PASSWORD) for number in range(count)]
    with app.app_context(), database.connection_context():
        for name, password in accounts:
            if not User.select().where(User.username == name).exists():
                register(name, password, "provider", "")
    return accounts


def _authors() -> list[int]:
    existing = [u.id for u in User.select(User.id).where(User.role == User.ACTIVIST)]
    for number in range(len(existing), AUTHORS):
        signed_up, _codes = register(
            f"bench_author_{number}", secrets.token_hex(12), "activist", "IR"
        )
        existing.append(signed_up.user.id)
    return existing


def _rows(rng: random.Random, start_id: int, count: int, authors: list[int]):
    """Rows in the order of COLUMNS, dates as ISO strings as peewee stores them, each with
    its skills and languages."""
    today = datetime.date.today()
    country_codes, language_codes, skill_codes = list(countries()), list(languages()), list(SKILLS)
    for offset in range(count):
        created = today - datetime.timedelta(days=rng.randint(0, 89))
        visibility = _weighted(rng, VISIBILITIES)
        title, description = _text(rng, 5, 14)[:200], _text(rng, 30, 60)
        skills = sorted(rng.sample(skill_codes, rng.randint(1, 3)))
        country = rng.choice(country_codes[:40]) if rng.random() < 0.8 else "IR"
        spoken = sorted({*rng.sample(language_codes, rng.randint(1, 2)), "en"})
        urgency = rng.choice(list(URGENCIES))
        row = (
            start_id + offset,
            secrets.token_urlsafe(9),
            rng.choice(authors),
            title,
            description,
            country,
            urgency,
            visibility,
            rng.randint(1, 5) if visibility == "stars" else 0,
            _weighted(rng, STATUSES),
            created.isoformat(),
            (created + datetime.timedelta(days=90)).isoformat(),
        )
        yield row, skills, spoken


def _statement(model, columns) -> str:
    """The INSERT peewee writes for one row of these columns, with placeholders."""
    sql, _params = model.insert_many([tuple(None for _ in columns)], fields=columns).sql()
    return sql


def fill(instance: Path, total: int) -> float:
    """Add requests until the database holds `total`; returns the seconds it took."""
    app = create_app(instance_path=instance)
    started = time.perf_counter()
    # a request context: the taxonomy names countries in the visitor's language
    with app.test_request_context(), database.connection_context():
        authors = _authors()
        have = HelpRequest.select().count()
        rng = random.Random(SEED + have)
        last = HelpRequest.select(HelpRequest.id).order_by(HelpRequest.id.desc()).scalar()
        next_id = (last or 0) + 1
        insert = _statement(HelpRequest, COLUMNS)
        index = _statement(RequestText, SEARCH_COLUMNS)
        file_skill = _statement(HelpRequestSkill, SKILL_COLUMNS)
        file_language = _statement(HelpRequestLanguage, LANGUAGE_COLUMNS)
        status_at = next(i for i, column in enumerate(COLUMNS) if column is HelpRequest.status)
        remaining = total - have
        database.execute_sql("PRAGMA synchronous = OFF")
        while remaining > 0:
            with database.atomic():
                cursor = database.cursor()
                for _ in range(BATCHES_PER_TRANSACTION):
                    count = min(BATCH, remaining)
                    if count <= 0:
                        break
                    made = list(_rows(rng, next_id, count, authors))
                    cursor.executemany(insert, [row for row, _skills, _spoken in made])
                    cursor.executemany(
                        file_skill, [(row[0], c) for row, skills, _ in made for c in skills]
                    )
                    cursor.executemany(
                        file_language, [(row[0], c) for row, _, spoken in made for c in spoken]
                    )
                    searchable = [
                        (*row[:1], *row[3:5], facets.words(skills, spoken, row[5], row[6]))
                        for row, skills, spoken in made
                        if row[status_at] != "withdrawn"
                    ]
                    cursor.executemany(index, searchable)
                    next_id += count
                    remaining -= count
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started
