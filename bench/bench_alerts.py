"""Matching a new request against 100,000 saved alerts, and what a wrong feed token costs.

    .venv/bin/python bench/bench_alerts.py [--alerts 100000] [--requests 60] [--runs 5]

Alerts are spread over 5,000 accounts as people would save them: a skill on most, a country on
many, a language on half, an urgency on few, one or two words on a third. Requests are drawn as
bench/data.py draws them. Each figure is the median over the requests (each timed --runs times,
its median kept), beside its baseline: reading every alert and filtering in Python, which is
what an index-free design would do for each request. "announce" is the whole step a posted
request takes: the indexed query, recording each match and one notification per owner, timed
inside a transaction that is rolled back so every request meets the same alerts.

Feed tokens: the time of a 404 for a wrong token, a malformed one and a revoked one, beside the
time of a feed that exists; they should not differ by more than the noise.
"""

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.data import TOPICAL, _text
from movements.app.alerts import matching, words
from movements.app.core.db import database
from movements.app.core.models import (
    Alert,
    AlertWord,
    HelpRequest,
    HelpRequestLanguage,
    HelpRequestSkill,
    User,
    codes_of,
    today,
)
from movements.app.core.taxonomy import SKILLS, URGENCIES
from movements.app.factory import create_app
from movements.app.keys import feed_tokens

OWNERS = 5_000
SEED = 17
BATCH = 1_000
COUNTRIES = ["IR", "SY", "RU", "CN", "BY", "VN", "MM", "ET", "SA", "EG", "TR", "VE", "CU", "NI"]
LANGUAGES = ["fa", "ar", "ru", "zh", "en", "fr", "es", "tr", "vi", "my", "am", "th", "sw", "pt"]
ALERT_COLUMNS = (
    Alert.id,
    Alert.public_id,
    Alert.owner,
    Alert.name,
    Alert.skill,
    Alert.country,
    Alert.language,
    Alert.urgency,
    Alert.words,
    Alert.word_count,
    Alert.paused,
    Alert.created_on,
)


def _statement(model, columns) -> str:
    sql, _params = model.insert_many([tuple(None for _ in columns)], fields=columns).sql()
    return sql


def _owners(rng: random.Random) -> list[int]:
    rows = [
        {
            "username": f"bench_owner_{n}",
            "username_key": f"bench_owner_{n}",
            "username_skeleton": f"bench_owner_{n}",
            "password_hash": "-",
            "role": "provider" if n % 10 else "activist",
            "trust_stars": rng.choice([0, 0, 1, 2, 3, 4]),
        }
        for n in range(OWNERS)
    ]
    with database.atomic():
        for start in range(0, len(rows), BATCH):
            User.insert_many(rows[start : start + BATCH]).execute()
    return [u.id for u in User.select(User.id).where(User.username.startswith("bench_owner_"))]


def _maybe(rng: random.Random, share: float, choices: list[str]) -> str:
    return rng.choice(choices) if rng.random() < share else ""


def fill_alerts(rng: random.Random, count: int, owners: list[int]) -> None:
    topical = TOPICAL.split()
    insert, insert_word = (
        _statement(Alert, ALERT_COLUMNS),
        _statement(AlertWord, (AlertWord.alert, AlertWord.word)),
    )
    database.execute_sql("PRAGMA synchronous = OFF")
    with database.atomic():
        cursor = database.cursor()
        for start in range(1, count + 1, BATCH):
            alerts, alert_words = [], []
            for alert_id in range(start, min(start + BATCH, count + 1)):
                typed = (
                    " ".join(rng.sample(topical, rng.randint(1, 2))) if rng.random() < 0.35 else ""
                )
                folded = words.terms(typed, words.ALERT_WORDS_MAX)
                alerts.append(
                    (
                        alert_id,
                        secrets.token_urlsafe(9),
                        rng.choice(owners),
                        "",
                        _maybe(rng, 0.85, list(SKILLS)),
                        _maybe(rng, 0.6, COUNTRIES),
                        _maybe(rng, 0.5, LANGUAGES),
                        _maybe(rng, 0.1, list(URGENCIES)),
                        typed,
                        len(folded),
                        rng.random() < 0.05,
                        today().isoformat(),
                    )
                )
                alert_words += [(alert_id, word) for word in folded]
            cursor.executemany(insert, alerts)
            cursor.executemany(insert_word, alert_words)


def make_requests(rng: random.Random, count: int, author: int) -> list[HelpRequest]:
    made = []
    with database.atomic():
        for _ in range(count):
            help_request = HelpRequest.create(
                author=author,
                title=_text(rng, 5, 14)[:200],
                description=_text(rng, 30, 60),
                country=rng.choice(COUNTRIES),
                urgency=rng.choice(list(URGENCIES)),
                visibility=rng.choice(["everyone"] * 8 + ["signed_in", "stars"]),
                min_stars=2,
                expires_on=today().replace(year=today().year + 1),
            )
            skills = rng.sample(list(SKILLS), rng.randint(1, 3))
            spoken = {*rng.sample(LANGUAGES, rng.randint(1, 2)), "en"}
            for table, codes in ((HelpRequestSkill, skills), (HelpRequestLanguage, spoken)):
                table.insert_many(
                    [{"help_request": help_request, "code": code} for code in codes]
                ).execute()
            made.append(help_request)
    return made


