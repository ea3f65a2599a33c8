"""Provider packages whose resources live only in the state: the random values of `random` and the keys and
certificates of `tls` are made once, on create, and the state is then the resource (nothing in a cloud to read,
change or delete). Each type declares its schema as the aws types do (every input implemented or refused, defaults,
force-new, secret outputs), and the package serves the engine's provider protocol for its types and invokes.

Secret outputs are returned wrapped as secrets, so that they are stored encrypted whatever the program's options."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from envctl.engine.properties import contains_unknown, empty_as_none, is_secret, reveal, secret
from envctl.engine.provider import CheckFailure, CheckResult, DiffResult, ProviderError, TypeInfo

Props = dict[str, Any]
InvokeFn = Callable[[Props], Props]

_EMPTY = (None, False, "", [], {})  # an input with one of these values is not set


class StateOnlyResource(ABC):
    """One resource type whose value is made on create and kept in the state. Subclasses declare the rules and
    implement `generate`; inputs are plain values (the engine unwraps secrets)."""

    token: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ()
    # Inputs besides the required ones that the type implements, and those it refuses (each with a hint).
    handled: ClassVar[frozenset[str]] = frozenset()
    unsupported: ClassVar[Mapping[str, str]] = {}
    # Input defaults the provider's check fills in, so that state and diffs carry them.
    defaults: ClassVar[Props] = {}
    # Inputs whose change does not force a replacement; every other change does (the values are made once).
    updatable: ClassVar[frozenset[str]] = frozenset()
    outputs: ClassVar[frozenset[str]] = frozenset()
    secret: ClassVar[frozenset[str]] = frozenset()
    # Whole-number inputs: any other value is refused before the type's own checks compare it.
    integers: ClassVar[frozenset[str]] = frozenset()
    # Map inputs whose values the provider takes as strings (random's `keepers`): bridged, `1` arrives as "1".
    string_maps: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def inputs(cls) -> frozenset[str]:
        return frozenset(cls.required) | cls.handled | frozenset(cls.unsupported)

    @classmethod
    def info(cls) -> TypeInfo:
        implemented = (frozenset(cls.required) | cls.handled) - frozenset(cls.unsupported)
        return TypeInfo(cls.token, "resource", tuple(sorted(implemented)), dict(cls.unsupported),
                        tuple(sorted(cls.outputs)), tuple(sorted(cls.secret)))

    def check(self, inputs: Props) -> CheckResult:
        completed = dict(inputs)
        for key in self.string_maps:
            if isinstance(completed.get(key), dict):
                completed[key] = {k: _as_string(v) for k, v in completed[key].items()}
        for key, value in self.defaults.items():
            if completed.get(key) is None:
                completed[key] = value
        completed = self.complete(completed)
        failures = [CheckFailure(key, f"missing required property '{key}'")
                    for key in self.required if completed.get(key) is None]
        failures += [CheckFailure(key, f"'{key}' is not supported by envctl's local engine for {self.token}"
                                  + (f"; {hint}" if hint else ""), unsupported=True)
                     for key, hint in self.unsupported.items() if completed.get(key) not in _EMPTY]
        known = self.inputs()
        failures += [CheckFailure(key, f"'{key}' is not an input of {self.token}")
                     for key in sorted(completed) if key not in known and completed[key] not in _EMPTY]
        if not failures and not contains_unknown(completed):  # a preview checks again once values are known
            failures = [CheckFailure(key, f"{key} must be a whole number, got {completed[key]!r}")
                        for key in sorted(self.integers) if not _is_integer(completed.get(key))]
        if not failures and not contains_unknown(completed):
            failures = [CheckFailure(key, reason) for key, reason in self.validate(completed)]
        return CheckResult(completed, tuple(failures))

    def complete(self, inputs: Props) -> Props:
        """Inputs whose default depends on other inputs; override where the provider fills one in."""
        return inputs

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        """(property, reason) for each value the provider rejects; override with the type's rules."""
        return []

    def diff(self, olds: Props, news: Props) -> DiffResult:
        keys = sorted(set(olds) | set(news))
        changed = tuple(k for k in keys if empty_as_none(reveal(olds.get(k))) != empty_as_none(reveal(news.get(k))))
        return DiffResult(changed, tuple(k for k in changed if k not in self.updatable))

    def imported(self, id: str) -> Props | None:
        """The whole state of a value read by its id (`Resource.get`), as the provider's import rebuilds it from the
        id; None where the id does not hold the value."""
        return None

    def refreshed(self, state: Props) -> Props:
        """The state as a read finds it now; override where an output depends on the time."""
        return state

    @abstractmethod
    def generate(self, inputs: Props) -> tuple[str, Props]:
        """Make the resource's values: its id and its output-only properties."""

    def create(self, inputs: Props) -> tuple[str, Props]:
        id_, made = self.generate(inputs)
        return id_, self.wrapped({**inputs, **made})

    def wrapped(self, outputs: Props) -> Props:
        return {k: secret(v) if k in self.secret and v is not None and not is_secret(v) else v
                for k, v in outputs.items()}


