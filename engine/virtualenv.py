"""The program's virtualenv (Pulumi.yaml's `runtime.options.virtualenv`), as Pulumi's Python language host uses it:
its site-packages are what the program imports. The program runs in envctl's own interpreter, so the virtualenv's
site-packages are added after envctl's own paths for the run only: the Pulumi SDKs envctl drives (pinned) stay
envctl's, and every other package comes from the program's virtualenv."""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

from envctl.errors import BadInput

_VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"


def site_packages(virtualenv: Path) -> list[Path]:
    """The virtualenv's site-packages for the running Python; a BadInput saying how to make one that fits."""
    if not (virtualenv / "pyvenv.cfg").is_file():
        raise BadInput(f"the virtualenv {virtualenv} named by Pulumi.yaml (runtime.options.virtualenv) does not "
                       f"exist: create it with `{Path(sys.executable).name} -m venv {virtualenv}` and install the "
                       f"program's requirements with `{pip(virtualenv)} install -r requirements.txt`")
    found = [path for path in (virtualenv / "lib" / _VERSION / "site-packages", virtualenv / "Lib" / "site-packages")
             if path.is_dir()]
    if not found:
        others = sorted(p.parent.name for p in (virtualenv / "lib").glob("python*/site-packages"))
        raise BadInput(f"the virtualenv {virtualenv} is for {', '.join(others) or 'another Python'}, and envctl runs "
                       f"{_VERSION}: recreate it with `{Path(sys.executable).name} -m venv --clear {virtualenv}`")
    return found


def installed_packages(virtualenv: Path) -> dict[str, str]:
    """Normalized name -> version of every distribution in the virtualenv's site-packages (none when it has none for
    the running Python): what the program imports besides envctl's own, for the ledger's manifest."""
    try:
        directories = [str(path) for path in site_packages(virtualenv)]
    except BadInput:
        return {}
    found: dict[str, str] = {}
    for dist in metadata.distributions(path=directories):
        name, version = dist.metadata["Name"], dist.version
        if name and version:
            found.setdefault(canonicalize_name(name), version)
    return dict(sorted(found.items()))


def pip(virtualenv: Path) -> str:
    """The virtualenv's pip command."""
    return str(virtualenv / ("Scripts" if os.name == "nt" else "bin") / "pip")


def missing_package_hint(module: str | None, virtualenv: Path | None) -> str:
    """How to install the package a program could not import: into its virtualenv when it has one."""
    if virtualenv is None:
        return (f"the program needs the Python package `{module}`; install the project's requirements (e.g. pip "
                "install -r requirements.txt) into the environment envctl runs in, or name a virtualenv in "
                "Pulumi.yaml (runtime.options.virtualenv)")
    return (f"the program needs the Python package `{module}`, which its virtualenv {virtualenv} does not have: "
            f"install it with `{pip(virtualenv)} install -r requirements.txt` (or `{pip(virtualenv)} install "
            f"{module}`)")
