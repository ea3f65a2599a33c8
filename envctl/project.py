"""Pulumi projects and stacks in Pulumi's own formats: Pulumi.yaml, Pulumi.<stack>.yaml, config keys.

The same files work unchanged with the real Pulumi CLI, so the rules here are Pulumi's (where the
stack file lives, how config keys are namespaced, how project-level declarations give defaults).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envctl.errors import BadInput
from envctl.names import check_env_name

PROJECT_FILE_NAMES = ("Pulumi.json", "Pulumi.yaml", "Pulumi.yml")
_KEY = re.compile(r"^[^:\s]+:[^:\s].*$")
_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


@dataclass(frozen=True)
class Secure:
    """A `secure:` config value, still encrypted."""

    ciphertext: str


@dataclass(frozen=True)
class ConfigDeclaration:
    key: str
    type: str | None = None
    description: str | None = None
    default: Any = None
    has_default: bool = False
    secret: bool = False


@dataclass
class Project:
    """A Pulumi project: Pulumi.yaml and where its program and stack files are."""

    root: Path
    file: Path
    name: str
    runtime: str
    runtime_options: dict[str, Any]
    main: Path
    stack_config_dir: Path
    description: str | None = None
    declarations: dict[str, ConfigDeclaration] = field(default_factory=dict)

    @property
    def virtualenv(self) -> Path | None:
        """The virtualenv the program's packages are in (`runtime.options.virtualenv`, relative to the project)."""
        named = self.runtime_options.get("virtualenv")
        return (self.root / str(named)).resolve() if named else None

    def stack_file(self, stack: str) -> Path:
        """Pulumi.<stack>.<ext>, with `/` in a stack name written as `-`, like the Pulumi CLI."""
        ext = self.file.suffix
        return self.stack_config_dir / f"Pulumi.{stack.replace('/', '-')}{ext}"

    def known_stacks(self) -> list[str]:
        """Stacks that have a stack file."""
        pattern = re.compile(r"^Pulumi\.(.+)" + re.escape(self.file.suffix) + "$")
        return sorted(
            m.group(1) for p in self.stack_config_dir.glob(f"Pulumi.*{self.file.suffix}")
            if (m := pattern.match(p.name))
        )


@dataclass
class StackConfig:
    """A stack's config: full key (`ns:name`) -> value (plain, or Secure), plus the secrets-provider state."""

    stack: str
    file: Path
    exists: bool
    values: dict[str, Any]
    encryption_salt: str | None = None
    document: dict[str, Any] = field(default_factory=dict)

    def secret_keys(self) -> list[str]:
        return sorted(k for k, v in self.values.items() if _contains_secure(v))


def find_project_dir(start: Path) -> Path:
    """The nearest directory at or above `start` holding a Pulumi project file, as the Pulumi CLI looks."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in PROJECT_FILE_NAMES):
            return directory
    raise BadInput(
        f"no Pulumi project (Pulumi.yaml) in {start} or any parent directory; "
        "run envctl inside a project or pass -C DIR"
    )


def load_project(directory: Path) -> Project:
    """Read the project file in `directory` (which must hold one)."""
    directory = directory.resolve()
    if not directory.is_dir():
        raise BadInput(f"project directory {directory} does not exist")
    file = next((directory / n for n in PROJECT_FILE_NAMES if (directory / n).is_file()), None)
    if file is None:
        raise BadInput(f"no Pulumi.yaml in {directory}; pass -C with the directory of a Pulumi project")
    doc = read_yaml(file)
    if not isinstance(doc, dict):
        raise BadInput(f"{file}: expected a mapping with at least `name` and `runtime`")
    name = doc.get("name")
    if isinstance(name, str) and "${PROJECT}" in name:
        # A template as `pulumi new` leaves it before substitution: name it after its directory, as `new` would.
        name = name.replace("${PROJECT}", directory.name)
    if not isinstance(name, str) or not name:
        raise BadInput(f"{file}: `name` is required (the project name)")
    runtime, options = _runtime(file, doc.get("runtime"))
    if runtime != "python":
        raise BadInput(f"{file}: runtime `{runtime}` is not supported by envctl's local engine (python only)")
    config = doc.get("config")
    stack_config_dir = doc.get("stackConfigDir")
    if isinstance(config, str):  # legacy form: `config: <dir>` means stackConfigDir
        if stack_config_dir:
            raise BadInput(f"{file}: should not use both config and stackConfigDir")
        stack_config_dir, config = config, None
    main = directory / str(doc.get("main") or ".")
    if not main.exists():
        raise BadInput(f"{file}: main `{doc.get('main')}` does not exist")
    return Project(
        root=directory,
        file=file,
        name=name,
        runtime=runtime,
        runtime_options=options,
        main=main,
        stack_config_dir=directory / str(stack_config_dir or "."),
        description=doc.get("description"),
        declarations=_declarations(file, name, config or {}),
    )


def load_stack_config(project: Project, stack: str) -> StackConfig:
    """The stack's config with project defaults applied; a stack with no file yet has empty config."""
    check_env_name(stack)
    path = project.stack_file(stack)
    doc: dict[str, Any] = {}
    if path.exists():
        loaded = read_yaml(path)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise BadInput(f"{path}: expected a mapping with a `config:` section")
        doc = loaded
    raw = doc.get("config") or {}
    if not isinstance(raw, dict):
        raise BadInput(f"{path}: `config` must be a mapping of `namespace:key: value`")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        full = normal_key(str(key), project.name)
        if full is None:
            raise BadInput(f"{path}: config key {key!r} should be of the form `<namespace>:<name>`")
        values[full] = secure_leaves(value, f"{path.name}: {full}")
    for key, decl in project.declarations.items():
        if key in values:
            _check_type(path, decl, values[key])
        elif decl.has_default:
            values[key] = decl.default
    missing = sorted(k for k, d in project.declarations.items() if k not in values and not d.has_default
                     and k.startswith(project.name + ":"))
    if missing:
        raise BadInput(
            f"{path}: missing required configuration {', '.join(missing)}; "
            f"set it with `envctl config set {stack} {missing[0].split(':', 1)[1]} VALUE`"
        )
    salt = doc.get("encryptionsalt")
    return StackConfig(stack, path, path.exists(), values, salt if isinstance(salt, str) else None, doc)


