"""Theme files: shipped and user themes, the semantic variables, the remembered choice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ktui.tui import themes

REQUIRED = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
    "dark",
)


def test_at_least_four_shipped_themes_with_every_field():
    paths = themes.theme_paths()
    names = {yaml.safe_load(p.read_text())["name"] for p in paths}
    assert {"ktui-dark", "ktui-light", "high-contrast", "nord"} <= names
    for p in paths:
        data = yaml.safe_load(p.read_text())
        assert all(k in data for k in REQUIRED), p
        assert set(themes.SEMANTIC_DEFAULTS) <= set(data["variables"]), p
        t = themes.load_theme(p)
        assert t.variables["pod-running"].startswith("#")


def test_user_themes_and_settings_live_in_the_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KTUI_CONFIG", str(tmp_path))
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "mine.yaml").write_text(
        "name: mine\nprimary: '#ff0000'\nvariables: {pod-running: '#00ff00'}\n"
    )
    (tmp_path / "themes" / "broken.yaml").write_text("just: text\n")
    loaded = themes.load_themes()
    assert "mine" in loaded and "ktui-dark" in loaded and len(loaded) == 5
    assert themes.saved_theme() is None
    themes.save_theme("mine")
    assert themes.saved_theme() == "mine"
    assert yaml.safe_load((tmp_path / "settings.yaml").read_text()) == {"theme": "mine"}


def test_config_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("KTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert themes.config_dir() == tmp_path / "ktui"


def test_a_bad_theme_file_says_why(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("name: x\n")
    with pytest.raises(ValueError, match="primary"):
        themes.load_theme(p)


async def test_app_applies_semantic_variables(make_app):
    app = make_app(theme="high-contrast")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "high-contrast"
        assert app.theme_variables["pod-running"] == "#00ff00"
        status = app.main.panel("pods").table.get_row("kube-system/etcd-controlplane")[3]
        assert str(status.style.color.triplet.hex) == "#00ff00"
        app.theme = "ktui-light"
        await pilot.pause()
        status = app.main.panel("pods").table.get_row("kube-system/etcd-controlplane")[3]
        assert str(status.style.color.triplet.hex) == "#00875f"


def test_theme_files_are_package_data():
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert "themes/*.yaml" in pyproject
