"""Every view readable: long lines scroll sideways, scroll keys work, columns get room, small terminals."""

from __future__ import annotations

import pytest

from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.screens.routing_view import RoutingView

from .conftest import nginx_session
from .helpers import row, screen_text, select, view_text


async def test_text_views_scroll_sideways_and_with_every_key_help_names(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        select(app, "pods", "kube-system/coredns-797f5c7996-85sqh")
        await pilot.press("enter")
        await pilot.pause()
        body = app.screen.query_one("#view-body")
        assert body.max_scroll_x > 0 and body.max_scroll_y > 0  # nothing is cut: the lines are there to scroll to
        for key, check in [
            ("l", lambda: body.scroll_x > 0),
            ("h", lambda: body.scroll_x == 0),
            ("right", lambda: body.scroll_x > 0),
            ("left", lambda: body.scroll_x == 0),
            ("G", lambda: body.scroll_y == body.max_scroll_y),
            ("g", lambda: body.scroll_y == 0),
            ("end", lambda: body.scroll_y == body.max_scroll_y),
            ("home", lambda: body.scroll_y == 0),
            ("pagedown", lambda: body.scroll_y > 0),
            ("pageup", lambda: body.scroll_y == 0),
            ("j", lambda: body.scroll_y == 1),
            ("k", lambda: body.scroll_y == 0),
        ]:
            await pilot.press(key)
            await pilot.pause(0.3)  # scrolling animates
            assert check(), key
        await pilot.press("l", "l", "l")
        await pilot.pause(0.3)
        assert "Successfully assigned" not in screen_text(app) or body.scroll_x > 0


async def test_a_trace_shows_above_the_rules_and_t_in_a_node_view_traces(make_app):
    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        select(app, "services", "kube-system/kube-dns")
        await pilot.press("r")
        await pilot.press("t")
        await pilot.press("enter")
        await pilot.pause()
        assert view_text(app).startswith("trace ")
        assert "trace " in screen_text(app)  # on screen, not below the iptables dump
        await pilot.press("escape")
        select(app, "nodes", "node01")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RoutingView)
        await pilot.press("t")
        assert isinstance(app.screen, PickScreen) and app.screen.id != "themes"
        assert "to which Service" in app.screen.pick_title
        await pilot.press("enter")
        await pilot.pause()
        assert view_text(app).startswith("trace kube-system/coredns")
        assert app.theme == "ktui-dark"


