"""Probes of EventBridge Scheduler's types and of ECS capacity providers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from probing import Probe, listed, present

_GONE = ("ResourceNotFoundException",)


def _schedule(c: Callable[[str], Any], id: str, o: dict[str, Any]) -> bool:
    group, _, name = id.rpartition("/")
    return present(lambda: c("scheduler").get_schedule(GroupName=group, Name=name), *_GONE)


def _cluster_capacity(c: Callable[[str], Any], id: str, o: dict[str, Any]) -> bool:
    """Deleting them leaves the cluster without capacity providers, or the cluster is gone with them."""
    clusters = c("ecs").describe_clusters(clusters=[id])["clusters"]
    return any(cluster["status"] == "ACTIVE" and cluster.get("capacityProviders") for cluster in clusters)


PROBES: dict[str, Probe] = {
    "aws:scheduler/scheduleGroup:ScheduleGroup": lambda c, id, o: listed(
        lambda: c("scheduler").list_schedule_groups()["ScheduleGroups"],
        lambda groups: id in {group["Name"] for group in groups}),
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:ecs/capacityProvider:CapacityProvider": lambda c, id, o: listed(
        lambda: c("ecs").describe_capacity_providers(capacityProviders=[id])["capacityProviders"],
        lambda providers: any(p["status"] == "ACTIVE" for p in providers)),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": _cluster_capacity,
    "aws:ecr/repository:Repository": lambda c, id, o: present(
        lambda: c("ecr").describe_repositories(repositoryNames=[id]), "RepositoryNotFoundException"),
}
