"""bench/coverage_share.py counts right: on a few hand-written programs and a hand-written `envctl types --json`, the
share of runnable programs, the stricter share with inputs, and the ranking of what is missing are the ones a
person counts by hand. The mined data it reads names a source for every program, once."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "coverage_share.py"

BUCKET, NAT, ZONE = "aws:s3/bucket:Bucket", "aws:ec2/natGateway:NatGateway", "aws:route53/getZone:getZone"
SUPPORTED = [
    {"kind": "resource", "token": BUCKET, "implemented": ["bucket", "tags"], "unimplemented": {}, "outputs": []},
    {"kind": "resource", "token": "aws:ec2/vpc:Vpc", "implemented": ["cidrBlock"], "unimplemented": {}, "outputs": []},
    {"kind": "invoke", "token": "aws:index/getRegion:getRegion"},
]
PROGRAMS = [
    # runnable, inputs too
    {"source": {"repository": "a/a", "path": "Pulumi.yaml"}, "types": [BUCKET], "inputs": {BUCKET: ["bucket"]},
     "invokes": ["aws:index/getRegion:getRegion"], "packages": []},
    # runnable by type, but sets an input envctl does not implement
    {"source": {"repository": "b/b", "path": "Pulumi.yaml"}, "types": [BUCKET], "inputs": {BUCKET: ["website"]},
     "invokes": [], "packages": ["pulumi_random"]},
    # NAT gateway is its only blocker
    {"source": {"repository": "c/c", "path": "Pulumi.yaml"}, "types": ["aws:ec2/vpc:Vpc", NAT], "inputs": {},
     "invokes": [], "packages": []},
    # needs the NAT gateway and an invoke
    {"source": {"repository": "d/d", "path": "Pulumi.yaml"}, "types": [NAT], "inputs": {}, "invokes": [ZONE],
     "packages": []},
    # another package: blocked whatever its types, and it does not count towards what is missing
    {"source": {"repository": "e/e", "path": "Pulumi.yaml"}, "types": [NAT], "inputs": {}, "invokes": [],
     "packages": ["pulumi_awsx"]},
    # reads a type it does not declare
    {"source": {"repository": "f/f", "path": "Pulumi.yaml"}, "types": [], "reads": ["aws:ec2/eip:Eip"],
     "invokes": [], "packages": []},
]


def run_script(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    programs, supported = tmp_path / "programs.json", tmp_path / "types.json"
    programs.write_text(json.dumps({"programs": PROGRAMS}))
    supported.write_text(json.dumps(SUPPORTED))
    return subprocess.run([sys.executable, str(SCRIPT), "--programs", str(programs), "--supported", str(supported),
                           *args], capture_output=True, text=True, timeout=60, check=True)


def test_the_share_counts_programs_whose_types_invokes_and_packages_envctl_all_runs(tmp_path: Path) -> None:
    figures = json.loads(run_script(tmp_path, "--json").stdout)
    assert (figures["programs"], figures["runnable"], figures["share"]) == (6, 2, 33.3)
    assert (figures["runnable_with_inputs"], figures["share_with_inputs"]) == (1, 16.7)
    assert figures["blocked_by_packages"] == 1
    assert figures["blocked_by_types_or_invokes_only"] == 3
    assert figures["packages"] == [{"package": "pulumi_awsx", "programs": 1}]
    assert figures["missing_inputs"] == [{"input": f"{BUCKET}.website", "programs": 1}]


def test_missing_types_rank_by_the_programs_they_would_unblock(tmp_path: Path) -> None:
    figures = json.loads(run_script(tmp_path, "--json").stdout)
    assert figures["missing"] == [
        {"item": NAT, "kind": "type", "needed_by": 2, "sole_blocker": 1},
        {"item": "aws:ec2/eip:Eip", "kind": "type", "needed_by": 1, "sole_blocker": 1},
        {"item": ZONE, "kind": "invoke", "needed_by": 1, "sole_blocker": 0},
    ]
    steps = [(step["item"], step["unblocks"], step["runnable"]) for step in figures["greedy"]]
    assert steps == [(NAT, 1, 3), ("aws:ec2/eip:Eip", 1, 4), (ZONE, 1, 5)]


def test_the_report_prints_the_share(tmp_path: Path) -> None:
    out = run_script(tmp_path).stdout
    assert "runnable by envctl (types, invokes, packages): 2 (33.3%)" in out
    assert "every input set is implemented: 1 (16.7%)" in out


def test_every_mined_program_names_its_source_once() -> None:
    programs = json.loads((REPO / "docs" / "coverage-programs.json").read_text())["programs"]
    sources = [(p["source"]["repository"], p["source"]["path"]) for p in programs]
    assert len(sources) == len(set(sources))
    assert all(re.fullmatch(r"[0-9a-f]{40}", p["source"]["commit"]) for p in programs)
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+", repo) for repo, _ in sources)