class StateOnlyPackage:
    """A provider package of state-only types: it needs no configuration, and one provider serves every call."""

    def __init__(self, name: str, types: Iterable[type[StateOnlyResource]],
                 invokes: Mapping[str, InvokeFn] | None = None) -> None:
        self.name = name
        self._types = {cls.token: cls() for cls in types}
        self._invokes = dict(invokes or {})

    def supports(self, type_: str) -> bool:
        return type_ in self._types

    def supports_invoke(self, token: str) -> bool:
        return token in self._invokes

    def unsupported_reason(self, type_: str) -> str | None:
        return None

    def configure(self, inputs: Props) -> StateOnlyProvider:
        return StateOnlyProvider(self._types, self._invokes)

    def types(self) -> list[TypeInfo]:
        return ([type(t).info() for _, t in sorted(self._types.items())]
                + [TypeInfo(token, "invoke") for token in sorted(self._invokes)])

    def resource(self, type_: str) -> StateOnlyResource:
        return _lookup(self._types, type_)


class StateOnlyProvider:
    """The engine's provider protocol over state-only types: create makes the values, read gives the state back,
    update keeps the values (only inputs that change nothing made are updatable) and delete has nothing to do."""

    def __init__(self, types: Mapping[str, StateOnlyResource], invokes: Mapping[str, InvokeFn]) -> None:
        self._types = types
        self._invokes = invokes

    def check(self, type_: str, name: str, olds: Props | None, news: Props) -> CheckResult:
        return _lookup(self._types, type_).check(news)

    def diff(self, type_: str, olds: Props, news: Props) -> DiffResult:
        return _lookup(self._types, type_).diff(olds, news)

    def create(self, type_: str, urn: str, inputs: Props) -> tuple[str, Props]:
        return _lookup(self._types, type_).create(inputs)

    def read(self, type_: str, id: str, state: Props) -> Props | None:
        resource = _lookup(self._types, type_)
        if resource.outputs <= set(state):
            return resource.wrapped(resource.refreshed(reveal(state)))
        # Not this state's: a `get` by id, which rebuilds the value from the id where the provider can.
        imported = resource.imported(id)
        if imported is None:
            raise ProviderError(f"{type_} {id!r} lives only in the state that made it; its id does not hold its "
                                "value, so it cannot be read from elsewhere")
        return resource.wrapped(imported)

    def update(self, type_: str, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        resource = _lookup(self._types, type_)
        made = {k: v for k, v in reveal(olds).items() if k in resource.outputs}
        return resource.wrapped({**news, **made})

    def delete(self, type_: str, id: str, state: Props) -> None:
        _lookup(self._types, type_)

    def find(self, type_: str, urn: str, inputs: Props, known_ids: set[str]) -> tuple[str, Props] | None:
        # A create that a crash interrupted made values no one kept: the next run makes new ones.
        return None

    def invoke(self, token: str, args: Props) -> Props:
        invoke = self._invokes.get(token)
        if invoke is None:
            raise ProviderError(f"invoke {token} is not supported")
        return invoke(args)


def _lookup(types: Mapping[str, StateOnlyResource], type_: str) -> StateOnlyResource:
    resource = types.get(type_)
    if resource is None:
        raise ProviderError(f"resource type {type_} is not supported")
    return resource


def _is_integer(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _as_string(value: Any) -> Any:
    """A scalar as the bridge turns it into a string: booleans `true`/`false`, numbers as their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) else value


