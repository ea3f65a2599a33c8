"""Stack files (Pulumi.<env>.yaml) edited as the Pulumi CLI edits them: namespaced keys, property paths,
`secure:` values and `encryptionsalt`, while keeping the file's comments and order (ruamel.yaml round trip);
the file is replaced atomically, so a reader never sees half of it."""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from envctl.errors import BadInput
from envctl.names import check_env_name
from envctl.project import (
    Project,
    Secure,
    StackConfig,
    load_stack_config,
    normal_key,
    secure_leaves,
)
from envctl.secrets import Crypter, decrypt_config, stack_crypter

HIDDEN = "[secret]"
# One element of a Pulumi property path: `.name`, `name`, `[3]` or `["any \"key\""]`.
_PATH_SEGMENT = re.compile(r'\.?(?:\[(?:"(?P<quoted>(?:\\"|[^"])*)"|(?P<index>\d+))\]|(?P<name>[^.\[]+))')
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class Written:
    """What `set_value` wrote: where, which key (and path), and whether a new encryptionsalt came with it."""

    file: Path
    shown: str
    salt_is_new: bool


def settable_target(project: Project, env: str, key: str, path: bool, secret: bool) -> ConfigTarget:
    """Where `config set ENV KEY` writes, checked before the value is asked for."""
    check_env_name(env)
    target = config_target(project, key, path)
    declaration = project.declarations.get(target.key)
    if declaration is not None and declaration.secret and not secret:
        raise BadInput(f"{target.shown} is declared secret in {project.file.name}: add --secret")
    return target


def set_value(project: Project, env: str, target: ConfigTarget, text: str, secret: bool) -> Written:
    """Set a value in the stack file, as `pulumi config set` does (a secret encrypted)."""
    file = project.stack_file(env)
    document = _load_document(file)
    salt_is_new = False
    if secret:
        leaf, salt_is_new = _secret_leaf(env, file, document, text)
    elif target.path:
        leaf = _path_leaf(text)
    else:
        leaf = _typed_for_declaration(project, target.key, text)
    config = _config_section(file, document)
    stored_key = next((k for k in config if normal_key(str(k), project.name) == target.key), target.key)
    _set_in(config, stored_key, target.path, _yaml_safe(leaf), target.shown)
    _write_atomically(file, _dump(document))
    return Written(file, target.shown, salt_is_new)


def remove_value(project: Project, env: str, key: str, path: bool) -> Path:
    """Remove a config key (or, with `path`, one element inside it) from the stack file, as `pulumi config rm`."""
    check_env_name(env)
    target = config_target(project, key, path)
    file = project.stack_file(env)
    if not file.exists():
        raise BadInput(f"unknown environment {env!r}: no {file.name}")
    document = _load_document(file)
    config = _config_section(file, document)
    stored_key = next((k for k in config if _same_key(project, k, target.key)), None)
    container: Any = config
    slot: Any = stored_key
    for segment in target.path:
        child = _child(container, slot) if slot is not None else None
        if not _is_container(child) or (isinstance(segment, int) and not isinstance(child, list)):
            slot = None
            break
        container, slot = child, segment
    if slot is None or _child(container, slot) is None:
        raise BadInput(f"config {target.shown} is not set for environment {env}")
    del container[slot]
    _write_atomically(file, _dump(document))
    return file


