"""Provider resources of one deployment: the packages by name, the default provider of each (registered like
Pulumi's, `default_<version>`, from the config of the package's namespace), explicit providers of the program, and
the configured provider each reference `<urn>::<id>` gives."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from envctl.engine.goal import Goal
from envctl.engine.provider import Provider, ProviderPackage, TypeInfo, package_of
from envctl.engine.state import ResourceState
from envctl.engine.urn import default_provider_name, make_urn, provider_reference
from envctl.errors import BadInput

PROVIDER_TYPE_PREFIX = "pulumi:providers:"


class ProviderRegistry:
    def __init__(self, packages: Mapping[str, ProviderPackage], stack: str, project: str,
                 package_config: Mapping[str, Mapping[str, Any]]) -> None:
        self._packages = dict(packages)
        self._stack = stack
        self._project = project
        self._package_config = package_config
        self._lock = threading.Lock()
        self._inputs: dict[str, tuple[str, dict[str, Any]]] = {}  # reference -> (package, inputs)
        self._configured: dict[str, Provider] = {}

    # ---- packages --------------------------------------------------------------------------

    def package(self, type_: str) -> ProviderPackage | None:
        return self._packages.get(package_of(type_))

    def supports(self, type_: str) -> bool:
        package = self.package(type_)
        return package is not None and package.supports(type_)

    def supports_invoke(self, token: str) -> bool:
        package = self.package(token)
        return package is not None and package.supports_invoke(token)

    def types(self) -> list[TypeInfo]:
        return [info for package in self._packages.values() for info in package.types()]

    # ---- provider resources ----------------------------------------------------------------

    def default_goal(self, package: str, version: str) -> Goal:
        """The registration of a package's default provider: its inputs are the config of its namespace."""
        type_ = PROVIDER_TYPE_PREFIX + package
        inputs = {**self._package_config.get(package, {}), "version": version, "__internal": {}}
        urn = make_urn(self._stack, self._project, "", type_, default_provider_name(version))
        return Goal(urn=urn, type=type_, name=default_provider_name(version), custom=True, inputs=inputs)

    def add(self, provider: ResourceState) -> str:
        """Make a provider resource usable (registered now, or from the previous state); its reference."""
        reference = provider_reference(provider.urn, str(provider.id))
        with self._lock:
            if self._inputs.get(reference, (None, None))[1] != provider.inputs:
                self._inputs[reference] = (package_of(provider.type), dict(provider.inputs))
                self._configured.pop(reference, None)
        return reference

    def adopt(self, resources: Iterable[ResourceState]) -> None:
        """The providers of resources already in the state, for reading, diffing and deleting them."""
        for resource in resources:
            if resource.type.startswith(PROVIDER_TYPE_PREFIX) and resource.id:
                self.add(resource)

    def resolve(self, reference: str) -> Provider:
        """The configured provider of a reference (configured on first use)."""
        with self._lock:
            configured = self._configured.get(reference)
            if configured is not None:
                return configured
            known = self._inputs.get(reference)
        if known is None:
            raise BadInput(f"unknown provider reference {reference or '(none)'}")
        package_name, inputs = known
        package = self._packages.get(package_name)
        if package is None:
            raise BadInput(f"provider package {package_name!r} is not supported")
        configured = package.configure(inputs)
        with self._lock:
            return self._configured.setdefault(reference, configured)
