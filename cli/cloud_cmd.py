"""Commands: the embedded local cloud (a moto server on 127.0.0.1 whose calls are recorded and replayed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from envctl.cli import context
from envctl.errors import BadInput, EnvctlError

if TYPE_CHECKING:
    from envctl.cloud.faults import FaultPolicy
    from envctl.cloud.local_cloud import CloudStatus, LocalCloud

cloud_app = typer.Typer(help="The embedded local AWS cloud that local environments live in.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
ServicesOption = Annotated[str, typer.Option("--fault-services", help="Only these services (boto3 names: s3,ec2).")]
OperationsOption = Annotated[str, typer.Option("--fault-operations",
                                               help="Only these API operations (CreateBucket,CreateVpc).")]
SeedOption = Annotated[int | None, typer.Option("--fault-seed", help="Seed the fault sequence, for repeatable runs.")]


def register(app: typer.Typer) -> None:
    app.add_typer(cloud_app, name="cloud")


@cloud_app.command("start", help="Start the local cloud, restoring what it held (envctl also starts it on demand).")
def start(port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 reuses the last one, or picks a free one.")] = 0,
          faults: Annotated[str | None, typer.Option(
              "--faults", help="Fail this share of requests (0.1 or 10%) with throttling and 5xx errors.")] = None,
          fault_services: ServicesOption = "", fault_operations: OperationsOption = "", fault_seed: SeedOption = None,
          json_output: JsonOption = False) -> None:
    from envctl.cloud.local_cloud import LocalCloud

    if faults is None and (fault_services or fault_operations or fault_seed is not None):
        raise BadInput("--fault-services, --fault-operations and --fault-seed need --faults RATE")
    policy = _policy(faults, fault_services, fault_operations, fault_seed) if faults is not None else None
    status = LocalCloud(context.project_root()).start(port, policy)
    if json_output:
        context.print_json({**status.to_json(), "started": status.started})
        return
    out = context.console()
    if not status.started:
        out.print(f"local cloud already running at {status.endpoint}" + _pid(status))
    elif status.replayed:
        out.print(f"local cloud running at {status.endpoint}{_pid(status)}: replayed {status.replayed} recorded calls")
    else:
        out.print(f"local cloud running at {status.endpoint}{_pid(status)}: a new, empty cloud")
    if policy is not None:
        out.print(f"faults: {policy.describe()}")


@cloud_app.command("stop", help="Stop the local cloud. What it holds comes back on the next start.")
def stop(json_output: JsonOption = False) -> None:
    from envctl.cloud.local_cloud import LocalCloud

    stopped = LocalCloud(context.project_root()).stop()
    if json_output:
        context.print_json({"stopped": stopped})
    else:
        context.console().print("local cloud stopped" if stopped else "local cloud was not running")


@cloud_app.command("status", help="Whether the local cloud runs, where, and how much it has recorded.")
def status(json_output: JsonOption = False) -> None:
    from envctl.cloud.local_cloud import LocalCloud

    cloud = LocalCloud(context.project_root())
    current = cloud.status()
    recording = cloud.recording.summary()
    faults = _faults_of(cloud) if current.running and not current.external else None
    if json_output:
        context.print_json({**current.to_json(), "recording": recording, "faults": faults})
        return
    out = context.console()
    if current.running:
        out.print(f"running at {current.endpoint}" + _pid(current))
    else:
        out.print("not running")
    if not current.external:
        out.print(f"recording: {recording['calls']} calls, {recording['bytes'] / 1024:,.0f} KiB in {recording['path']}")
    if faults and faults["rate"]:
        out.print(f"faults: {_policy_of(faults).describe()}; {faults['injected']} injected "
                  f"in {faults['requests']} requests")


@cloud_app.command("reset", help="Wipe the local cloud: every resource and the recording. A simulated disaster.")
def reset(yes: Annotated[bool, typer.Option("--yes", "-y", help="Reset without asking.")] = False,
          json_output: JsonOption = False) -> None:
    from envctl.cloud.local_cloud import LocalCloud

    cloud = LocalCloud(context.project_root())
    if not yes:
        context.confirm("Delete every resource of the local cloud and its recording?", "reset")
    current = cloud.reset()
    if json_output:
        context.print_json({"reset": True, **current.to_json()})
    elif current.running:
        context.console().print(f"local cloud reset: empty and running at {current.endpoint}" + _pid(current))
    else:
        context.console().print("local cloud reset: empty; it starts on the next command")


@cloud_app.command("faults", help="Show, or with RATE set, the faults the running local cloud injects.")
def faults(rate: Annotated[str | None, typer.Argument(help="Share of requests to fail: 0.1 or 10%; 0 stops.")] = None,
           fault_services: ServicesOption = "", fault_operations: OperationsOption = "",
           fault_seed: SeedOption = None, json_output: JsonOption = False) -> None:
    from envctl.cloud.local_cloud import LocalCloud

    policy = _policy(rate, fault_services, fault_operations, fault_seed) if rate is not None else None
    report = LocalCloud(context.project_root()).faults(policy)
    if json_output:
        context.print_json(report)
    else:
        context.console().print(f"faults: {_policy_of(report).describe()}; {report['injected']} injected "
                                f"in {report['requests']} requests")


def _faults_of(cloud: LocalCloud) -> dict[str, Any] | None:
    """The server's fault report; None from a server that has none (one started by an older envctl)."""
    try:
        return cloud.faults()
    except EnvctlError:
        return None


def _policy(rate: str, services: str, operations: str, seed: int | None) -> FaultPolicy:
    from envctl.cloud.faults import FaultPolicy

    return FaultPolicy.create(rate, services, operations, seed)


def _policy_of(report: dict[str, Any]) -> FaultPolicy:
    from envctl.cloud.faults import FaultPolicy

    return FaultPolicy.from_json(report)


def _pid(status: CloudStatus) -> str:
    return f" (pid {status.pid})" if status.pid else ""
