"""A generated package's members are imported on first use, and the package then holds what its star imports would
have bound: the same winner where two modules bind one name, a function named like its module, the submodules."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from envctl.engine import lazy_annotations

PACKAGE = "pulumi_fakepkg"
INIT = """import typing
from ._enums import *
from .alpha import *
from .get_thing import *
from .gamma import *
from ._inputs import *
from . import outputs
"""
MODULES = {
    "_enums": "__all__ = ['Colour', 'Shared']\nColour = 'enum colour'\nShared = 'from enums'\n",
    "alpha": "__all__ = ['Alpha', 'Shared']\nAlpha = 'alpha'\nShared = 'from alpha'\n",
    "get_thing": "__all__ = ['GetThingResult', 'get_thing']\nGetThingResult = 'result'\n"
                 "def get_thing():\n    return 'called'\n",
    "gamma": "__all__ = ['Gamma', 'Late']\nGamma = 'gamma'\nLate = 'from gamma'\n",
    "_inputs": "__all__ = ['Late', 'AlphaArgs']\nLate = 'from inputs'\nAlphaArgs = 'args'\n",
    "outputs": "Out = 'out'\n",
}


def _write_package(root: Path, init: str = INIT, modules: dict[str, str] = MODULES) -> None:
    package = root / PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(init)
    for name, body in modules.items():
        (package / f"{name}.py").write_text(body)


def _forget() -> None:
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "src"
    _write_package(root)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    yield root
    sys.path.remove(str(root))
    _forget()


def _imported(cache: Path | None) -> ModuleType:
    _forget()
    importlib.invalidate_caches()
    if cache is None:
        return importlib.import_module(PACKAGE)
    with lazy_annotations.installed([PACKAGE], cache):
        return importlib.import_module(PACKAGE)


def _contents(package: ModuleType) -> dict[str, str]:
    def described(value: object) -> str:
        return repr(value) if isinstance(value, str) else f"{type(value).__name__} {getattr(value, '__name__', '')}"

    return {name: described(getattr(package, name)) for name in dir(package) if not name.startswith("__")}


def test_only_the_shared_modules_are_imported_with_the_package(source: Path, tmp_path: Path) -> None:
    _imported(tmp_path / "cache")
    assert {f"{PACKAGE}._enums", f"{PACKAGE}._inputs", f"{PACKAGE}.outputs"} <= sys.modules.keys()
    assert not {f"{PACKAGE}.alpha", f"{PACKAGE}.get_thing", f"{PACKAGE}.gamma"} & sys.modules.keys()


def test_the_package_holds_what_the_star_imports_bind(source: Path, tmp_path: Path) -> None:
    eager = _contents(_imported(None))
    lazy_package = _imported(tmp_path / "cache")
    assert lazy_package.Shared == "from alpha"  # the deferred module binds it after _enums
    assert lazy_package.Late == "from inputs"  # _inputs binds it after the deferred gamma
    assert lazy_package.GetThingResult == "result"  # imports get_thing, which binds get_thing the function
    assert lazy_package.get_thing() == "called"
    assert _contents(lazy_package) == eager
    star: dict[str, object] = {}
    exec(f"from {PACKAGE} import *", star)
    assert sorted(set(star) - {"__builtins__"}) == sorted(name for name in eager if not name.startswith("_"))


def test_a_member_module_imported_by_name_first_still_leaves_the_function_on_the_package(
        source: Path, tmp_path: Path) -> None:
    package = _imported(tmp_path / "cache")
    importlib.import_module(f"{PACKAGE}.get_thing")
    assert package.get_thing() == "called"
    with pytest.raises(AttributeError, match="has no attribute 'Missing'"):
        package.Missing  # noqa: B018


def test_a_member_module_without_a_literal_all_leaves_the_package_as_written(source: Path, tmp_path: Path) -> None:
    _write_package(source, modules={**MODULES, "gamma": "Gamma = 'gamma'\nLate = 'from gamma'\n"})
    package = _imported(tmp_path / "cache")
    assert type(package) is ModuleType
    assert f"{PACKAGE}.alpha" in sys.modules


def test_a_star_import_the_cache_stamp_would_not_see_leaves_the_package_as_written(
        source: Path, tmp_path: Path) -> None:
    _write_package(source, init=INIT.replace("from .gamma import *\n", "from .gamma import *  # late names\n"))
    package = _imported(tmp_path / "cache")
    assert type(package) is ModuleType
    assert package.Late == "from inputs"


def test_the_rewritten_package_is_renewed_when_a_member_module_changes(source: Path, tmp_path: Path) -> None:
    assert not hasattr(_imported(tmp_path / "cache"), "Delta")
    _write_package(source, modules={**MODULES, "alpha": MODULES["alpha"].replace("'Shared']", "'Shared', 'Delta']")
                                    + "Delta = 'delta'\n"})
    assert _imported(tmp_path / "cache").Delta == "delta"
