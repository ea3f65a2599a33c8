"""Every random and tls type envctl registers declares its schema as the installed pulumi_random and pulumi_tls
classes define it: every input (implemented or refused with a hint), every output, the required inputs and the
secret properties. An input missing from the declaration would be refused as unknown; a wrong name never matches."""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass

import pytest

from envctl.providers.random.package import random_package
from envctl.providers.state_only import StateOnlyPackage
from envctl.providers.tls.package import tls_package

_SECRET_OUTPUTS = re.compile(r"additional_secret_outputs=\[([^\]]*)\]")
PACKAGES: dict[str, StateOnlyPackage] = {"random": random_package(), "tls": tls_package()}
TOKENS = [info.token for package in PACKAGES.values() for info in package.types() if info.kind == "resource"]


@dataclass(frozen=True)
class SdkType:
    inputs: frozenset[str]
    outputs: frozenset[str]
    required: frozenset[str]
    secret: frozenset[str]


def sdk_type(token: str) -> SdkType:
    """A type as the installed SDK classes define it, in wire names."""
    package, class_name = token.split(":")[0], token.rsplit(":", 1)[1]
    module = importlib.import_module(f"pulumi_{package}")
    resource, args = getattr(module, class_name), getattr(module, f"{class_name}Args")
    wire = {name: value.fget._pulumi_name for name, value in vars(args).items()
            if isinstance(value, property) and hasattr(value.fget, "_pulumi_name")}
    getters = {value.fget._pulumi_name for value in vars(resource).values()
               if isinstance(value, property) and hasattr(value.fget, "_pulumi_name")}
    parameters = inspect.signature(args.__init__).parameters.values()
    required = {wire[p.name] for p in parameters if p.name in wire and p.default is inspect.Parameter.empty}
    found = _SECRET_OUTPUTS.search(inspect.getsource(resource._internal_init))
    secret = {name.strip().strip('"') for name in found.group(1).split(",")} if found else set()
    inputs = frozenset(wire.values())
    return SdkType(inputs, frozenset(getters - inputs), frozenset(required), frozenset(secret))


def test_the_packages_register_the_types_the_sdks_have() -> None:
    assert {"random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString",
            "random:index/randomId:RandomId", "random:index/randomInteger:RandomInteger",
            "random:index/randomPet:RandomPet", "random:index/randomUuid:RandomUuid",
            "random:index/randomShuffle:RandomShuffle", "random:index/randomBytes:RandomBytes",
            "tls:index/privateKey:PrivateKey", "tls:index/selfSignedCert:SelfSignedCert",
            "tls:index/certRequest:CertRequest", "tls:index/locallySignedCert:LocallySignedCert"} <= set(TOKENS)
    assert PACKAGES["tls"].supports_invoke("tls:index/getPublicKey:getPublicKey")
    assert PACKAGES["tls"].supports_invoke("tls:index/getCertificate:getCertificate")


@pytest.mark.parametrize("token", TOKENS)
def test_the_declared_schema_is_the_sdk_s(token: str) -> None:
    resource = PACKAGES[token.split(":")[0]].resource(token)
    expected = sdk_type(token)
    declared = resource.inputs()
    assert {"missing": sorted(expected.inputs - declared),
            "unknown": sorted(declared - expected.inputs)} == {"missing": [], "unknown": []}, "inputs"
    assert {"missing": sorted(expected.outputs - resource.outputs),
            "unknown": sorted(resource.outputs - expected.outputs)} == {"missing": [], "unknown": []}, "outputs"
    assert set(resource.required) == expected.required
    assert resource.secret == expected.secret
    assert resource.updatable <= declared and resource.integers <= declared
    assert set(resource.defaults) <= declared


@pytest.mark.parametrize("token", TOKENS)
def test_a_type_s_inputs_are_either_honoured_or_refused_with_a_hint(token: str) -> None:
    info = next(i for p in PACKAGES.values() for i in p.types() if i.token == token)
    assert not set(info.implemented) & set(info.unimplemented)
    assert all(info.unimplemented.values())
