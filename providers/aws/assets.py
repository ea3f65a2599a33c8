"""Pulumi assets and archives as they arrive on the wire: their bytes, a deterministic zip and a content hash.

The SDK sends an asset as `{SIG: ASSET_SIG, "path"|"text"|"uri": ...}` and an archive as
`{SIG: ARCHIVE_SIG, "assets"|"path"|"uri": ...}`, without a hash: the engine adds one. Relative paths
are relative to the project root, which is the working directory while the program runs.
"""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import unquote, urlparse

from envctl.engine.properties import ARCHIVE_SIG, ASSET_SIG, SIG, contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, Props

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: timestamps never vary
_FILE_MODE, _EXECUTABLE_MODE = 0o644, 0o755
_FETCH_TIMEOUT_SECONDS = 60
_TAR_SUFFIXES = (".tar", ".tgz", ".tar.gz")
_ZIP_SUFFIXES = (".zip", ".jar")

# An archive's files: path inside the archive -> (content, executable).
_Entries = dict[str, tuple[bytes, bool]]


class AssetError(ValueError):
    """An asset or archive that cannot be read; the message names what and why."""


def is_asset(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == ASSET_SIG


def is_archive(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == ARCHIVE_SIG


def asset_bytes(value: Props) -> bytes:
    """The content of a StringAsset, FileAsset or RemoteAsset."""
    if not is_asset(value):
        raise AssetError(f"not an asset: {_describe(value)}")
    if "text" in value:
        return str(value["text"]).encode()
    if "path" in value:
        return _read_file(Path(value["path"]))
    if "uri" in value:
        return _fetch(value["uri"])
    raise AssetError(f"asset without path, text or uri: {_describe(value)}")


def archive_zip(value: Props) -> bytes:
    """An AssetArchive, FileArchive (a folder, .zip, .jar, .tar or .tgz) or RemoteArchive as a zip file.

    Deterministic: names sorted, fixed timestamps and file modes, so the same content gives the same bytes.
    """
    return _zip(_archive_entries(value))


def content_bytes(value: Props) -> bytes:
    """The bytes an asset stands for, or an archive as a zip."""
    return asset_bytes(value) if is_asset(value) else archive_zip(value)


def content_hash(value: Props) -> str:
    """sha256 (hex) of the content, so that a diff can tell whether it changed whatever its path says."""
    return hashlib.sha256(content_bytes(value)).hexdigest()


def _with_hash(value: Props) -> Props:
    """The wire value with its content hash, as Pulumi records assets and archives in state."""
    return {**value, "hash": content_hash(value)}


class AssetProperties(AwsResource):
    """A type with asset or archive inputs: check records each one's content hash and diff compares by it,
    so editing a file counts as a change and renaming or moving it does not."""

    asset_properties: ClassVar[tuple[str, ...]] = ()

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        result = super().check(logical_name, olds, news)
        inputs, failures = dict(result.inputs), list(result.failures)
        for key in self.asset_properties:
            value = inputs.get(key)
            if not (is_asset(value) or is_archive(value)) or contains_unknown(value):
                continue
            try:
                inputs[key] = _with_hash(value)
            except AssetError as error:
                failures.append(CheckFailure(key, str(error)))
        return CheckResult(inputs, tuple(failures))

    def diff_form(self, props: Props) -> Props:
        """Hashed assets reduced to their hash; one without a hash (not checked by envctl) stays as it is."""
        reduced = dict(props)
        for key in self.asset_properties:
            value = props.get(key)
            if isinstance(value, dict) and value.get("hash"):
                reduced[key] = {"hash": value["hash"]}
        return reduced


def _archive_entries(value: Props) -> _Entries:
    if not is_archive(value):
        raise AssetError(f"not an archive: {_describe(value)}")
    if "assets" in value:
        return _asset_archive_entries(value["assets"])
    if "path" in value:
        path = Path(value["path"])
        if path.is_dir():
            return _folder_entries(path)
        return _packed_entries(_read_file(path), path.name)
    if "uri" in value:
        return _packed_entries(_fetch(value["uri"]), PurePosixPath(urlparse(value["uri"]).path).name)
    raise AssetError(f"archive without assets, path or uri: {_describe(value)}")


def _asset_archive_entries(members: dict[str, Any]) -> _Entries:
    """Assets go in under their name; a nested archive's files go in under `<name>/`."""
    entries: _Entries = {}
    for name, member in members.items():
        if is_asset(member):
            entries[name] = (asset_bytes(member), False)
        elif is_archive(member):
            entries.update({f"{name}/{inner}": entry for inner, entry in _archive_entries(member).items()})
        else:
            raise AssetError(f"archive member {name!r} is neither an asset nor an archive")
    return entries


def _folder_entries(folder: Path) -> _Entries:
    return {
        file.relative_to(folder).as_posix(): (file.read_bytes(), _is_executable(file.stat().st_mode))
        for file in folder.rglob("*")
        if file.is_file()
    }


def _packed_entries(data: bytes, name: str) -> _Entries:
    """The files of a zip or tar archive, chosen by file name as Pulumi does."""
    lowered = name.lower()
    if lowered.endswith(_ZIP_SUFFIXES):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {
                info.filename: (archive.read(info), _is_executable(info.external_attr >> 16))
                for info in archive.infolist()
                if not info.is_dir()
            }
    if lowered.endswith(_TAR_SUFFIXES):
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            return {
                member.name: (_tar_member_bytes(archive, member), _is_executable(member.mode))
                for member in archive.getmembers()
                if member.isfile()
            }
    raise AssetError(f"{name}: not a folder or a .zip, .jar, .tar, .tgz or .tar.gz archive")


def _tar_member_bytes(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = archive.extractfile(member)
    return extracted.read() if extracted is not None else b""


def _zip(entries: _Entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            content, executable = entries[name]
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the host: the mode bits below are unix modes
            info.external_attr = (stat.S_IFREG | (_EXECUTABLE_MODE if executable else _FILE_MODE)) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _is_executable(mode: int) -> bool:
    # Only the executable bit survives: other mode bits depend on the umask of whoever checked the files out.
    return bool(mode & 0o111)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise AssetError(f"cannot read {path} (relative to {Path.cwd()}): {error.strerror or error}") from error


def _fetch(uri: str) -> bytes:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return _read_file(Path(unquote(parsed.path)))
    if parsed.scheme not in ("http", "https"):
        raise AssetError(f"unsupported asset uri {uri!r}: use file://, http:// or https://")
    try:
        with urllib.request.urlopen(uri, timeout=_FETCH_TIMEOUT_SECONDS) as response:
            return bytes(response.read())
    except OSError as error:
        raise AssetError(f"cannot fetch {uri}: {error}") from error


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(k for k in value if k != SIG)) + "}"
    return type(value).__name__
