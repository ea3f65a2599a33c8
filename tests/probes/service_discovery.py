"""Probes of the Cloud Map types: private DNS namespaces and services."""

from __future__ import annotations

from probing import Probe, present

PROBES: dict[str, Probe] = {
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": lambda c, id, o: present(
        lambda: c("servicediscovery").get_namespace(Id=id), "NamespaceNotFound"),
    "aws:servicediscovery/service:Service": lambda c, id, o: present(
        lambda: c("servicediscovery").get_service(Id=id), "ServiceNotFound"),
}
