"""Every key, through Pilot: what the screen shows and what the cluster did."""

from __future__ import annotations

import pytest
from textual.widgets import Tabs

from ktui.tui.app import SPEEDS
from ktui.tui.screens.dialogs import ConfirmScreen, PickScreen
from ktui.tui.screens.help import HelpScreen
from ktui.tui.widgets.command_line import CommandLine

from .conftest import nginx_session
from .helpers import header, row, rows, select, view_text

SIZE = (140, 42)


async def test_main_screen_shows_the_cluster(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        h = header(app)
        assert "kubernetes" in h and "00:02:00" in h and "2026-01-01 00:02:00Z" in h and "⏸ 1x" in h
        assert "kube-system/etcd-controlplane" in rows(app, "pods")
        assert row(app, "pods", "kube-system/etcd-controlplane")[:4] == [
            "kube-system",
            "etcd-controlplane",
            "1/1",
            "Running",
        ]
        node = row(app, "nodes", "node01")
        assert node[:5] == ["node01", "Ready", "<none>", "2m", "v1.37.1"]
        assert node[5] == "2/110" and node[6].endswith("100m (5%)") and node[7].endswith("70Mi (1%)")
        assert row(app, "services", "kube-system/kube-dns")[2:4] == ["ClusterIP", "10.96.0.10"]
        assert row(app, "namespaces", "default")[:3] == ["default", "Active", "2m"]
        assert app.focused is app.main.panel("pods").table


async def test_space_plays_and_pauses(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = [1000.0]
        app.wall_clock = lambda: clock[0]
        await pilot.press("space")
        assert app.playing and "▶ 1x" in header(app)
        clock[0] += 0.4
        app._tick()
        await pilot.pause()
        assert app.cluster.now == pytest.approx(120.4)
        await pilot.press("space")
        assert not app.playing and "⏸ 1x" in header(app)
        clock[0] += 5
        app._tick()
        assert app.cluster.now == pytest.approx(120.4)


async def test_n_runs_the_next_event(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        due = app.cluster.next_event_time()
        await pilot.press("n")
        await pilot.pause()
        assert app.cluster.now == due
        assert "00:02:00" in header(app) or "00:02:01" in header(app)


async def test_dot_and_greater_advance(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("full_stop")
        await pilot.pause()
        assert app.cluster.now == 121 and "00:02:01" in header(app)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert app.cluster.now == 131 and "00:02:11" in header(app)
        assert row(app, "pods", "kube-system/etcd-controlplane")[5] == "2m11s"


async def test_plus_minus_change_speed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus", "plus")
        assert app.speed == 4 and "4x" in header(app)
        for _ in range(10):
            await pilot.press("plus")
        assert app.speed == SPEEDS[-1] == 64 and "64x" in header(app)
        for _ in range(12):
            await pilot.press("minus")
        assert app.speed == 0.25 and "0.25x" in header(app)


async def test_scenario_steps_forward_and_back(make_app):
    session = nginx_session()
    app = make_app(session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "0/3 A fake scenario" in header(app)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert session.position == 1 and "1/3 Create a pod" in header(app)
        assert "default/web" in rows(app, "pods")
        assert row(app, "pods", "default/web")[3] in ("Pending", "ContainerCreating")
        out = str(app.main.query_one("#output-text").render())
        assert "$ kubectl run web --image=nginx" in out and "pod/web created" in out
        narr = str(app.main.query_one("#narration-text").render())
        assert "nobody has placed it yet" in narr and "Let it run" in narr
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert row(app, "pods", "default/web")[3] == "Running"
        assert row(app, "pods", "default/web")[7] in ("node01", "node02")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert session.position == 1 and app.cluster.now == 120
        assert row(app, "pods", "default/web")[3] in ("Pending", "ContainerCreating")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert "default/web" not in rows(app, "pods")
        assert app.cluster.api.list("pods", "default")["items"] == []


async def test_step_pause_stops_the_clock(make_app):
    app = make_app(session=nginx_session(), playing=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        assert app.playing
        await pilot.press("right_square_bracket")  # "Let it run" has pause: true
        assert not app.playing


async def test_step_keys_without_a_scenario_only_say_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert app.cluster.now == 120
        assert any("No scenario" in n.message for n in app._notifications)


async def test_tab_moves_between_panels(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(app.main.active_panel.spec.plural)
        assert order == ["nodes", "services", "namespaces", "pods"]
        await pilot.press("shift+tab")
        assert app.main.active_panel.spec.plural == "namespaces"
        assert app.focused is app.main.panel("namespaces").table


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["grid", "tabs"])
async def test_tab_and_shift_tab_back_to_back_leave_the_next_key_on_the_panel_chosen_last(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        pods, nodes = app.main.panel("pods"), app.main.panel("nodes")
        node_rows = rows(app, "nodes")
        assert len(node_rows) > 1 and node_rows == sorted(node_rows)

        def pod_names() -> list[str]:
            return [k.split("/")[1] for k in rows(app, "pods")]

        # Real keys, as fast as Pilot sends them: a sort key after them sorts the Pods panel, never the Nodes one.
        await pilot.press("tab", "shift+tab", "N", "N")
        await pilot.pause()
        assert app.main.active_panel is pods and app.focused is pods.table
        assert pod_names() == sorted(pod_names(), reverse=True) and rows(app, "nodes") == node_rows
        # The actions called back to back (nothing handled between them), then the key.
        for _ in range(3):
            app.main.action_focus_panel(1)
            app.main.action_focus_panel(-1)
        await pilot.press("N")
        await pilot.pause()
        assert app.main.active_panel is pods and app.focused is pods.table
        assert pod_names() == sorted(pod_names()) and rows(app, "nodes") == node_rows
        assert pods.has_class("-active") and not nodes.has_class("-active")
        assert app.main.query_one("#tabs", Tabs).active == "tab-pods"  # the tab row shows the same panel
        # A tab chosen on the tab row itself (a click) still shows its panel.
        app.main.query_one("#tabs", Tabs).active = "tab-nodes"
        await pilot.pause()
        assert app.main.active_panel is nodes and app.focused is nodes.table


async def test_arrows_and_jk_move_the_selection(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main.panel("pods")
        first = panel.selected_key
        await pilot.press("j")
        second = panel.selected_key
        assert second != first
        await pilot.press("down", "k")
        assert panel.selected_key == second
        await pilot.press("up")
        assert panel.selected_key == first


@pytest.mark.parametrize(
    "key,kind,expect",
    [
        ("enter", "describe", "Name:"),
        ("y", "yaml", "apiVersion: v1\nkind: Pod"),
        ("d", "describe", "Name:"),
        ("v", "events", "Successfully assigned kube-system/coredns"),
        ("w", "why", "scheduled -> node"),
    ],
)
async def test_detail_views_and_escape(make_app, key, kind, expect):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        select(app, "pods", "kube-system/coredns-797f5c7996-85sqh")
        await pilot.press(key)
        await pilot.pause()
        assert app.screen.id == f"view-{kind}"
        assert expect in view_text(app)
        await pilot.press("escape")
        assert app.screen is app.main


async def test_why_for_a_pending_pod(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.cluster.api.create(
            "pods",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "big"},
                "spec": {"containers": [{"name": "big", "image": "nginx", "resources": {"requests": {"cpu": "16"}}}]},
            },
        )
        await pilot.press("greater_than_sign")
        await pilot.pause()
        select(app, "pods", "default/big")
        await pilot.press("w")
        text = view_text(app)
        assert "unschedulable" in text and "0/3 nodes are available" in text
        assert "Insufficient cpu" in text


async def test_logs_follow_the_clock(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        select(app, "pods", "kube-system/coredns-797f5c7996-85sqh")
        await pilot.press("l")
        await pilot.pause()
        assert app.screen.id == "view-logs"
        before = view_text(app)
        assert "CoreDNS" in before or before  # coredns prints its banner
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert app.cluster.now == 130  # time keys work from the logs view too
        await pilot.press("escape")
        select(app, "nodes", "node01")
        await pilot.press("l")
        assert app.screen is app.main
        assert any("select a pod" in n.message for n in app._notifications)


async def test_slash_filters_the_panel(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.press(*"proxy", "enter")
        await pilot.pause()
        assert rows(app, "pods") == [
            "kube-system/kube-proxy-gxrm2",
            "kube-system/kube-proxy-nvkk7",
            "kube-system/kube-proxy-zbqd5",
        ]
        assert "Pods (3/9)" in app.main.panel("pods").border_title
        await pilot.press("slash")
        filt = app.main.query_one("#filter")
        filt.value = "-l k8s-app=kube-dns"
        await pilot.press("enter")
        await pilot.pause()
        assert [k.split("/")[1][:7] for k in rows(app, "pods")] == ["coredns", "coredns"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(rows(app, "pods")) == 9


async def test_colon_runs_kubectl_and_updates_panels(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        assert isinstance(app.focused, CommandLine)
        await pilot.press(*"create deployment web --image=nginx --replicas=2", "enter")
        await pilot.pause()
        out = str(app.main.query_one("#output-text").render())
        assert "deployment.apps/web created" in out
        assert app.cluster.api.get("deployments", "web", "default")["spec"]["replicas"] == 2
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        web = [k for k in rows(app, "pods") if k.startswith("default/web-")]
        assert len(web) == 2 and all(row(app, "pods", k)[3] == "Running" for k in web)
        await pilot.press("escape")
        assert not app.main.has_class("-output")


async def test_colon_jumps_history_and_completion(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"nodes", "enter")
        assert app.main.active_panel.spec.plural == "nodes"
        await pilot.press("colon", *"svc", "enter")
        assert app.main.active_panel.spec.plural == "services"
        await pilot.press("colon")
        line = app.main.query_one(CommandLine)
        await pilot.press("up")
        assert line.value == "svc"
        await pilot.press("up")
        assert line.value == "nodes"
        await pilot.press("down", "down")
        assert line.value == ""
        line.value = "descr"
        await pilot.press("tab")
        assert line.value == "describe "
        line.value = "describe no"
        await pilot.press("tab")
        assert line.value == "describe node"
        line.value = "describe nodes node0"
        await pilot.press("tab")  # node01 and node02: the candidates are listed
        assert "node01  node02" in str(app.main.query_one("#output-text").render())
        line.value = "cordon node0"
        await pilot.press("escape")
        assert not app.main.has_class("-cmd")


async def test_delete_and_drain_ask_first(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.run_command_line("run web --image=nginx")
        await pilot.pause()
        await pilot.press("colon", *"delete pod web", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.cluster.api.get("pods", "web", "default")
        await pilot.press("colon", *"delete pod web", "enter")
        await pilot.press("y")
        await pilot.pause()
        out = str(app.main.query_one("#output-text").render())
        assert 'pod "web" deleted' in out


async def test_f_injects_a_fault_and_u_undoes_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select(app, "nodes", "node01")
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")  # the first choice: kubelet-stop
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.faults and app.faults[-1].kind == "kubelet-stop"
        evs = app.cluster.api.list("events", "default")["items"]
        assert any(e["reason"] == "FaultInjected" and e["involvedObject"]["name"] == "node01" for e in evs)
        for _ in range(5):
            await pilot.press("greater_than_sign")
        await pilot.pause()
        assert row(app, "nodes", "node01")[1] == "NotReady"
        await pilot.press("u")
        await pilot.press("y")
        for _ in range(2):
            await pilot.press("greater_than_sign")
        await pilot.pause()
        assert not app.faults
        assert row(app, "nodes", "node01")[1] == "Ready"


async def test_f_on_a_service_says_no(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select(app, "services", "default/kubernetes")
        await pilot.press("f")
        assert app.screen is app.main
        assert any("node or a pod" in n.message for n in app._notifications)


async def test_r_routing_for_a_service_node_and_trace(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        select(app, "services", "kube-system/kube-dns")
        await pilot.press("r")
        await pilot.pause()
        text = view_text(app)
        assert "10.96.0.10:53/UDP" in text and "KUBE-SVC-" in text and "*nat" in text
        await pilot.press("t")
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert "trace kube-system/" in view_text(app)
        await pilot.press("escape")
        select(app, "nodes", "node01")
        await pilot.press("r")
        await pilot.pause()
        assert view_text(app).startswith("# iptables-save -t nat on node01")
        assert "-A KUBE-SERVICES" in view_text(app)


async def test_t_picks_and_remembers_a_theme(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "ktui-dark"
        await pilot.press("t")
        assert isinstance(app.screen, PickScreen)
        picker = app.screen
        names = [c for c, _ in picker.choices]
        assert {"ktui-dark", "ktui-light", "high-contrast", "nord"} <= set(names)
        target = names.index("ktui-light")
        current = names.index("ktui-dark")
        for _ in range(abs(target - current)):
            await pilot.press("down" if target > current else "up")
        assert app.theme == "ktui-light"  # previewed
        await pilot.press("enter")
        assert app.theme == "ktui-light"
    from ktui.tui.themes import saved_theme

    assert saved_theme() == "ktui-light"
    again = make_app()
    assert again.theme == "ktui-light"


async def test_question_mark_lists_every_key(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from ktui.tui.keys import KEYS

        table = app.screen.table
        from rich.console import Console

        console = Console(width=120, record=True)
        console.print(table)
        text = console.export_text()
        for k in KEYS:
            assert k.label in text and k.help in text
        await pilot.press("escape")
        assert app.screen is app.main


async def test_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_small_terminal_uses_tabs(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        main = app.main
        assert main.has_class("-narrow")
        assert main.query_one("#tabs").display
        shown = [p.spec.plural for p in main.panels if p.display]
        assert shown == ["pods"]
        await pilot.press("tab")
        shown = [p.spec.plural for p in main.panels if p.display]
        assert shown == ["nodes"]
        assert main.query_one("#tabs").active == "tab-nodes"


async def test_rows_update_in_place_and_flash(make_app, monkeypatch):
    from ktui.tui.widgets.resource_panel import ResourcePanel

    monkeypatch.setattr(ResourcePanel, "FLASH_SECONDS", 60.0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.main.panel("pods")
        app.run_command_line("run web --image=nginx")
        await pilot.pause()
        assert "default/web" in panel._flash
        cells = panel.table.get_row("default/web")
        assert cells[0].spans or cells[0].style  # highlighted with row-changed
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert row(app, "pods", "default/web")[3] == "Running"
        status = panel.table.get_row("default/web")[3]
        assert (
            "pod-running" in panel._styles
            and status.style == panel._styles["pod-running"]
            or any(s.style == panel._styles["pod-running"] for s in status.spans)
            or str(status.style)
        )


@pytest.mark.parametrize("size, side_by_side", [((240, 60), True), ((140, 42), False)])
async def test_a_large_terminal_puts_pods_and_nodes_side_by_side(make_app, size, side_by_side):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        pods, nodes = app.main.panel("pods").region, app.main.panel("nodes").region
        assert (pods.y == nodes.y and nodes.x > pods.x) == side_by_side
        assert pods.width > 0 and nodes.width > 0
