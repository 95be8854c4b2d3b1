"""The seeded generator's UIDs and hex digits are the draws ``uuid`` and ``random.Random.choice`` make from
the same seed (one seed keeps giving one history, whatever formats them)."""

import random
import re
import uuid

from ktui.sim.rng import SeededRandom


def test_uids_are_version_4_uuids_of_the_seeded_draws():
    ours, reference = SeededRandom(42), random.Random(42)
    for _ in range(2000):
        uid = ours.uid()
        assert uid == str(uuid.UUID(int=reference.getrandbits(128), version=4))
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid)


def test_hex_digits_are_the_seeded_choices_and_uids_between_them_stay_in_step():
    ours, reference = SeededRandom(7), random.Random(7)
    for n in (0, 1, 12, 64, 100):
        assert ours.hexdigits(n) == "".join(reference.choice("0123456789abcdef") for _ in range(n))
        assert ours.uid() == str(uuid.UUID(int=reference.getrandbits(128), version=4))
