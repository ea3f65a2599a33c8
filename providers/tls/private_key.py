"""tls.PrivateKey: a key generated once, in every encoding the Terraform tls provider gives it."""

from __future__ import annotations

from envctl.providers.state_only import Props, StateOnlyResource
from envctl.providers.tls.keys import ALGORITHMS, CURVES, generate_key, private_key_properties, public_key_properties


class PrivateKey(StateOnlyResource):
    token = "tls:index/privateKey:PrivateKey"
    required = ("algorithm",)
    integers = frozenset({"rsaBits"})
    handled = frozenset({"rsaBits", "ecdsaCurve"})
    defaults = {"rsaBits": 2048, "ecdsaCurve": "P224"}
    outputs = frozenset({"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh", "publicKeyPem", "publicKeyOpenssh",
                         "publicKeyFingerprintMd5", "publicKeyFingerprintSha256"})
    secret = frozenset({"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        problems = []
        if inputs["algorithm"] not in ALGORITHMS:
            problems.append(("algorithm", f"algorithm must be one of {', '.join(ALGORITHMS)}, "
                             f"got {inputs['algorithm']!r}"))
        if inputs["ecdsaCurve"] not in CURVES:
            problems.append(("ecdsaCurve", f"ecdsaCurve must be one of {', '.join(CURVES)}, "
                             f"got {inputs['ecdsaCurve']!r}"))
        if inputs["algorithm"] == "RSA" and inputs["rsaBits"] < 1024:
            # cryptography makes no RSA key under 1024 bits.
            problems.append(("rsaBits", f"rsaBits must be at least 1024, got {inputs['rsaBits']}"))
        return problems

    def generate(self, inputs: Props) -> tuple[str, Props]:
        key = generate_key(inputs["algorithm"], int(inputs["rsaBits"]), inputs["ecdsaCurve"])
        public = public_key_properties(key.public_key())
        return public.pop("id"), {**private_key_properties(key), **public}
