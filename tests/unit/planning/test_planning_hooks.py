from __future__ import annotations

import sys

import pytest

from regdev.planning import hooks
from regdev.planning.hooks import (
    PlanExtension,
    plan_hooks,
    register_plan_hook,
    unregister_plan_hook,
)


def test_register_and_sorted_listing():
    def a(plan, dossiers):
        return PlanExtension()

    register_plan_hook("zz-b", a)
    register_plan_hook("zz-a", a)
    try:
        names = [n for n, _ in plan_hooks(discover=False)]
        assert names.index("zz-a") < names.index("zz-b")
    finally:
        unregister_plan_hook("zz-a")
        unregister_plan_hook("zz-b")
    assert "zz-a" not in [n for n, _ in plan_hooks(discover=False)]


def test_discovery_imports_the_module_that_registers(monkeypatch):
    code = (
        "from regdev.planning.hooks import PlanExtension, register_plan_hook\n"
        "register_plan_hook('zz-fake', lambda plan, dossiers: PlanExtension())\n"
    )
    monkeypatch.setattr(hooks, "DISCOVER_MODULES", ("zz_fake_design",))
    monkeypatch.setattr(hooks, "_DISCOVERED", [])

    class Finder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            import importlib.util

            if name != "zz_fake_design":
                return None
            loader = type(
                "L",
                (),
                {
                    "create_module": staticmethod(lambda spec: None),
                    "exec_module": staticmethod(lambda m: exec(code, m.__dict__)),
                },
            )()
            return importlib.util.spec_from_loader(name, loader)

    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    try:
        assert "zz-fake" in [n for n, _ in plan_hooks()]
    finally:
        unregister_plan_hook("zz-fake")
        sys.modules.pop("zz_fake_design", None)


def test_broken_extension_warns_and_planning_continues(monkeypatch):
    monkeypatch.setattr(hooks, "DISCOVER_MODULES", ("zz_missing_dependency_mod",))
    monkeypatch.setattr(hooks, "_DISCOVERED", [])

    def boom(name):
        raise ImportError("cannot import name 'x' from 'y'")

    monkeypatch.setattr(hooks.importlib, "import_module", boom)
    with pytest.warns(RuntimeWarning, match="could not be loaded"):
        plan_hooks()


def test_absent_extension_module_is_fine(monkeypatch):
    monkeypatch.setattr(hooks, "DISCOVER_MODULES", ("zz_not_installed_at_all",))
    monkeypatch.setattr(hooks, "_DISCOVERED", [])
    plan_hooks()  # no warning (warnings are errors in this suite)