def timed(call, runs: int) -> tuple[float, object]:
    """Median milliseconds of `runs` calls, and what the last call returned.

    Processor time of this process, not wall time: on cores shared with other work, wall time
    mostly measures the others (SQLite runs in this process, so its work is counted).
    """
    times, result = [], None
    for _ in range(runs):
        started = time.process_time()
        result = call()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), result


def announce_rolled_back(help_request: HelpRequest) -> int:
    with database.atomic() as transaction:
        told = matching.announce(help_request)
        transaction.rollback()
    return told


def python_scan(help_request: HelpRequest) -> int:
    """The baseline: every alert and its words read, the filters applied in Python."""
    alert_words: dict[int, set[str]] = {}
    for alert_id, word in AlertWord.select(AlertWord.alert, AlertWord.word).tuples():
        alert_words.setdefault(alert_id, set()).add(word)
    text = set(words.terms(f"{help_request.title} {help_request.description}"))
    skills = set(codes_of(HelpRequestSkill, help_request.id))
    languages = set(codes_of(HelpRequestLanguage, help_request.id))
    found = 0
    query = Alert.select(
        Alert.id, Alert.paused, Alert.skill, Alert.country, Alert.language, Alert.urgency
    )
    for alert_id, paused, skill, country, language, urgency in query.tuples():
        if paused or (skill and skill not in skills) or (language and language not in languages):
            continue
        if (country and country != help_request.country) or (
            urgency and urgency != help_request.urgency
        ):
            continue
        if alert_words.get(alert_id, set()) <= text:
            found += 1
    return found


def feed_timings(app, runs: int) -> dict[str, float]:
    """Median microseconds per answer, the four kinds of address interleaved."""
    owner = User.get(User.username == "bench_owner_1")
    revoked = feed_tokens.turn_on(owner)
    valid = feed_tokens.turn_on(owner)
    paths = {
        "existing feed (200)": f"/feeds/{valid}",
        "wrong token (404)": f"/feeds/{secrets.token_urlsafe(feed_tokens.TOKEN_BYTES)}",
        "revoked token (404)": f"/feeds/{revoked}",
        "malformed token (404)": "/feeds/not-a-token",
    }
    client = app.test_client()
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(runs):
        for name, path in paths.items():
            started = time.perf_counter()
            response = client.get(path)
            times[name].append((time.perf_counter() - started) * 1e6)
            assert response.status_code == (200 if "200" in name else 404), (name, response)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5, help="timings per request; median kept")
    a = parser.parse_args()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="movements-bench-alerts-") as folder:
        app = create_app(instance_path=Path(folder) / "instance")
        with app.app_context(), database.connection_context():
            started = time.perf_counter()
            owners = _owners(rng)
            fill_alerts(rng, a.alerts, owners)
            database.execute_sql("ANALYZE")
            author = User.get(User.role == User.ACTIVIST).id
            sample = make_requests(rng, a.requests, author)
            print(
                f"{Alert.select().count():,} alerts ({AlertWord.select().count():,} words) of "
                f"{len(owners):,} accounts; filled in {time.perf_counter() - started:.0f} s; "
                f"{a.requests} requests, each timed {a.runs} times (median kept)\n"
            )
            query, announce, found, told = [], [], [], []
            for help_request in sample:
                ms, rows = timed(
                    lambda r=help_request: list(matching.candidates(r).tuples()), a.runs
                )
                query.append(ms)
                found.append(len(rows))
                ms, owners_told = timed(lambda r=help_request: announce_rolled_back(r), a.runs)
                announce.append(ms)
                told.append(owners_told)
            scans = [timed(lambda r=r: python_scan(r), 1)[0] for r in sample[:5]]
            print(f"{'processor time':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            for name, values in (
                ("indexed query: alerts that match", query),
                ("announce: query + record + notify", announce),
                ("baseline: read every alert, filter in Python", scans),
            ):
                ordered = sorted(values)
                p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
                print(
                    f"{name:<44} {statistics.median(values):>8.1f} {p95:>8.1f} {max(values):>8.1f}"
                )
            print(
                f"\nalerts matched per request: median {statistics.median(found):.0f}, "
                f"max {max(found)}; owners told: median {statistics.median(told):.0f}, "
                f"max {max(told)}"
            )
        with app.app_context():  # each page opens and closes its own connection
            print(f"\n{'feed address':<24} {'µs (median of ' + str(a.runs * 40) + ')':>24}")
            for name, value in feed_timings(app, a.runs * 40).items():
                print(f"{name:<24} {value:>24.0f}")


if __name__ == "__main__":
    main()
