"""A generated SDK package whose members are imported when first used, not all when the package is.

A pulumi-aws module such as `pulumi_aws.ec2` is a package whose `__init__` star-imports every one of its resource
and function modules (about 190 for ec2), so a program using three ec2 resources imports them all. Rewritten here,
the `__init__` imports only its shared modules (`_enums`, `_inputs`, `outputs`) and defers the rest: the names each
deferred module exports (its literal `__all__`) are looked up by a module `__getattr__` (PEP 562), which imports
the module on first use. What a program sees is what the star imports would have bound: the same objects under the
same names, the submodules as attributes, `dir()` and `from pulumi_aws.ec2 import *` giving the same names.

A package is rewritten only where that equivalence is plain: every statement of its `__init__` an import, and every
star-imported module declaring `__all__` as a literal list. Anything else is imported as written.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

# Modules every member module imports anyway: loaded with the package, as before.
_SHARED = frozenset({"_enums", "_inputs", "outputs"})
_STAR_IMPORT = re.compile(r"^from \.(\w+) import \*\s*$", re.M)
_DECLARED_ALL = re.compile(r"^__all__ = (\[[^\]]*\])", re.M)


def star_imported_files(source: str, package_dir: Path) -> list[Path]:
    """The files of the modules `source` (a package `__init__`) star-imports: what its rewriting depends on."""
    return [package_dir / f"{name}.py" for name in _STAR_IMPORT.findall(source)]


@dataclass(frozen=True)
class _Rewrite:
    body: list[ast.stmt]  # the statements kept, in order
    members: dict[str, str]  # name -> the deferred module that binds it last
    submodules: list[str]  # the deferred modules
    exported: list[str]  # the public names the original binds: what `import *` of the package gives
    read: list[str]  # the star-imported modules whose `__all__` it read


def deferring_tree(source: str, package_dir: Path, filename: str) -> ast.Module | None:
    """`source` rewritten to defer its member modules, or None where it is to be imported as written."""
    tree = ast.parse(source, filename)
    rewrite = _rewrite(tree, package_dir)
    # Only where the cache's stamp (star_imported_files) covers every module the rewriting read.
    if rewrite is None or not rewrite.submodules or rewrite.read != _STAR_IMPORT.findall(source):
        return None
    call = ast.parse(
        "from envctl.engine.lazy_members import defer as _envctl_defer\n"
        f"_envctl_defer(globals(), {rewrite.members!r}, {rewrite.submodules!r}, {rewrite.exported!r})\n"
        "del _envctl_defer\n"
    ).body
    tree.body = rewrite.body + call
    return ast.fix_missing_locations(tree)


def _rewrite(tree: ast.Module, package_dir: Path) -> _Rewrite | None:
    body: list[ast.stmt] = []
    members: dict[str, str] = {}
    submodules: list[str] = []
    read: list[str] = []
    bound: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            body.append(statement)  # the docstring
            continue
        star = _relative_star_import(statement)
        if star is not None:
            names = _declared_all(package_dir / f"{star}.py")
            if names is None:
                return None
            read.append(star)
            bound.update(names)
            if not star.startswith("_"):
                bound.add(star)  # importing a submodule binds it on its package
            if star in _SHARED:
                body.append(statement)
                for name in names:
                    members.pop(name, None)  # bound here, after the deferred module that also binds it
            else:
                submodules.append(star)
                members.update(dict.fromkeys(names, star))
            continue
        if not isinstance(statement, ast.Import | ast.ImportFrom):
            return None
        for alias in statement.names:
            name = alias.asname or alias.name.partition(".")[0]
            members.pop(name, None)
            bound.add(name)
        body.append(statement)
    exported = sorted(name for name in bound if not name.startswith("_"))
    return _Rewrite(body, members, submodules, exported, read)


def _relative_star_import(statement: ast.stmt) -> str | None:
    if (isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module
            and "." not in statement.module and [alias.name for alias in statement.names] == ["*"]):
        return statement.module
    return None


def _declared_all(path: Path) -> list[str] | None:
    try:
        found = _DECLARED_ALL.search(path.read_text(encoding="utf-8"))
        names = ast.literal_eval(found.group(1)) if found else None
    except (OSError, ValueError, SyntaxError):
        return None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    return names


@dataclass(frozen=True)
class _Plan:
    members: dict[str, str]
    names_of: dict[str, list[str]]  # deferred module -> the names it binds last


_PLANS: dict[str, _Plan] = {}


class _DeferringPackage(ModuleType):
    """A rewritten package: a deferred name is bound when the module binding it is imported, and that module's
    import binds on the package what its star import would have (after the module itself, as then)."""

    def __getattr__(self, name: str) -> Any:  # called for names not bound yet
        plan = _PLANS[self.__name__]
        module = plan.members.get(name, name if name in plan.names_of else None)
        if module is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        # Binds through __setattr__ below; again here for a module imported before its package was rewritten.
        setattr(self, module, importlib.import_module(f"{self.__name__}.{module}"))
        return self.__dict__[name]

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        names = _PLANS[self.__name__].names_of.get(name)
        if names is not None and isinstance(value, ModuleType) and value.__name__ == f"{self.__name__}.{name}":
            for member in names:
                super().__setattr__(member, getattr(value, member))

    def __dir__(self) -> list[str]:
        plan = _PLANS[self.__name__]
        return sorted(self.__dict__.keys() | plan.members.keys() | plan.names_of.keys())


def defer(namespace: dict[str, Any], members: dict[str, str], submodules: list[str], exported: list[str]) -> None:
    """Run at the end of a rewritten `__init__`: from here on its members are bound as they are first used."""
    package = sys.modules[namespace["__name__"]]
    names_of: dict[str, list[str]] = {submodule: [] for submodule in submodules}
    for name, submodule in members.items():
        names_of[submodule].append(name)
        namespace.pop(name, None)  # bound by an earlier shared module; the deferred one binds it last
    _PLANS[package.__name__] = _Plan(members, names_of)
    namespace["__all__"] = exported
    package.__class__ = _DeferringPackage
