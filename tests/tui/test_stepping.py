"""One stepping semantics: the UI's ``]`` and ``ktui scenario run`` reach the same cluster after every step;
``Cluster.settle`` runs between commands everywhere; ``n`` shows what each event did; one clock on screen."""

from __future__ import annotations

import json

import pytest

from ktui.cluster import Cluster
from ktui.scenario import builtin_names, run_scenario
from ktui.scenario.runner import next_step
from ktui.scenario.session import ScenarioSession

from .helpers import header, row, rows, screen_text

SIZE = (140, 42)


def _event_name_without_suffix(o: dict) -> dict:
    md = o.get("metadata") or {}
    return {**o, "metadata": {**md, "name": md.get("name", "").rsplit(".", 1)[0]}}


def fingerprint(cluster: Cluster) -> str:
    """Every stored object of every resource, and the clock: equal fingerprints mean the same cluster.

    An Event's name ends in a number that counts the API server's requests, reads included (api/events.py),
    so a UI that reads the cluster to draw it shifts those suffixes; they are left out of the comparison.
    """
    out = {"now": cluster.now}
    for r in cluster.world.server.registry:
        try:
            items = cluster.api.list(r.plural)["items"]
        except Exception:  # noqa: BLE001 - a resource that cannot be listed (a subresource-only kind)
            continue
        if r.plural == "events":
            items = [_event_name_without_suffix(o) for o in items]
        out[r.plural] = sorted(json.dumps(o, sort_keys=True) for o in items)
    return json.dumps(out, sort_keys=True)


@pytest.mark.parametrize("name", builtin_names())
async def test_the_ui_and_the_runner_reach_the_same_cluster_after_every_step(make_app, name):
    headless = ScenarioSession(name, checkpoints=False)
    expected, transcripts = [], []
    while not headless.done:
        transcripts.append(next_step(headless).render(len(headless.steps)))
        expected.append(fingerprint(headless.cluster))
    report = run_scenario(name, keep_going=True)
    assert [r.render(len(report.scenario.steps)) for r in report.results] == transcripts

    session = ScenarioSession(name)
    app = make_app(session=session)
    async with app.run_test(size=SIZE) as pilot:
        for i, want in enumerate(expected):
            await pilot.press("right_square_bracket")
            assert session.position == i + 1
            assert session.results[-1].ok, f"step {i + 1}: {session.results[-1].error}"
            assert fingerprint(session.cluster) == want, f"{name}: step {i + 1} differs"


async def test_a_new_namespace_takes_a_pod_at_the_next_command_in_the_ui(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.run_command_line("create namespace dev")
        app.run_command_line("run a --image=nginx -n dev")
        await pilot.pause()
        out = str(app.main.query_one("#output-text").render())
        assert "pod/a created" in out and "not found" not in out
        assert "dev/a" in rows(app, "pods")


def test_a_new_namespace_takes_a_pod_at_the_next_step_of_a_scenario(tmp_path):
    f = tmp_path / "ns.yaml"
    f.write_text(
        "name: ns\ntitle: t\ndescription: d\nseed: 0\nsteps:\n"
        "  - run: kubectl create namespace dev\n  - run: kubectl run a --image=nginx -n dev\n"
    )
    report = run_scenario(f)
    assert report.ok, report.transcript()
    assert "pod/a created" in report.transcript()


def test_settle_runs_what_is_due_now_and_never_moves_the_clock():
    c = Cluster.default(seed=0)
    c.kubectl("create namespace dev")
    now = c.now
    assert c.api.list("serviceaccounts", "dev")["items"] == []  # the instant right after the write
    assert c.settle() > 0
    assert c.now == now
    assert [s["metadata"]["name"] for s in c.api.list("serviceaccounts", "dev")["items"]] == ["default"]
    assert c.settle() == 0  # nothing more is due at this instant
    assert c.next_event_time() > now  # what takes time stays in the future


def test_the_local_kubectl_settles_between_commands(tmp_path, monkeypatch, capsys):
    from ktui.cli import main

    monkeypatch.setenv("KTUI_HOME", str(tmp_path / "home"))
    assert main(["cluster", "reset", "--seed", "0"]) == 0
    assert main(["kubectl", "create", "namespace", "dev"]) == 0
    assert main(["kubectl", "run", "a", "--image=nginx", "-n", "dev"]) == 0
    assert "pod/a created" in capsys.readouterr().out


async def test_n_says_what_each_event_did(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.cluster.api.create(
            "pods",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web"},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]},
            },
        )
        seen = ""
        for _ in range(12):
            await pilot.press("n")
            seen = str(app.main.query_one("#output-text").render())
            if "Successfully assigned default/web to node0" in seen:
                break
        assert "watch: 1 pods event reaches system:kube-scheduler" in seen
        assert (
            "kube-scheduler: a scheduling cycle (takes the next pod from its queue) -> bound default/web to "
            "node0" in seen
        )  # what the hop decided, in its headline
        assert "Event Scheduled: Successfully assigned default/web to node0" in seen
        assert "[00:02:00]" in seen
        for _ in range(8):  # the screen's own watch is a hop too: the binding reaches it a few events later
            await pilot.press("n")
        await pilot.pause()
        after = str(app.main.query_one("#output-text").render())
        assert "kubelet on node0" in after  # the kubelet acting on the binding is a later, separate hop
        lines = after.splitlines()
        bound = next(i for i, line in enumerate(lines) if "-> bound default/web" in line)
        assert any("kubelet on node0" in line for line in lines[bound + 1 :])
        assert row(app, "pods", "default/web")[7] in ("node01", "node02")


async def test_the_step_transcript_uses_the_header_clock(make_app):
    session = ScenarioSession("kubelet")
    app = make_app(session=session)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(4):  # step 4 advances 70s
            await pilot.press("right_square_bracket")
        await pilot.pause()
        advanced = str(app.main.query_one("#output-text").render())
        assert "→ [00:03:10]" in advanced and "→ [00:01:10]" not in advanced  # the header's clock, here too
        await pilot.press("right_square_bracket")
        await pilot.pause()
        out = str(app.main.query_one("#output-text").render())
        clock = header(app).split()[2]
        assert clock == "00:03:10" and out.startswith(f"[{clock}] step 5")
        assert "node02         NotReady" in out
        assert "[00:01:10]" not in screen_text(app)
