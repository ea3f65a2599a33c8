"""Pulumi assets and archives: their bytes, deterministic zips, content hashes, and diffs by content."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest

from envctl.providers.aws.assets import (
    AssetError,
    archive_zip,
    asset_bytes,
    content_hash,
    is_archive,
    is_asset,
)

from provider_steps import Deployed, checked, diff_of, provider, sdk_wire

FUNCTION = "aws:lambda/function:Function"
ROLE_ARN = "arn:aws:iam::123456789012:role/lambda"


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root (the working directory, as while a program runs) with a small folder to archive."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "site"
    (folder / "css").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>hello</h1>")
    (folder / "css" / "main.css").write_text("h1 { color: red }")
    (folder / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (folder / "run.sh").chmod(0o755)
    return folder


def test_the_sdk_wire_values_are_recognised(site: Path) -> None:
    assert is_asset(sdk_wire(pulumi.StringAsset("x")))
    assert is_asset(sdk_wire(pulumi.FileAsset("site/index.html")))
    assert is_archive(sdk_wire(pulumi.FileArchive("site")))
    assert is_archive(sdk_wire(pulumi.AssetArchive({"a": pulumi.StringAsset("x")})))
    assert not is_asset(sdk_wire(pulumi.FileArchive("site")))


def test_asset_bytes_of_text_file_and_file_uri(site: Path) -> None:
    assert asset_bytes(sdk_wire(pulumi.StringAsset("héllo"))) == "héllo".encode()
    assert asset_bytes(sdk_wire(pulumi.FileAsset("site/index.html"))) == b"<h1>hello</h1>"
    uri = (site / "index.html").as_uri()
    assert asset_bytes(sdk_wire(pulumi.RemoteAsset(uri))) == b"<h1>hello</h1>"


def test_file_archive_of_a_folder_holds_every_file_by_relative_path(site: Path) -> None:
    data = archive_zip(sdk_wire(pulumi.FileArchive("site")))
    assert zip_entries(data) == {
        "css/main.css": b"h1 { color: red }",
        "index.html": b"<h1>hello</h1>",
        "run.sh": b"#!/bin/sh\necho hi\n",
    }
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == sorted(archive.namelist())
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
    assert modes == {"css/main.css": 0o644, "index.html": 0o644, "run.sh": 0o755}  # the executable bit survives


def test_the_zip_is_deterministic_whatever_the_timestamps(site: Path) -> None:
    archive = sdk_wire(pulumi.FileArchive("site"))
    first = archive_zip(archive)
    os.utime(site / "index.html", (1_000_000_000, 1_000_000_000))
    assert archive_zip(archive) == first
    assert content_hash(archive) == hashlib.sha256(first).hexdigest()


def test_the_hash_changes_with_the_content_and_only_with_it(site: Path) -> None:
    archive = sdk_wire(pulumi.FileArchive("site"))
    before = content_hash(archive)
    (site / "css" / "main.css").write_text("h1 { color: blue }")
    assert content_hash(archive) != before
    assert content_hash(sdk_wire(pulumi.StringAsset("a"))) != content_hash(sdk_wire(pulumi.StringAsset("b")))
    assert content_hash(sdk_wire(pulumi.StringAsset("a"))) == hashlib.sha256(b"a").hexdigest()


def test_asset_archive_nests_archives_under_their_name(site: Path) -> None:
    archive = sdk_wire(pulumi.AssetArchive({
        "handler.py": pulumi.StringAsset("def handler(event, context): return 1"),
        "static": pulumi.FileArchive("site"),
    }))
    assert sorted(zip_entries(archive_zip(archive))) == [
        "handler.py", "static/css/main.css", "static/index.html", "static/run.sh",
    ]


def test_zip_and_tar_file_archives_give_the_same_zip_as_their_folder(site: Path) -> None:
    with zipfile.ZipFile(site.parent / "site.zip", "w") as packed:
        for file in sorted(site.rglob("*")):
            if file.is_file():
                packed.write(file, file.relative_to(site).as_posix())
    with tarfile.open(site.parent / "site.tar.gz", "w:gz") as packed:
        for file in sorted(site.rglob("*")):
            if file.is_file():
                packed.add(file, file.relative_to(site).as_posix())
    from_folder = archive_zip(sdk_wire(pulumi.FileArchive("site")))
    assert archive_zip(sdk_wire(pulumi.FileArchive("site.zip"))) == from_folder
    assert archive_zip(sdk_wire(pulumi.FileArchive("site.tar.gz"))) == from_folder


def test_unreadable_sources_name_the_problem(site: Path) -> None:
    with pytest.raises(AssetError, match="missing.txt"):
        asset_bytes(sdk_wire(pulumi.FileAsset("missing.txt")))
    (site / "notes.txt").write_text("not an archive")
    with pytest.raises(AssetError, match="notes.txt"):
        archive_zip(sdk_wire(pulumi.FileArchive("site/notes.txt")))
    with pytest.raises(AssetError, match="unsupported asset uri"):
        asset_bytes(sdk_wire(pulumi.RemoteAsset("ftp://example.com/x")))


# ---- check and diff of a type with an archive input ---------------------------------------------


def function_inputs(folder: str) -> dict[str, Any]:
    return {"role": ROLE_ARN, "runtime": "python3.12", "handler": "index.handler",
            "code": sdk_wire(pulumi.FileArchive(folder))}


def test_check_records_the_content_hash_and_diff_compares_by_it(site: Path) -> None:
    inputs = checked(FUNCTION, "fn", function_inputs("site"))
    assert inputs["code"]["hash"] == content_hash(inputs["code"])
    deployed = Deployed(FUNCTION, "fn", inputs["name"], inputs, inputs)
    assert diff_of(deployed, function_inputs("site")).changed == ()

    shutil.copytree(site, site.parent / "moved")
    assert diff_of(deployed, function_inputs("moved")).changed == ()  # the same content elsewhere: nothing to do

    (site / "index.html").write_text("<h1>changed</h1>")
    diff = diff_of(deployed, function_inputs("site"))
    assert diff.changed == ("code",) and not diff.needs_replace  # new code is an in-place update


def test_check_reports_an_unreadable_archive_as_a_failure(site: Path) -> None:
    result = provider(FUNCTION).check("fn", None, function_inputs("no-such-folder"))
    assert [f.property for f in result.failures] == ["code"]
    assert "no-such-folder" in result.failures[0].reason