def copy_values(project: Project, source: str, destination: str, key: str | None = None) -> tuple[Path, list[str]]:
    """Copy the config of `source` (every key, or the one `key`) into `destination`'s stack file, as `pulumi config
    cp`: secrets are decrypted under the source's key and encrypted under the destination's (a new
    encryptionsalt if it has none). Returns the file written and the keys copied."""
    check_env_name(destination)
    source_config = load_stack_config(project, source) if project.stack_file(source).exists() else None
    if source_config is None:
        known = ", ".join(project.known_stacks()) or "none"
        raise BadInput(f"unknown environment {source!r}: no {project.stack_file(source).name}; known environments: "
                       f"{known}")
    source_document = _config_section(source_config.file, _load_document(source_config.file))
    if key is not None:
        wanted = config_target(project, key, path=False).key
        chosen = [k for k in source_document if normal_key(str(k), project.name) == wanted]
        if not chosen:
            raise BadInput(f"config {wanted} is not set for environment {source}")
    else:
        chosen = list(source_document)
    file = project.stack_file(destination)
    document = _load_document(file)
    config = _config_section(file, document)
    opened: Crypter | None = None
    sealing: Crypter | None = None

    def recrypted(node: Any) -> Any:
        nonlocal opened, sealing
        if _is_secure_map(node):
            opened = opened or stack_crypter(source_config, create=False)
            if sealing is None:
                sealing = stack_crypter(_unvalidated_stack_config(destination, file, document), create=True)
                assert sealing is not None and sealing.encryption_salt
                if sealing.salt_is_new:
                    _put_encryption_salt(document, sealing.encryption_salt)
            assert opened is not None
            return CommentedMap([("secure", sealing.encrypt(opened.decrypt(str(node["secure"]))))])
        if isinstance(node, dict):
            return CommentedMap([(k, recrypted(v)) for k, v in node.items()])
        if isinstance(node, list):
            return CommentedSeq(recrypted(v) for v in node)
        return node

    for stored in chosen:
        existing = next((k for k in config if _same_key(project, k, stored)), stored)
        config[existing] = recrypted(source_document[stored])
    _write_atomically(file, _dump(document))
    return file, [normal_key(str(k), project.name) or str(k) for k in chosen]


def _same_key(project: Project, a: Any, b: Any) -> bool:
    normal = normal_key(str(a), project.name)
    return str(a) == str(b) or (normal is not None and normal == normal_key(str(b), project.name))


def reencrypted(file: Path, old: Crypter, new: Crypter) -> tuple[str, int]:
    """The stack file's text with every `secure:` value under `new` and its encryptionsalt `new`'s; and how many
    secrets it holds. Comments, order and quoting are kept."""
    document = _load_document(file)
    assert new.encryption_salt is not None
    count = 0

    def walk(node: Any) -> None:
        nonlocal count
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        for child in children:
            if _is_secure_map(child) and isinstance(child["secure"], str):
                child["secure"] = new.encrypt(old.decrypt(child["secure"]))
                count += 1
            else:
                walk(child)

    walk(document.get("config") or {})
    _put_encryption_salt(document, new.encryption_salt)
    return _dump(document), count


def write_stack_file(file: Path, text: str) -> None:
    """Replace the stack file with `text` atomically."""
    _write_atomically(file, text)


def config_values(project: Project, env: str, show_secrets: bool,
                  key: str | None = None) -> dict[str, tuple[bool, Any]]:
    """The environment's config (project defaults included), or one key of it: each value with whether it is a
    secret; a secret is "[secret]" unless `show_secrets`."""
    check_env_name(env)
    if not project.stack_file(env).exists():  # a mistyped name would read as an environment without config
        known = ", ".join(project.known_stacks()) or "none"
        raise BadInput(f"unknown environment {env!r}: no {project.stack_file(env).name}; known environments: "
                       f"{known} (`envctl config set {env} KEY VALUE` starts a new one)")
    stack_config = load_stack_config(project, env)
    values = stack_config.values
    if key is not None:
        full_key = config_target(project, key, path=False).key
        if full_key not in values:
            raise BadInput(f"config {full_key} is not set for environment {env}; "
                           f"see `envctl config list {env}` or set it with `envctl config set {env} {key} VALUE`")
        values = {full_key: values[full_key]}
    secret_keys = set(stack_config.secret_keys())
    return {k: (k in secret_keys, v) for k, v in _shown_values(stack_config, values, show_secrets).items()}


def _shown_values(stack_config: StackConfig, values: dict[str, Any], show_secrets: bool) -> dict[str, Any]:
    if show_secrets and any(k in stack_config.secret_keys() for k in values):
        return decrypt_config(values, stack_crypter(stack_config, create=False))
    return {k: _redacted(v) for k, v in values.items()}


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return HIDDEN if isinstance(value, Secure) else value