async def test_wide_columns_get_room_at_160_and_z_maximises(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        app.run_command_line("create quota q --hard=pods=10,cpu=4,memory=8Gi,services=5 -n kube-system")
        await pilot.press("greater_than_sign", "escape")
        await pilot.pause()
        screen = screen_text(app)
        assert "10.244.1.2:53,10.244.2.2:53,10.244.1.2:53 + 3 more..." in screen  # Services ENDPOINTS, whole
        assert "cpu 850m/4, memory 240Mi/8Gi, pods 9/10, services 1/5" in screen  # Namespaces QUOTA, whole
        select(app, "namespaces", "default")
        await pilot.press("z")
        await pilot.pause()
        assert app.main.maximized is app.main.panel("namespaces")
        await pilot.press("z")
        await pilot.pause()
        assert app.main.maximized is None


async def test_80x24_keeps_the_essentials(make_app):
    app = make_app(session=nginx_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_text(app)
        footer = screen.splitlines()[-1]
        assert "? help" in footer and "] step" in footer
        header = next(line for line in screen.splitlines() if "NAME" in line)
        for col in ("NAME", "READY", "STATUS", "AGE"):
            assert col in header
        assert "Running" in screen and "2m" in screen
        await pilot.press("tab")
        await pilot.pause()
        screen = screen_text(app)
        assert "Nodes (3)" in screen and "A fake scenario" in screen  # Nodes and the narration together
        assert "100m (5%)" in screen


@pytest.mark.parametrize("size", [(80, 24), (140, 42)])
async def test_node_resources_read_as_kubectl_describe_prints_them(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        cells = row(app, "nodes", "node01")
        assert cells[-2].endswith("100m (5%)") and cells[-1].endswith("70Mi (1%)")


async def test_a_bad_selector_says_why(make_app):
    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        await pilot.press("slash")
        app.main.query_one("#filter").value = "-l ==bad"
        await pilot.press("enter")
        await pilot.pause()
        assert "not a label selector: found '==', expected: !, identifier, or 'end of string'" in screen_text(app)


async def test_tab_completion_never_repeats_a_name_and_stale_candidates_go(make_app):
    from ktui.tui.widgets.command_line import CommandLine

    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        await pilot.press("colon")
        line = app.main.query_one(CommandLine)
        line.value = "logs -n kube-system etcd-cont"
        await pilot.press("tab")
        assert line.value == "logs -n kube-system etcd-controlplane "
        line.value = "logs etcd-controlplane -n kube-system "
        await pilot.press("tab")
        assert line.value == "logs etcd-controlplane -n kube-system "
        line.value = "describe nodes node0"
        await pilot.press("tab")
        assert app.main.has_class("-output")  # node01  node02
        await pilot.press("1")
        await pilot.pause()
        assert not app.main.has_class("-output")


async def test_the_fault_picker_offers_what_would_change_something(make_app):
    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        select(app, "nodes", "node01")
        await pilot.press("f")
        kinds = [c.split("|")[0] for c, _ in app.screen.choices]
        assert kinds == ["kubelet-stop", "power-off", "network-cut"]
        await pilot.press("enter", "y")
        await pilot.pause()
        await pilot.press("f")
        kinds = [c.split("|")[0] for c, _ in app.screen.choices]
        assert kinds[:3] == ["kubelet-start", "power-off", "network-cut"]


async def test_k9s_keys_delete_kill_previous_logs_and_quit_asks_in_a_scenario(make_app):
    from ktui.tui.screens.dialogs import ConfirmScreen

    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        app.run_command_line("run web --image=nginx")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        select(app, "pods", "default/web")
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.id == "view-logs" and "--previous" in app.screen.view_title
        await pilot.press("escape")
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Run: kubectl delete pod web -n default --grace-period=0 --force?"
        await pilot.press("y")
        await pilot.pause()
        assert "default/web" not in [k for k in app.feed.objects["pods"]]
        select(app, "services", "default/kubernetes")
        await pilot.press("ctrl+d")
        assert app.screen.question == "Run: kubectl delete service kubernetes -n default?"
        await pilot.press("n")
        await pilot.pause()
        assert "cancelled" in str(app.main.query_one("#output").border_title)

    app = make_app(session=nginx_session())
    async with app.run_test(size=(140, 42)) as pilot:
        await pilot.press("right_square_bracket", "q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.return_code is None
        await pilot.press("q", "y")
    assert app.return_code == 0


def test_the_readme_table_lists_every_key():
    from pathlib import Path

    from ktui.tui.keys import KEYS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| keys | what they do |") : readme.index("Text views (describe")]
    for k in KEYS:
        for token in k.label.split():
            if token not in ("↑", "↓"):
                assert f"`{token}`" in table, k


async def test_lang_ko_translates_the_ui_itself(make_app):
    app = make_app(session=nginx_session(), lang="ko")
    async with app.run_test(size=(140, 42)) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        screen = screen_text(app)
        assert "도움말" in screen.rstrip().splitlines()[-1] and "다음 단계" in screen
        assert " 단계 1/3" in screen and "다음: " in screen and "(] 누르기)" in screen
        await pilot.press("question_mark")
        await pilot.pause()
        screen = screen_text(app)
        assert "ktui 키" in screen and "시뮬레이션 시계 재생 / 일시 정지" in screen
        await pilot.press("escape", "colon")
        assert app.main.query_one("#cmdline").placeholder.startswith("kubectl 명령")


async def test_shift_letters_sort_a_panel(make_app):
    from .helpers import rows

    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        app.run_command_line("run web --image=nginx")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        app.main.show_panel("pods")
        await pilot.press("A")
        assert rows(app, "pods")[0] == "default/web"  # the youngest first
        await pilot.press("A")
        assert rows(app, "pods")[-1] == "default/web"
        await pilot.press("N")
        names = [k.split("/")[1] for k in rows(app, "pods")]
        assert names == sorted(names)
        await pilot.press("N")
        assert [k.split("/")[1] for k in rows(app, "pods")] == sorted(names, reverse=True)
        await pilot.press("S")
        assert rows(app, "pods")


async def test_enter_on_a_namespace_scopes_the_panels_and_0_shows_all(make_app):
    from .helpers import rows

    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        app.run_command_line("run web --image=nginx")
        await pilot.pause()
        select(app, "namespaces", "default")
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.active_panel.spec.plural == "pods" and app.screen is app.main
        assert rows(app, "pods") == ["default/web"]
        assert "in default" in app.main.panel("pods").border_title
        assert rows(app, "services") == ["default/kubernetes"]
        assert app.scope == "default"
        await pilot.press("0")
        await pilot.pause()
        assert len(rows(app, "pods")) == 10 and app.scope == ""


async def test_s_opens_a_shell_in_the_selected_pod(make_app):
    from ktui.tui.screens.shell import ShellScreen

    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        app.run_command_line("run web --image=nginx")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        select(app, "pods", "default/web")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)
        await pilot.press(*"cat /etc/resolv.conf", "enter")
        await pilot.pause()
        out = app.screen.transcript
        assert out.startswith("$ cat /etc/resolv.conf\n") and "nameserver 10.96.0.10" in out
        await pilot.press(*"nslookup kubernetes", "enter")  # nginx's image has no nslookup, as the real one
        await pilot.pause()
        assert 'exec: "nslookup": executable file not found in $PATH' in app.screen.transcript
        assert "(exit 126)" in app.screen.transcript
        await pilot.press("escape")
        assert app.screen is app.main


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_event_messages_wrap_instead_of_being_cut(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        strip = app.main.query_one("#events")
        lines = [line for line in screen_text(app).splitlines()[strip.region.y : strip.region.bottom]]
        text = " ".join(" ".join(line.strip("│╭╮╰╯─ ").split()) for line in lines)
        assert "…" not in text
        newest = app.feed.newest_events(1)[0]["message"]
        assert " ".join(newest.split()) in text  # the newest Event, whole, at the bottom
        if size == (160, 48):
            assert (
                'Readiness probe failed: Get "http://10.244.1.2:8181/ready": dial tcp 10.244.1.2:8181: '
                "connect: connection refused" in text
            )
