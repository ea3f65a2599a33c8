"""Saved plans: `preview --out PLAN` writes the steps a preview decided, with their diffs and the digests of the
program, config and state they were decided from; `up --plan PLAN` applies exactly those steps, or refuses when
any of the three has moved since (Terraform's `plan -out` / `apply PLAN`, Pulumi's `--save-plan` / `--plan`).

The file holds no secret: diffs show secrets as "[secret]", and the config and state digests take a secret's
keyed fingerprint, not its value.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from envctl.engine.deployment import DeploymentResult
from envctl.engine.plan import Plan, PlannedStep
from envctl.engine.properties import with_secrets_as
from envctl.engine.state import StateStore
from envctl.engine.steps import OPERATIONS, Op
from envctl.engine.targets import Targets
from envctl.environment import Environment
from envctl.errors import BadInput, OperationFailed
from envctl.ledger.deployment_files import program_files

FORMAT = "envctl-plan/1"
DIGESTS = ("program", "config", "state")


class PlanOutdated(OperationFailed):
    """The program, config or state moved since the plan was made: applying it would not be what was reviewed."""


@dataclass(frozen=True)
class SavedPlan:
    env: str
    project: str
    created: str
    digests: dict[str, str]  # program, config, state
    targets: Targets
    steps: list[dict[str, Any]]  # step documents: op, type, urn, changed, diff, replaceReasons

    def plan(self) -> Plan:
        """The plan an apply is held to."""
        return Plan.of(PlannedStep(Op(s["op"]), s["urn"], s["type"], frozenset(s["changed"])) for s in self.steps)

    @property
    def changes(self) -> dict[str, int]:
        """Steps per operation, as a preview counts them (provider resources are bookkeeping)."""
        counted = [s["op"] for s in self.steps if not s["type"].startswith("pulumi:providers:")]
        return {str(op): counted.count(op) for op in OPERATIONS}

    @property
    def has_changes(self) -> bool:
        return any(n for op, n in self.changes.items() if op != "same")

    def moved(self, today: dict[str, str]) -> list[str]:
        """What differs from when the plan was made: some of program, config, state."""
        return [name for name in DIGESTS if self.digests.get(name) != today.get(name)]

    def check_current(self, environment: Environment, store: StateStore, file: Path) -> None:
        """Refuse the plan when what it was decided from has moved since."""
        moved = self.moved(digests(environment, store, file))
        if moved:
            raise PlanOutdated(f"the plan {file} was made at {self.created} from another {' and '.join(moved)} than "
                               f"{environment.name}'s now; nothing was changed. Make a new one with `envctl preview "
                               f"{environment.name} --out {file}`")

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "env": self.env, "project": self.project, "created": self.created,
                "digests": self.digests, "targets": _targets_json(self.targets), "changes": self.changes,
                "steps": self.steps}


def saved(environment: Environment, preview: DeploymentResult, targets: Targets, digests: dict[str, str]) -> SavedPlan:
    """The plan of a successful preview, with the digests taken before it ran."""
    steps = [{**step.document(), "changed": list(step.diff.changed)} for step in preview.steps]
    return SavedPlan(environment.name, environment.project.name, datetime.now(UTC).isoformat(timespec="seconds"),
                     digests, targets, steps)


def digests(environment: Environment, store: StateStore, plan_file: Path) -> dict[str, str]:
    """What a plan was decided from: the program's files, the environment's config, its state. The plan file
    itself, wherever it is kept, is none of them."""
    root = environment.project.root
    skipped = {environment.project.stack_file(name).resolve() for name in environment.project.known_stacks()}
    skipped.add(plan_file.resolve())
    program = hashlib.sha256()
    for file in program_files(root):
        if file.resolve() not in skipped:  # the config is digested as values, whichever file holds them
            program.update(f"{file.relative_to(root).as_posix()}\0".encode())
            program.update(hashlib.sha256(file.read_bytes()).digest())
    config = {key: environment.fingerprint(value) if key in environment.secret_keys else value
              for key, value in environment.config.items()}
    state = {"resources": [r.recorded() for r in store.load()], "outputs": store.stack_outputs(),
             "pending": [p.urn for p in store.pending()]}
    return {"program": program.hexdigest(), "config": _digest(config, environment.fingerprint),
            "state": _digest(state, environment.fingerprint)}


def write(plan: SavedPlan, file: Path) -> None:
    """The plan file, written whole or not at all."""
    if not file.parent.is_dir():
        raise BadInput(f"--out {file}: no directory {file.parent}")
    scratch = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    scratch.write_text(json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n")
    os.replace(scratch, file)


def load(file: Path, environment: Environment) -> SavedPlan:
    """The plan in `file`, made for this environment; anything else is bad input."""
    try:
        document = json.loads(file.read_text())
    except FileNotFoundError:
        raise BadInput(f"--plan {file}: no such file (make one with `envctl preview ENV --out {file}`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"--plan {file}: not a plan file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadInput(f"--plan {file}: not an envctl plan file (expected format {FORMAT})")
    try:
        plan = SavedPlan(document["env"], document["project"], document["created"], dict(document["digests"]),
                         _targets(document["targets"]), list(document["steps"]))
        plan.plan()
    except (KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"--plan {file}: a damaged plan file ({type(exc).__name__}: {exc})") from None
    if (plan.project, plan.env) != (environment.project.name, environment.name):
        raise BadInput(f"--plan {file} was made for {plan.project}/{plan.env}, not "
                       f"{environment.project.name}/{environment.name}")
    return plan


def _digest(value: Any, fingerprint: Callable[[Any], str]) -> str:
    canonical = json.dumps(with_secrets_as(value, fingerprint), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _targets_json(targets: Targets) -> dict[str, Any]:
    return {"targets": sorted(targets.targets), "targetDependents": targets.include_dependents,
            "excludes": sorted(targets.excludes), "replaces": sorted(targets.replaces)}


def _targets(document: dict[str, Any]) -> Targets:
    return Targets(frozenset(document["targets"]), bool(document["targetDependents"]),
                   frozenset(document["excludes"]), frozenset(document["replaces"]))

