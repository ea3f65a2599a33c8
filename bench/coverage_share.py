"""The share of mined public Pulumi programs that envctl can run, and what stops the others.

    python bench/coverage_share.py [--json] [--top 30] [--programs docs/coverage-programs.json] [--supported FILE]

A program counts as runnable when every resource type it declares or reads and every invoke it calls is one that
envctl supports, and it imports no Pulumi package but pulumi, pulumi_aws, pulumi_random and pulumi_tls. A second,
stricter figure also asks that every input the program sets on a type is one envctl implements for that type.
What envctl supports is what `envctl types --json` lists (or the same document read from --supported).

The missing types and invokes are ranked by the number of programs that need them among those whose packages
envctl can run ("needed by"); "sole blocker" counts the programs that need nothing else. The greedy order says
which to add, one at a time, to unblock the most programs, and the share reached after each.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PROGRAMS = REPO / "docs" / "coverage-programs.json"
# The packages a program may import and still run under envctl (pulumi_aws and pulumi itself included).
RUNNABLE_PACKAGES = frozenset({"pulumi", "pulumi_aws", "pulumi_random", "pulumi_tls"})


@dataclass(frozen=True)
class Support:
    """What envctl supports: resource types with the inputs each implements, and invokes."""

    types: Mapping[str, frozenset[str]]
    invokes: frozenset[str]

    @classmethod
    def from_types_json(cls, entries: Iterable[Mapping[str, Any]]) -> Support:
        types, invokes = {}, set()
        for entry in entries:
            if entry.get("kind") == "invoke":
                invokes.add(entry["token"])
            else:
                types[entry["token"]] = frozenset(entry.get("implemented", ()))
        return cls(types=types, invokes=frozenset(invokes))


def envctl_types() -> list[dict[str, Any]]:
    """`envctl types --json`, run the way the tests and benchmarks run envctl."""
    sys.path.insert(0, str(REPO / "bench"))
    from support import ENVCTL

    done = subprocess.run([*ENVCTL, "types", "--json"], capture_output=True, text=True, check=True,
                          stdin=subprocess.DEVNULL, timeout=300)
    return json.loads(done.stdout)


def missing_items(program: Mapping[str, Any], support: Support) -> set[str]:
    """The types and invokes of a program that envctl lacks."""
    types = {*program.get("types", ()), *program.get("reads", ())}
    return {t for t in types if t not in support.types} | {
        i for i in program.get("invokes", ()) if i not in support.invokes}


def foreign_packages(program: Mapping[str, Any]) -> set[str]:
    return set(program.get("packages", ())) - RUNNABLE_PACKAGES


def missing_inputs(program: Mapping[str, Any], support: Support) -> set[str]:
    """`token.input` for each input the program sets on a supported type that envctl does not implement."""
    return {f"{token}.{name}" for token, names in program.get("inputs", {}).items() if token in support.types
            for name in names if name not in support.types[token]}


def share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def measure(programs: list[Mapping[str, Any]], support: Support, top: int = 30) -> dict[str, Any]:
    total = len(programs)
    blockers = [(foreign_packages(p), missing_items(p, support), missing_inputs(p, support)) for p in programs]
    runnable = [not f and not m for f, m, _ in blockers]
    runnable_inputs = [ok and not i for ok, (_, _, i) in zip(runnable, blockers, strict=True)]
    eligible = [m for f, m, _ in blockers if not f]  # programs whose packages envctl can run
    needed_by = Counter(item for m in eligible for item in m)
    sole = Counter(next(iter(m)) for m in eligible if len(m) == 1)
    invoke_tokens = {i for p in programs for i in p.get("invokes", ())}
    package_counts = Counter(pkg for f, _, _ in blockers for pkg in f)
    input_counts = Counter(item for ok, (_, _, i) in zip(runnable, blockers, strict=True) if ok for item in i)

    # Greedy: add the item that makes the most blocked programs runnable; on a tie (or none), the most needed.
    remaining = [set(m) for m in eligible if m]
    added: set[str] = set()
    greedy = []
    runnable_count = sum(runnable)
    while remaining and len(greedy) < top:
        gains = Counter(next(iter(m - added)) for m in remaining if len(m - added) == 1)
        candidates = {item for m in remaining for item in m - added}
        best = max(sorted(candidates), key=lambda item: (gains[item], needed_by[item]))
        added.add(best)
        runnable_count += gains[best]
        remaining = [m for m in remaining if m - added]
        greedy.append({"item": best, "unblocks": gains[best], "runnable": runnable_count,
                       "share": share(runnable_count, total)})

    return {
        "programs": total,
        "runnable": sum(runnable),
        "share": share(sum(runnable), total),
        "runnable_with_inputs": sum(runnable_inputs),
        "share_with_inputs": share(sum(runnable_inputs), total),
        "blocked_by_packages": sum(1 for f, _, _ in blockers if f),
        "blocked_by_types_or_invokes_only": sum(1 for m in eligible if m),
        "packages": [{"package": k, "programs": v} for k, v in sorted(package_counts.items(),
                                                                        key=lambda kv: (-kv[1], kv[0]))],
        "missing": [{"item": k, "kind": "invoke" if k in invoke_tokens else "type", "needed_by": v,
                     "sole_blocker": sole[k]}
                    for k, v in sorted(needed_by.items(), key=lambda kv: (-kv[1], -sole[kv[0]], kv[0]))][:top],
        "greedy": greedy,
        "missing_inputs": [{"input": k, "programs": v}
                           for k, v in sorted(input_counts.items(), key=lambda kv: (-kv[1], kv[0]))][:top],
    }


def load_programs(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text())
    return document["programs"] if isinstance(document, dict) else document


def print_report(figures: dict[str, Any]) -> None:
    total = figures["programs"]
    print(f"programs: {total}")
    print(f"runnable by envctl (types, invokes, packages): {figures['runnable']} ({figures['share']}%)")
    print(f"  ... and every input set is implemented: {figures['runnable_with_inputs']} "
          f"({figures['share_with_inputs']}%)")
    print(f"blocked by a package envctl does not run: {figures['blocked_by_packages']}")
    print(f"blocked only by missing types or invokes: {figures['blocked_by_types_or_invokes_only']}")
    print("\npackages envctl does not run (programs importing each):")
    for row in figures["packages"]:
        print(f"  {row['programs']:4d}  {row['package']}")
    print("\nmissing types and invokes (needed by / sole blocker, among programs of runnable packages):")
    for row in figures["missing"]:
        print(f"  {row['needed_by']:4d} {row['sole_blocker']:4d}  {row['kind']:6s} {row['item']}")
    print("\ngreedy order (unblocks, then runnable programs and share):")
    for step, row in enumerate(figures["greedy"], 1):
        print(f"  {step:3d}. +{row['unblocks']:<3d} {row['runnable']:4d} ({row['share']:5.1f}%)  {row['item']}")
    if figures["missing_inputs"]:
        print("\nunimplemented inputs set by otherwise runnable programs:")
        for row in figures["missing_inputs"]:
            print(f"  {row['programs']:4d}  {row['input']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=Path, default=PROGRAMS, help="the mined programs (JSON)")
    parser.add_argument("--supported", type=Path, help="the output of `envctl types --json`, instead of running it")
    parser.add_argument("--top", type=int, default=30, help="rows of the rankings")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args(argv)
    entries = json.loads(args.supported.read_text()) if args.supported else envctl_types()
    figures = measure(load_programs(args.programs), Support.from_types_json(entries), top=args.top)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_report(figures)


if __name__ == "__main__":
    main()