def program_config_text(value: Any) -> str:
    """How Pulumi hands a config value to a program: strings as-is, everything else as JSON text."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error becomes BadInput with file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInput(f"{where}: invalid YAML: {problem}") from None


def _runtime(file: Path, value: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(value, str):
        return value, {}
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"], dict(value.get("options") or {})
    raise BadInput(f"{file}: `runtime` is required (e.g. `runtime: python`)")


def _declarations(file: Path, project: str, config: Any) -> dict[str, ConfigDeclaration]:
    if not isinstance(config, dict):
        raise BadInput(f"{file}: `config` must be a mapping of key declarations")
    result = {}
    for key, spec in config.items():
        full = normal_key(str(key), project, bare_is_project=True)
        if full is None:
            raise BadInput(f"{file}: config key {key!r} should be of the form `<namespace>:<name>`")
        if not isinstance(spec, dict):
            spec = {"value": spec}
        has_default = "default" in spec or "value" in spec
        default = spec.get("default", spec.get("value"))
        decl = ConfigDeclaration(full, spec.get("type"), spec.get("description"), default, has_default,
                                 bool(spec.get("secret")))
        if decl.type and decl.type not in _TYPE_CHECKS:
            raise BadInput(f"{file}: config {key!r} has unknown type {decl.type!r}")
        result[full] = decl
    return result


def normal_key(key: str, project: str, bare_is_project: bool = False) -> str | None:
    if ":" not in key:
        return f"{project}:{key}" if bare_is_project else None
    parts = key.split(":")
    if len(parts) == 3 and parts[1] == "config":  # legacy `<pkg>:config:<name>`
        return f"{parts[0]}:{parts[2]}"
    return key if _KEY.match(key) and len(parts) == 2 else None


def _check_type(path: Path, decl: ConfigDeclaration, value: Any) -> None:
    if decl.secret and not isinstance(value, Secure):
        raise BadInput(f"{path}: config {decl.key} is declared secret; set it with "
                       f"`envctl config set <env> {decl.key.split(':', 1)[1]} --secret`")
    if decl.type is None or isinstance(value, Secure):
        return
    # `pulumi config set port 8080` stores a string; Pulumi accepts it when it parses as the declared type.
    if isinstance(value, str) and decl.type in ("integer", "boolean"):
        value = _parse_scalar(value)
    if not _TYPE_CHECKS[decl.type](value):
        raise BadInput(f"{path}: config {decl.key} must be of type {decl.type}, got {value!r}")


def _parse_scalar(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        return text


def secure_leaves(value: Any, key: str = "config") -> Any:
    """`value` with each `{secure: <ciphertext>}` as a Secure. A map whose only key is `secure` is reserved for a
    secret: any other value there is refused, never deployed as plaintext config."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            if not isinstance(value["secure"], str):
                raise BadInput(f"{key}: `secure:` must hold the ciphertext string `envctl config set --secret` "
                               f"writes, not {type(value['secure']).__name__} {value['secure']!r}; set the value "
                               "again with --secret")
            return Secure(value["secure"])
        return {k: secure_leaves(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [secure_leaves(v, key) for v in value]
    return value


def _contains_secure(value: Any) -> bool:
    if isinstance(value, Secure):
        return True
    if isinstance(value, dict):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False