@dataclass(frozen=True)
class ConfigTarget:
    key: str  # the full top-level key, `namespace:name`
    path: list[str | int]  # with --path, the property path below it
    shown: str  # the key and path, for messages


def config_target(project: Project, key: str, path: bool) -> ConfigTarget:
    """Where KEY points in the stack's config.

    As in Pulumi, only the top segment is namespaced, so `aws:assumeRole.roleArn` is key `aws:assumeRole`
    with path `roleArn`, and a bare `data.nums[0]` is `<project>:data` with path `nums[0]`.
    """
    top, rest = key, ""
    if path:
        if key.startswith("["):
            first, *below = _property_path(key)
            if not isinstance(first, str):
                raise BadInput(f"invalid config key {key!r}: the first path element must be a name, not an index")
            return ConfigTarget(f"{project.name}:{first}", below, f"{project.name}:{key}")
        cut = next((i for i, c in enumerate(key) if c in ".["), len(key))
        top, rest = key[:cut], key[cut:]
    full = normal_key(top, project.name, bare_is_project=True)
    if full is None:
        raise BadInput(f"invalid config key {top!r}: use `name` (the project's namespace) or `namespace:name`")
    return ConfigTarget(full, _property_path(rest) if rest else [], full + rest)


def _property_path(text: str) -> list[str | int]:
    segments: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_SEGMENT.match(text, position)
        if match is None:
            raise BadInput(f"invalid property path {text!r} at character {position + 1}: "
                           'write name.nested, name[0] or name["key.with.dots"]')
        if match["index"] is not None:
            segments.append(int(match["index"]))
        elif match["quoted"] is not None:
            segments.append(match["quoted"].replace('\\"', '"'))
        else:
            segments.append(match["name"])
        position = match.end()
    return segments


def _path_leaf(text: str) -> Any:
    """Pulumi's rule for a value set with --path: true/false are booleans, integers numbers, else strings."""
    if text in ("true", "false"):
        return text == "true"
    if _INTEGER.fullmatch(text) and not (len(text) > 1 and text[0] == "0"):  # keep "0123" as typed
        return int(text)
    return text


def _typed_for_declaration(project: Project, full_key: str, text: str) -> Any:
    """A top-level value: a string, except where Pulumi.yaml declares integer or boolean (checked here)."""
    declaration = project.declarations.get(full_key)
    declared = declaration.type if declaration else None
    if declared == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if declared == "boolean" and text in ("true", "false"):
        return text == "true"
    if declared in ("integer", "boolean"):
        raise BadInput(f"{full_key} is declared `type: {declared}` in {project.file.name}; got {text!r}")
    if declared in ("array", "object"):
        example = f"{full_key}[0]" if declared == "array" else f"{full_key}.name"
        raise BadInput(f"{full_key} is declared `type: {declared}` in {project.file.name}: set its elements "
                       f"with --path, e.g. `envctl config set ENV '{example}' VALUE --path`")
    return text


def _set_in(config: CommentedMap, key: str, segments: list[str | int], leaf: Any, shown_key: str) -> None:
    """Set config[key] or, along `segments`, a value inside it, creating maps and lists as Pulumi does."""
    container: Any = config
    slot: str | int = key
    for segment in segments:
        child = _child(container, slot)
        wanted = CommentedSeq if isinstance(segment, int) else CommentedMap
        if child is None or (container is config and not _is_container(child)):
            child = wanted()  # a missing element, or a top-level plain value, becomes a new map or list
            _put(container, slot, child, shown_key)
        elif not isinstance(child, wanted) or not _is_container(child):
            expected = "a list" if wanted is CommentedSeq else "a map"
            raise BadInput(f"cannot set {shown_key}: {slot!r} holds {_describe(child)}, not {expected}")
        container, slot = child, segment
    _put(container, slot, leaf, shown_key)
    if isinstance(container, dict) and _is_secure_map(container):
        raise BadInput(f"cannot set {shown_key}: a map whose only key is `secure` is reserved for secret values")


def _child(container: Any, slot: str | int) -> Any:
    if isinstance(container, dict):
        return container.get(slot)
    assert isinstance(slot, int)
    return container[slot] if slot < len(container) else None


