"""Compare two ``store_digest.py --dump`` files phase by phase, telling apart what a deliberate change may
alter (Event names, which embed the API server's request count) from anything else.

Run by hand: ``python benchmarks/diff_dumps.py before.jsonl after.jsonl``. Exit status 0 when the stores are
the same but for Event names; 1 (and the keys that differ) otherwise.
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def _events(objects: dict) -> Counter:
    """The Events of a store, without their names (nor the keys that hold them)."""
    out: Counter = Counter()
    for key, value in objects.items():
        if key.startswith("/registry/events/"):
            md = dict(value.get("metadata") or {})
            md.pop("name", None)
            out[json.dumps({**value, "metadata": md}, sort_keys=True)] += 1
    return out


def main() -> int:
    before = [json.loads(line) for line in open(sys.argv[1])]
    after = [json.loads(line) for line in open(sys.argv[2])]
    same = True
    for a, b in zip(before, after):
        oa, ob = a["objects"], b["objects"]
        others = sorted(
            k for k in set(oa) | set(ob) if not k.startswith("/registry/events/") and oa.get(k) != ob.get(k)
        )
        ev_a, ev_b = _events(oa), _events(ob)
        renamed = sum(1 for k in oa if k.startswith("/registry/events/") and k not in ob)
        print(
            f"{a['phase']}: {len(oa)} / {len(ob)} objects; other objects that differ: {len(others)}; "
            f"Events the same but for their names: {ev_a == ev_b} ({sum(ev_a.values())} Events, {renamed} renamed)"
        )
        for k in others[:20]:
            print("   differs:", k)
        same = same and not others and ev_a == ev_b
    if len(before) != len(after):
        print(f"phases: {len(before)} / {len(after)}")
        same = False
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
