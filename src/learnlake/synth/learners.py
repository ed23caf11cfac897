"""Synthetic learners: obviously fake people with LMS profiles and a behaviour archetype.

Names come from small lists of invented-sounding names, emails use the reserved example.com
domain, and every value is drawn from a seeded random stream, so the same seed gives the same
people. The archetype drives the activity simulation (how often and how well someone studies).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from learnlake.synth.model import Archetype, Learner, Profile

FIRST_NAMES = [
    "Ada", "Bo", "Cato", "Dara", "Eli", "Fen", "Gia", "Hal", "Ida", "Jo", "Kai", "Lin", "Mo", "Nia",
    "Oli", "Pia", "Quin", "Rae", "Sol", "Tam", "Uma", "Vic", "Wen", "Xan", "Yas", "Zed", "Ari",
    "Bea", "Cy", "Dov", "Ema", "Fio", "Gus", "Hana", "Ivo", "Juno", "Kit", "Lev", "Mika", "Noor",
]  # fmt: skip
LAST_NAMES = [
    "Testwood", "Samplesen", "Mockridge", "Fakely", "Dummond", "Placeholt", "Synthby", "Fixturov",
    "Examplar", "Stubbs", "Pseudon", "Notreal", "Madeupson", "Trialson", "Demoulin", "Fictitia",
    "Invento", "Lorempa", "Ipsumov", "Randall-Seed",
]  # fmt: skip

ARCHETYPE_WEIGHTS: dict[Archetype, float] = {
    "steady": 0.30,
    "binge": 0.15,
    "fading": 0.22,
    "at_risk": 0.18,
    "never_started": 0.15,
}

# ISO 3166 alpha-2 with rough weights, and the language such learners browse in
COUNTRIES = [
    ("US", 18, "en"), ("IN", 14, "en"), ("BR", 7, "pt"), ("MX", 5, "es"), ("ES", 4, "es"),
    ("FR", 4, "fr"), ("DE", 4, "de"), ("GB", 4, "en"), ("NG", 4, "en"), ("EG", 3, "ar"),
    ("CO", 3, "es"), ("CN", 3, "zh"), ("JP", 2, "ja"), ("CA", 3, "en"), ("PK", 3, "en"),
    ("ID", 2, "id"), ("KE", 2, "en"), ("PH", 2, "en"), ("TR", 2, "tr"), ("UA", 2, "uk"),
    ("AR", 2, "es"), ("MA", 2, "fr"), ("VN", 1, "vi"), ("PL", 1, "pl"), ("IT", 1, "it"),
]  # fmt: skip
EDUCATION: list[tuple[str | None, int]] = [
    ("b", 30), ("m", 20), ("hs", 18), ("a", 8), ("p", 5), ("jhs", 3), ("other", 4), ("none", 2), ("el", 1),
    (None, 9),
]  # fmt: skip
GENDERS: list[tuple[str | None, int]] = [("m", 45), ("f", 42), ("o", 3), (None, 10)]
GOALS = [
    "Change careers.",
    "Learn something new.",
    "Earn a certificate.",
    "Prepare for exams.",
    None,
    None,
]


def _pick(rng: random.Random, pairs: list[tuple[str | None, int]]) -> str | None:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _archetype(rng: random.Random) -> Archetype:
    x = rng.random()
    for name, w in ARCHETYPE_WEIGHTS.items():
        x -= w
        if x < 0:
            return name
    return "steady"


def generate_learners(count: int, rng: random.Random, start: dt.datetime) -> list[Learner]:
    """`count` learners with user ids from 1, who joined the site up to two years before `start`
    (a third of them join during the first weeks of the simulated range)."""
    learners = []
    used: set[str] = set()
    for i in range(count):
        user_id = i + 1
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        base = f"{first}{last.replace('-', '')}".lower()
        username = base if base not in used else f"{base}{user_id}"
        used.add(username)
        country, _, lang = rng.choices(COUNTRIES, weights=[w for _, w, _ in COUNTRIES])[0]
        if rng.random() < 0.66:
            joined = start - dt.timedelta(seconds=rng.randrange(1, 730 * 86400))
        else:
            joined = start + dt.timedelta(seconds=rng.randrange(0, 21 * 86400))
        joined = joined.replace(microsecond=rng.randrange(1_000_000))
        yob = None if rng.random() < 0.08 else start.year - int(rng.triangular(15, 70, 26))
        profile = Profile(
            name=f"{first} {last}",
            gender=_pick(rng, GENDERS),
            year_of_birth=yob,
            level_of_education=_pick(rng, EDUCATION),
            country=country if rng.random() < 0.93 else None,
            language=lang,
            city=None,
            goals=rng.choice(GOALS),
        )
        learners.append(
            Learner(
                user_id=user_id,
                username=username,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
                date_joined=joined,
                last_login=None,
                is_staff=False,
                profile=profile,
                external_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                archetype=_archetype(rng),
            )
        )
    return learners
