"""A program whose Pulumi.yaml names a virtualenv (`runtime.options.virtualenv`) imports its packages from there, for
the run only; a package the virtualenv lacks, or a virtualenv that does not exist, is one line saying what to install
or create, and `envctl up` exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envctl.ledger import Ledger

from engine_support import assert_clean_failure, envctl, up, write_program

PROGRAM = """\
import pulumi
import greetings

pulumi.export("greeting", greetings.hello("envctl"))
"""


def make_virtualenv(path: Path, package_source: str | None = None) -> Path:
    """A real virtualenv (no pip, to stay quick) holding the `greetings` package when its source is given."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    if package_source is not None:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        site_packages = path / "lib" / version / "site-packages"
        (site_packages / "greetings").mkdir(parents=True)
        (site_packages / "greetings" / "__init__.py").write_text(package_source)
        (site_packages / "greetings-1.2.3.dist-info").mkdir()
        (site_packages / "greetings-1.2.3.dist-info" / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: greetings\nVersion: 1.2.3\n")
    return path


def project_with_virtualenv(root: Path, program: str = PROGRAM) -> Path:
    project = write_program(root, program, "config:\n  aws:region: us-east-1\n")
    (project / "Pulumi.yaml").write_text(
        "name: testproj\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    return project


def test_the_program_imports_its_packages_from_the_named_virtualenv_for_the_run_only_and_the_ledger_lists_them(
        tmp_path: Path, moto_endpoint: str) -> None:
    project = project_with_virtualenv(tmp_path / "proj")
    make_virtualenv(project / "venv", "def hello(name):\n    return f'hello, {name}, from the virtualenv'\n")
    result = up(project, "test", moto_endpoint)
    assert result.succeeded, result.error
    assert result.outputs["greeting"] == "hello, envctl, from the virtualenv"
    assert "greetings" not in sys.modules
    assert not any(str(project / "venv") in entry for entry in sys.path)
    content = Ledger.open(f"sqlite:///{project / '.envctl' / 'ledger.db'}").load("test").content
    assert content is not None and content.manifest["program_packages"] == {"greetings": "1.2.3"}


def test_a_package_installed_editable_in_the_virtualenv_is_importable_through_its_pth_file(
        tmp_path: Path, moto_endpoint: str) -> None:
    project = project_with_virtualenv(tmp_path / "proj")
    venv = make_virtualenv(project / "venv")
    source = tmp_path / "greetings-src"
    (source / "greetings").mkdir(parents=True)
    (source / "greetings" / "__init__.py").write_text("def hello(name):\n    return f'hello, {name}, editable'\n")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (venv / "lib" / version / "site-packages" / "greetings.pth").write_text(f"{source}\n")
    result = up(project, "test", moto_endpoint)
    assert result.succeeded, result.error
    assert result.outputs["greeting"] == "hello, envctl, editable"
    assert str(source) not in sys.path


def test_a_package_the_virtualenv_lacks_is_one_line_naming_it_and_how_to_install_it(
        tmp_path: Path, moto_endpoint: str) -> None:
    project = project_with_virtualenv(tmp_path / "proj")
    venv = make_virtualenv(project / "venv")
    result = up(project, "test", moto_endpoint)
    assert not result.succeeded and result.error_kind == "bad_input"
    assert result.error is not None and "\n" not in result.error
    assert "needs the Python package `greetings`" in result.error
    assert f"{venv.resolve()}/bin/pip install -r requirements.txt" in result.error


@pytest.mark.e2e
def test_envctl_up_exits_2_when_the_virtualenv_lacks_a_package_or_does_not_exist(tmp_path: Path) -> None:
    project = project_with_virtualenv(tmp_path / "proj")
    missing = envctl(project, "up", "test", "--yes")
    assert_clean_failure(missing, 2, "the virtualenv", "does not exist", "-m venv", "pip install -r requirements.txt")
    make_virtualenv(project / "venv")
    lacking = envctl(project, "up", "test", "--yes")
    assert_clean_failure(lacking, 2, "needs the Python package `greetings`", "venv/bin/pip install")