def _put(container: Any, slot: str | int, value: Any, shown_key: str) -> None:
    if isinstance(container, dict):
        container[_yaml_safe(slot)] = value
        return
    assert isinstance(slot, int)
    if slot > len(container):
        raise BadInput(f"cannot set {shown_key}: index {slot} is past the end of a list of {len(container)} "
                       f"(use {len(container)} to append)")
    if slot == len(container):
        container.append(value)
    else:
        container[slot] = value


def _is_secure_map(value: Any) -> bool:
    return isinstance(value, dict) and list(value) == ["secure"]


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list) and not _is_secure_map(value)


def _describe(value: Any) -> str:
    return "a secret" if _is_secure_map(value) else f"the {type(value).__name__} {value!r}"


def _yaml_safe(value: Any) -> Any:
    """A string PyYAML (YAML 1.1) would read as another type (`yes`, `on`, `12:30`) is written double-quoted."""
    if isinstance(value, str) and not isinstance(value, DoubleQuotedScalarString):
        resolved = pyyaml.resolver.Resolver().resolve(pyyaml.ScalarNode, value, (True, False))
        if resolved != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(value)
    return value


def _round_trip_yaml() -> YAML:
    document_yaml = YAML()  # round-trip mode: comments and key order survive load + dump
    document_yaml.preserve_quotes = True  # so does quoting: an existing "yes" must stay a string
    document_yaml.width = 4096  # never fold a long value over lines
    return document_yaml


def _load_document(file: Path) -> CommentedMap:
    if not file.exists():
        return CommentedMap()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror}") from None
    try:
        document = _round_trip_yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        raise BadInput(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        raise BadInput(f"{file}: expected a mapping with a `config:` section")
    return document


def _config_section(file: Path, document: CommentedMap) -> CommentedMap:
    config = document.get("config")
    if not config:
        config = CommentedMap()
        document["config"] = config
    if not isinstance(config, CommentedMap):
        raise BadInput(f"{file}: `config` must be a mapping of `namespace:key: value`")
    config.fa.set_block_style()  # `config: {a: b}` would otherwise grow as one flow line
    return config


def _unvalidated_stack_config(env: str, file: Path, document: CommentedMap) -> StackConfig:
    # `set` must work on a stack whose config does not validate yet (it is how the user fixes it), so it
    # cannot use load_stack_config; the secrets setup only needs the salt, the provider and the secure values.
    salt = document.get("encryptionsalt")
    values = {str(k): secure_leaves(v) for k, v in (document.get("config") or {}).items()}
    return StackConfig(env, file, file.exists(), values, salt if isinstance(salt, str) else None, document)


def _secret_leaf(env: str, file: Path, document: CommentedMap, text: str) -> tuple[CommentedMap, bool]:
    """`{secure: <ciphertext>}`, and whether a new encryptionsalt was put into the document for it."""
    crypter = stack_crypter(_unvalidated_stack_config(env, file, document), create=True)
    assert crypter is not None and crypter.encryption_salt  # with create=True: a crypter with its salt, or BadInput
    if crypter.salt_is_new:
        _put_encryption_salt(document, crypter.encryption_salt)
    return CommentedMap([("secure", crypter.encrypt(text))]), crypter.salt_is_new


def _put_encryption_salt(document: CommentedMap, salt: str) -> None:
    # Pulumi writes encryptionsalt first in the file.
    if "encryptionsalt" in document:
        document["encryptionsalt"] = salt
    else:
        document.insert(0, "encryptionsalt", salt)


def _dump(document: CommentedMap) -> str:
    out = io.StringIO()
    _round_trip_yaml().dump(document, out)
    return out.getvalue()


def _write_atomically(file: Path, text: str) -> None:
    """Replace `file` with `text` via a temp file in the same directory, so readers never see half a file."""
    target = file.resolve() if file.is_symlink() else file
    temp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        temp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644)
        os.replace(temp, target)
    except OSError as exc:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise BadInput(f"cannot write {target}: {exc.strerror}; check that {target.parent} is a writable "
                       "directory") from None
