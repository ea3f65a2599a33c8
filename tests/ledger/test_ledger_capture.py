"""Capturing what produced an environment: the manifest of versions and the git state and file digests."""

from __future__ import annotations

import hashlib
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from envctl import __version__
from envctl.ledger import capture_manifest, capture_sources
from envctl.ledger.sources import uncommitted_files

from ledger_fixtures import git

pytest_plugins = ["ledger_fixtures"]


def test_manifest_lists_distributions_interpreter_os_and_sdks(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("version = 1\n")
    manifest = capture_manifest({"pulumi_cli": "3.200.0", "envctl": "overridden"}, project_dir=tmp_path)

    assert manifest["packages"]["pulumi"] == metadata.version("pulumi")
    assert manifest["packages"]["sqlalchemy"] == metadata.version("SQLAlchemy")  # names normalized
    assert len(manifest["packages"]) >= 50
    assert manifest["sdks"] == {name: metadata.version(name) for name in ("pulumi", "pulumi-aws", "moto")}
    assert manifest["python"]["version"].count(".") == 2 and manifest["python"]["prefix"]
    assert manifest["os"]["system"] and manifest["os"]["platform"]
    assert manifest["lock_files"] == {"uv.lock": hashlib.sha256(b"version = 1\n").hexdigest()}
    assert manifest["pulumi_cli"] == "3.200.0" and manifest["envctl"] == "overridden"  # extra wins


def test_manifest_without_a_project_dir_or_lock_file(tmp_path: Path) -> None:
    assert capture_manifest()["lock_files"] == {}
    assert capture_manifest(project_dir=tmp_path)["envctl"] == __version__


def test_sources_of_a_clean_repository(git_repo: Path) -> None:
    program = git_repo / "infra"
    program.mkdir()
    (program / "__main__.py").write_text("import pulumi\n")
    (git_repo / ".gitignore").write_text("__pycache__/\n")
    git(git_repo, "add", "infra", ".gitignore")
    git(git_repo, "commit", "-q", "-m", "program")
    (program / "__pycache__").mkdir()
    (program / "__pycache__" / "__main__.cpython-311.pyc").write_bytes(b"\0compiled")  # ignored by git and digest

    sources = capture_sources(git_repo, {"Pulumi.yaml": git_repo / "Pulumi.yaml", "program": program,
                                         "stack": git_repo / "Pulumi.dev.yaml"})  # fmt: skip

    assert sources["commit"] == git(git_repo, "rev-parse", "HEAD").strip()
    assert (sources["branch"], sources["dirty"], sources["dirty_digest"]) == ("main", False, None)
    assert sources["files"]["Pulumi.yaml"] == hashlib.sha256((git_repo / "Pulumi.yaml").read_bytes()).hexdigest()
    assert sources["files"]["stack"] is None  # no such file
    (program / "__pycache__" / "__main__.cpython-311.pyc").unlink()
    assert capture_sources(git_repo, {"program": program})["files"]["program"] == sources["files"]["program"]


def test_dirty_state_follows_uncommitted_content_but_not_envctls_own_files(git_repo: Path) -> None:
    (git_repo / ".envctl").mkdir()
    (git_repo / ".envctl" / "ledger.db").write_bytes(b"changes on every operation")
    clean = capture_sources(git_repo, {})
    assert (clean["dirty"], clean["dirty_digest"]) == (False, None)

    (git_repo / "Pulumi.yaml").write_text("name: shop\nruntime: python\ndescription: edited\n")
    edited = capture_sources(git_repo, {})
    (git_repo / "Pulumi.yaml").write_text("name: shop\nruntime: python\ndescription: edited again\n")
    edited_again = capture_sources(git_repo, {})
    (git_repo / "new.py").write_text("x = 1\n")
    untracked = capture_sources(git_repo, {})
    (git_repo / "new.py").write_text("x = 2\n")
    untracked_changed = capture_sources(git_repo, {})

    assert edited["dirty"] and edited_again["dirty"] and untracked["dirty"]
    digests = [s["dirty_digest"] for s in (edited, edited_again, untracked, untracked_changed)]
    assert len(set(digests)) == 4
    assert capture_sources(git_repo, {})["dirty_digest"] == untracked_changed["dirty_digest"]  # deterministic


def test_only_files_that_affect_the_deployment_make_a_snapshot_dirty(git_repo: Path) -> None:
    project = git_repo / "infra"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    subprocess.run(["git", "-C", str(git_repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(git_repo), "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "infra"],
                   check=True)
    (git_repo / "notes.txt").write_text("outside the project\n")
    for litter in ("README.md", "docs/design.md", "tests/test_x.py", ".venv/lib/site.py", ".DS_Store", "x.py~",
                   "LICENSE", ".gitignore"):
        (project / litter).parent.mkdir(parents=True, exist_ok=True)
        (project / litter).write_text("litter\n")
    assert capture_sources(project, {})["dirty"] is False

    (project / "www").mkdir()
    (project / "www" / "index.html").write_text("<h1>read by the program</h1>\n")
    (project / "Pulumi.yaml").write_text("name: shop\nruntime: python\ndescription: edited\n")
    dirty = capture_sources(project, {})
    assert dirty["dirty"] and dirty["dirty_files"] == ["infra/Pulumi.yaml", "infra/www/index.html"]
    assert uncommitted_files(dirty, most=1) == "infra/Pulumi.yaml (+1 more)"


def test_directory_digest_follows_contents_and_names(tmp_path: Path) -> None:
    program = tmp_path / "infra"
    (program / "components").mkdir(parents=True)
    (program / "__main__.py").write_text("a")
    (program / "components" / "web.py").write_text("b")

    def digest() -> str:
        return capture_sources(tmp_path, {"program": program})["files"]["program"]

    first = digest()
    (program / "components" / "web.py").write_text("c")
    second = digest()
    (program / "components" / "web.py").rename(program / "components" / "api.py")
    assert len({first, second, digest()}) == 3


def test_outside_git_or_without_git_the_commit_is_none(git_repo: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    outside = tmp_path / "plain"
    outside.mkdir()
    assert capture_sources(outside, {})["commit"] is None

    monkeypatch.setenv("PATH", str(tmp_path / "no-binaries-here"))
    sources = capture_sources(git_repo, {"Pulumi.yaml": git_repo / "Pulumi.yaml"})
    assert (sources["commit"], sources["dirty"]) == (None, None)
    assert sources["files"]["Pulumi.yaml"] is not None
