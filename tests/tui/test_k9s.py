"""k9s habits still missing before: ``e`` edits in an editor screen (kubectl edit's rules), ``:deploy``-style panels
of any kind, and the namespace scope remembered across runs."""

from __future__ import annotations

import sys

import pytest
import yaml
from textual.widgets import TextArea

from ktui.cluster import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.kubectl.tables import columns_for
from ktui.tui.screens.dialogs import ConfirmScreen
from ktui.tui.screens.edit import EditScreen

from .helpers import row, rows, screen_text, view_text

SIZE = (140, 42)


def _output(app) -> str:
    return str(app.main.query_one("#output-text").render())


async def _edit_web(app, pilot) -> TextArea:
    app.run_command_line("create deployment web --image=nginx --replicas=2")
    await pilot.press("colon", *"deploy", "enter")
    await pilot.pause()
    assert app.main.generic.select_key("default/web")
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, EditScreen)
    return app.screen.query_one(TextArea)


async def test_e_edits_reopens_on_an_invalid_object_and_applies_as_a_patch(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        area = await _edit_web(app, pilot)
        assert area.text.startswith("# Please edit the object below. Lines beginning with a '#' will be ignored,\n")
        assert "kind: Deployment" in area.text and "  replicas: 2\n" in area.text
        # meanwhile someone else changes the object: kubectl edit sends a patch, so this is no conflict
        app.cluster.api.patch("deployments", "web", {"metadata": {"labels": {"team": "a"}}}, "default")
        area.load_text(area.text.replace("replicas: 2", "replicas: -1"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)  # kept open, as kubectl reopens the file
        assert (
            '#\n# deployments.apps "web" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater '
            "than or equal to 0\n#\napiVersion: apps/v1\n" in area.text
        )
        assert app.screen.status.startswith('error: deployments.apps "web" is invalid')
        assert 'error: deployments.apps "web" is invalid' in screen_text(app)
        assert app.cluster.api.get("deployments", "web", "default")["spec"]["replicas"] == 2
        area.load_text(area.text.replace("replicas: -1", "replicas: 3"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.main
        assert "$ kubectl edit deployment/web -n default\ndeployment.apps/web edited" in _output(app)
        web = app.cluster.api.get("deployments", "web", "default")
        assert web["spec"]["replicas"] == 3 and web["metadata"]["labels"]["team"] == "a"
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert row(app, "deployments", "default/web")[2] == "3/3"  # the panel follows the watch


async def test_edit_cancel_and_unchanged_save_change_nothing(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        area = await _edit_web(app, pilot)
        rv = app.cluster.api.get("deployments", "web", "default")["metadata"]["resourceVersion"]
        area.load_text(area.text.replace("replicas: 2", "replicas: 5"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main and "(cancelled: nothing changed)" in _output(app)
        assert app.cluster.api.get("deployments", "web", "default")["metadata"]["resourceVersion"] == rv
        await pilot.press("e", "ctrl+s")
        await pilot.pause()
        assert app.screen is app.main and "Edit cancelled, no changes made." in _output(app)
        assert app.cluster.api.get("deployments", "web", "default")["metadata"]["resourceVersion"] == rv


async def test_edit_errors_stay_in_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        area = await _edit_web(app, pilot)
        area.load_text(area.text.replace("  name: web\n", "  name: web2\n"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        assert app.screen.status == "error: At least one of apiVersion, kind and name was changed"
        area.load_text(area.text.replace("  name: web2\n", "  name: web\n").replace("spec:\n", "spec: [\n", 1))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        assert (
            '# deployments.apps "web" was not valid:\n# * <nil>: Invalid value: "The edited file failed '
            'validation": error converting YAML to JSON: yaml: line' in area.text
        )
        await pilot.press("escape")
        assert app.cluster.api.get("deployments", "web", "default")["metadata"]["name"] == "web"


async def test_colon_edit_opens_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"edit cm/coredns -n kube-system", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        assert "kind: ConfigMap" in app.screen.text
        await pilot.press("escape")
        await pilot.press("colon", *"edit deploy/nope", "enter")
        await pilot.pause()
        assert app.screen is app.main
        assert 'Error from server (NotFound): deployments.apps "nope" not found' in _output(app)


def test_kubectl_edit_reopens_an_invalid_edit_with_the_reasons(tmp_path):
    cluster = Cluster.default(seed=0)
    env = KubectlEnv.for_cluster(cluster)
    run_kubectl(env, "create deployment web --image=nginx")
    script = tmp_path / "ed.py"
    script.write_text(
        "import sys\np = sys.argv[-1]\nt = open(p).read()\n"
        "t = t.replace('replicas: -1', 'replicas: 3') if 'was not valid' in t else "
        "t.replace('replicas: 1', 'replicas: -1')\nopen(p, 'w').write(t)\n"
    )
    env.environ["KUBE_EDITOR"] = f"{sys.executable} {script}"
    r = run_kubectl(env, "edit deploy/web")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "deployment.apps/web edited\n",
        'error: deployments.apps "web" is invalid\n',
        0,
    )
    assert cluster.api.get("deployments", "web", "default")["spec"]["replicas"] == 3


def _kubectl_rows(cluster: Cluster, what: str) -> tuple[list[str], list[list[str]]]:
    """``kubectl get WHAT -A`` split into cells (columns found from the header's offsets)."""
    out = run_kubectl(KubectlEnv.for_cluster(cluster), f"get {what} -A").stdout.splitlines()
    if not out:  # "No resources found"
        r = cluster.api.resource(what)
        return ["NAMESPACE", *columns_for(r.plural)], []
    head = out[0]
    starts = [i for i, ch in enumerate(head) if ch != " " and (i == 0 or head[i - 1] == " " and head[i - 2] == " ")]
    cells = [[line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])] for line in out]
    return cells[0], cells[1:]


@pytest.mark.parametrize(
    "word, title",
    [
        ("deploy", "Deployments"),
        ("rs", "ReplicaSets"),
        ("ds", "DaemonSets"),
        ("sts", "StatefulSets"),
        ("job", "Jobs"),
        ("cm", "ConfigMaps"),
        ("secret", "Secrets"),
        ("sa", "ServiceAccounts"),
    ],
)
async def test_colon_kind_opens_a_panel_with_kubectl_get_columns(make_app, word, title):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.run_command_line("create deployment web --image=nginx")
        await pilot.press("colon", *word, "enter")
        await pilot.pause()
        panel = app.main.generic
        assert panel is not None and app.main.active_panel is panel and app.focused is panel.table
        assert panel.border_title.startswith(f"{title} (")
        headers, want = _kubectl_rows(app.cluster, word)
        assert list(panel.columns) == headers
        got = [[str(c) for c in panel.table.get_row(k)] for k in rows(app, panel.spec.plural)]
        assert sorted(got) == sorted(want)
        assert "Pods (" not in screen_text(app)  # it takes the panel area
        await pilot.press("escape", "escape")  # the output pane first, then back to the four
        await pilot.pause()
        assert app.main.active_panel.spec.plural == "pods" and "Pods (" in screen_text(app)


async def test_the_kind_panel_is_watch_fed_and_its_rows_take_describe_yaml_and_delete(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"deploy", "enter")
        await pilot.pause()
        app.run_command_line("create deployment web --image=nginx --replicas=2")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert row(app, "deployments", "default/web")[:3] == ["default", "web", "2/2"]
        app.main.generic.select_key("default/web")
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.id == "view-describe" and "Replicas:               2 desired" in view_text(app)
        await pilot.press("escape", "y")
        await pilot.pause()
        assert yaml.safe_load(view_text(app))["kind"] == "Deployment"
        await pilot.press("escape", "ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Run: kubectl delete deployment web -n default?"
        await pilot.press("y")
        await pilot.pause()
        assert 'deployment.apps "web" deleted' in _output(app)
        assert "default/web" not in rows(app, "deployments")
        await pilot.press("colon", *"ev", "enter")  # another kind replaces it, fed as well
        await pilot.pause()
        assert app.main.generic.spec.plural == "events" and app.main.generic.columns[0] == "NAMESPACE"
        assert "deployments" not in app.feed.objects  # the feed stopped watching what no panel shows
        before = len(rows(app, "events"))
        app.run_command_line("run solo --image=nginx")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert len(rows(app, "events")) > before
        await pilot.press("tab")  # from the extra panel, tab goes round to the four
        assert app.main.active_panel.spec.plural == "pods"
        await pilot.press("shift+tab")
        assert app.main.active_panel is app.main.generic


async def test_a_kind_panel_on_a_small_terminal_is_a_tab(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *"cm", "enter")
        await pilot.pause()
        screen = screen_text(app)
        assert "ConfigMaps" in screen.splitlines()[1] and "coredns" in screen
        assert "NAMESPACE" not in screen  # compact: the columns of kubectl get without -A


async def test_the_namespace_scope_is_remembered_across_runs(make_app):
    from ktui.tui import settings

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.main.show_panel("namespaces")
        assert app.main.panel("namespaces").select_key("default")
        await pilot.press("enter")
        await pilot.pause()
        assert app.scope == "default"
    assert settings.get("namespace") == "default"
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.scope == "default"
        assert rows(again, "pods") == [] and rows(again, "services") == ["default/kubernetes"]
        assert "Pods (0/9) in default" in screen_text(again)
        await pilot.press("0")
        await pilot.pause()
    assert settings.get("namespace") is None
    third = make_app()
    async with third.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert third.scope == "" and len(rows(third, "pods")) == 9


def test_settings_follow_xdg_config_home(monkeypatch, tmp_path):
    from ktui.tui import settings

    monkeypatch.delenv("KTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings.put("namespace", "dev")
    assert yaml.safe_load((tmp_path / "ktui" / "settings.yaml").read_text()) == {"namespace": "dev"}


async def test_colon_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", "q", "enter")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_editor_speaks_korean_with_lang_ko(make_app):
    app = make_app(lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"edit cm/coredns -n kube-system", "enter")
        await pilot.pause()
        screen = screen_text(app)
        assert "(ctrl+s: 적용, esc: 취소)" in screen and "저장 (적용)" in screen.splitlines()[-1]


async def test_the_kind_panel_follows_a_rewind(make_app):
    from ktui.scenario.session import ScenarioSession

    app = make_app(session=ScenarioSession("node-failure"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"deploy", "enter", "right_square_bracket")
        await pilot.pause()
        assert rows(app, "deployments") == ["default/web", "kube-system/coredns"]
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert rows(app, "deployments") == ["kube-system/coredns"]
        assert app.main.generic.border_title == "Deployments (1)"
