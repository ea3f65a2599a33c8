"""The provider SDKs imported with unevaluated annotations and deferred package members resolve to the same types for
the SDK, and their packages hold the same members, as when imported as usual (an SDK whose annotations cannot be
resolved lazily fails here), and the compiled code is cached and renewed with its source."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from envctl.engine import lazy_annotations

# What the SDK reads of each class a program may use: a resource's output types and its arguments' input types.
_HINTS = """
import importlib, json, sys
from pathlib import Path
from pulumi import _types
from envctl.engine import lazy_annotations
from envctl.providers.aws.registry import supported_resource_types

def classes(token):
    module_name, class_name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[1]
    python_module = {"index": "", "lambda": ".lambda_"}.get(module_name, f".{module_name}")
    module = importlib.import_module(f"pulumi_aws{python_module}")
    args = getattr(module, f"{class_name}InitArgs", None) or getattr(module, f"{class_name}Args")
    return getattr(module, class_name), args

def hints():
    found = {}
    for token in supported_resource_types():
        resource, args = classes(token)
        found[token] = {"outputs": {k: repr(v) for k, v in _types.resource_types(resource).items()},
                        "inputs": {k: repr(v) for k, v in _types.input_type_types(args).items()}}
    return found

def described(value):
    if isinstance(value, type(sys)):
        return "module " + value.__name__
    return f"{type(value).__name__} {getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"

def members():
    # Of every package a supported type lives in: each name dir() lists, what it is, and what `import *` binds.
    found = {}
    for name in sorted({module.__name__ for token in supported_resource_types() for module in [
            sys.modules[classes(token)[0].__module__.rpartition(".")[0]]]}):
        package = importlib.import_module(name)
        star = {}
        exec(f"from {name} import *", star)
        found[name] = {"dir": {member: described(getattr(package, member)) for member in dir(package)
                               if not member.startswith("__")},
                       "star": sorted(set(star) - {"__builtins__"})}
    return found

def report():
    return {"hints": hints(), "members": members()}

if sys.argv[1] == "lazy":
    with lazy_annotations.installed(["pulumi_aws"], Path(sys.argv[2])):
        print(json.dumps(report()))
else:
    print(json.dumps(report()))
"""


def _report(mode: str, cache: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _HINTS, mode, str(cache)], capture_output=True, text=True,
                          check=True, timeout=300)
    return json.loads(done.stdout)


def test_every_supported_types_hints_and_packages_are_the_same_lazily(tmp_path: Path) -> None:
    eager = _report("eager", tmp_path / "cache")
    lazy = _report("lazy", tmp_path / "cache")
    assert len(eager["hints"]) > 150
    assert any(hints["outputs"] for hints in eager["hints"].values())
    assert {t: h for t, h in lazy["hints"].items() if h != eager["hints"][t]} == {}
    assert len(eager["members"]) > 20 and len(eager["members"]["pulumi_aws.ec2"]["dir"]) > 1000
    assert {name: package for name, package in lazy["members"].items() if package != eager["members"][name]} == {}
    assert list((tmp_path / "cache").iterdir()), "the compiled modules are cached"


def _fake_sdk(root: Path, body: str) -> Path:
    package = root / "pulumi_fakesdk"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(body)
    return package


def _import_fresh(root: Path) -> object:
    sys.modules.pop("pulumi_fakesdk", None)
    importlib.invalidate_caches()
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("pulumi_fakesdk")
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("pulumi_fakesdk", None)


def test_annotations_stay_unevaluated_and_the_code_is_renewed_with_its_source(tmp_path: Path) -> None:
    # `Undefined` exists nowhere: evaluated, the annotation would fail the import.
    _fake_sdk(tmp_path / "src", "def size(x: Undefined) -> int:\n    return 1\n")
    cache = tmp_path / "cache"
    with lazy_annotations.installed(["pulumi_fakesdk"], cache):
        first = _import_fresh(tmp_path / "src")
        assert first.size.__annotations__ == {"x": "Undefined", "return": "int"}
        assert len(list(cache.iterdir())) == 1
        _fake_sdk(tmp_path / "src", "def size(x: Undefined) -> str:\n    return 22\n")
        second = _import_fresh(tmp_path / "src")
    assert second.size(0) == 22 and second.size.__annotations__["return"] == "str"


def test_without_a_writable_cache_the_sdk_is_imported_as_usual(tmp_path: Path) -> None:
    _fake_sdk(tmp_path / "src", "import typing\ndef size(x: typing.Optional[int]) -> int:\n    return 1\n")
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with lazy_annotations.installed(["pulumi_fakesdk"], blocked / "cache"):
        module = _import_fresh(tmp_path / "src")
    assert module.size.__annotations__["return"] is int
