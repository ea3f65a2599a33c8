"""Scale: envctl's cost per resource beside the cloud's own, as a user sees it (whole `envctl` processes).

Against one local cloud (envctl's, started by `envctl cloud start` in a scratch directory), for each size: `up` of a
stack of N independent SQS queues from nothing, a no-op `up`, `preview`, and `destroy`; the same for a mixed stack
with dependencies (VPC, subnets, security groups, roles, buckets). Beside it, a raw boto3 script run in a child
process makes the calls a create and a delete of the same queues need, one after another, against the same server.
Printed: whole-command times (median of --repeat runs), the marginal cost per resource between the smallest and the
largest size, its ratio to raw boto3's, and the peak memory (RSS) of the envctl process.

    python bench/scale_bench.py                      # 20 and 300 queues, mixed 2 and 10 groups
    python bench/scale_bench.py --sizes 20 300 --mixed 2 10 --repeat 3
    python bench/scale_bench.py --preview-only 5000  # preview of 5,000 queues: time and peak memory
    python bench/scale_bench.py --reference          # no-op up of the reference environment
    python bench/scale_bench.py --noop 300           # no-op up of 300 queues, made once
    python bench/scale_bench.py --sizes 300 --parallel 4 8 16 32   # up and destroy at each --parallel
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from support import ENVCTL, copy_reference

QUEUES = """\
import pulumi_aws as aws

for i in range({n}):
    aws.sqs.Queue(f"q{{i}}")
"""
MIXED = """\
import json
import pulumi_aws as aws

TRUST = json.dumps({{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {{"Service": "lambda.amazonaws.com"}}}}]}})
for g in range({n}):
    vpc = aws.ec2.Vpc(f"vpc{{g}}", cidr_block=f"10.{{g}}.0.0/16")
    for s in range(2):
        aws.ec2.Subnet(f"subnet{{g}}-{{s}}", vpc_id=vpc.id, cidr_block=f"10.{{g}}.{{s}}.0/24")
    aws.ec2.SecurityGroup(f"sg{{g}}", vpc_id=vpc.id, ingress=[{{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                                               "cidr_blocks": ["10.0.0.0/8"]}}])
    aws.iam.Role(f"role{{g}}", assume_role_policy=TRUST)
    aws.s3.Bucket(f"bucket{{g}}", force_destroy=True)
"""
MIXED_PER_GROUP = 6
RAW_BOTO3 = """\
import sys, time, boto3
endpoint, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                   aws_secret_access_key="testing")
start = time.perf_counter()
urls = []
for i in range(n):
    url = sqs.create_queue(QueueName=f"{prefix}-{i}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    sqs.list_queue_tags(QueueUrl=url)
    urls.append(url)
created = time.perf_counter()
for url in urls:
    sqs.delete_queue(QueueUrl=url)
print(created - start, time.perf_counter() - created)
"""


@dataclass
class Timed:
    seconds: float
    peak_mb: float


def run_envctl(project: Path, env: dict[str, str], *args: str) -> Timed:
    """One envctl process: wall time and its peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen([*ENVCTL, "-C", str(project), *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"envctl {' '.join(args)} failed ({process.returncode}): {error[-2000:]}")
    return Timed(seconds, usage.ru_maxrss / 1024)


def project_of(root: Path, name: str, program: str) -> Path:
    directory = root / name
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (directory / "Pulumi.test.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (directory / "__main__.py").write_text(program)
    return directory


@dataclass
class SizeFigures:
    size: int
    up: Timed
    noop: Timed
    preview: Timed
    destroy: Timed


def measure(root: Path, env: dict[str, str], kind: str, groups: int, resources: int, repeat: int) -> SizeFigures:
    """Median of `repeat` cycles of up, no-op up, preview, destroy."""
    template = QUEUES if kind == "queues" else MIXED
    cycles = []
    for attempt in range(repeat):
        project = project_of(root, f"{kind}{groups}x{attempt}", template.format(n=groups))
        up = run_envctl(project, env, "up", "test", "--yes")
        noop = run_envctl(project, env, "up", "test", "--yes")
        preview = run_envctl(project, env, "preview", "test")
        destroy = run_envctl(project, env, "destroy", "test", "--yes")
        cycles.append((up, noop, preview, destroy))
    return SizeFigures(resources, *(_median([c[i] for c in cycles]) for i in range(4)))


def compare_parallel(root: Path, env: dict[str, str], n: int, settings: list[int], repeat: int) -> None:
    """`up` and `destroy` of n queues with each `--parallel` setting, the settings taking turns in every round so
    that a change of load on the machine falls on all of them alike; medians printed."""
    times: dict[int, list[tuple[float, float]]] = {p: [] for p in settings}
    for attempt in range(repeat):
        for parallel in settings:
            project = project_of(root, f"parallel{parallel}x{attempt}", QUEUES.format(n=n))
            up = run_envctl(project, env, "up", "test", "--yes", "--parallel", str(parallel))
            destroy = run_envctl(project, env, "destroy", "test", "--yes", "--parallel", str(parallel))
            times[parallel].append((up.seconds, destroy.seconds))
    print(f"\n--parallel with {n} queues: whole-command seconds (median of {repeat})")
    print(f"  {'parallel':>8} {'up':>8} {'destroy':>8}")
    for parallel in settings:
        print(f"  {parallel:>8} {statistics.median(t[0] for t in times[parallel]):>8.2f} "
              f"{statistics.median(t[1] for t in times[parallel]):>8.2f}")


def raw_boto3(endpoint: str, n: int, repeat: int) -> tuple[float, float]:
    """Median create and delete times of n queues by a raw boto3 script, one call after another."""
    runs = []
    for attempt in range(repeat):
        out = subprocess.run([sys.executable, "-c", RAW_BOTO3, endpoint, str(n), f"raw{n}x{attempt}"],
                             capture_output=True, text=True, check=True).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def _median(values: list[Timed]) -> Timed:
    return Timed(statistics.median(v.seconds for v in values), max(v.peak_mb for v in values))


def _marginal_ms(small: float, large: float, small_n: int, large_n: int) -> float:
    return (large - small) / (large_n - small_n) * 1000


def report_sizes(kind: str, figures: list[SizeFigures], raw: dict[int, tuple[float, float]] | None) -> None:
    print(f"\n{kind}: whole-command seconds (median), peak RSS of the envctl process")
    print(f"  {'resources':>9} {'up':>8} {'no-op up':>9} {'preview':>8} {'destroy':>8} {'peak MB':>8}")
    for f in figures:
        peak = max(f.up.peak_mb, f.noop.peak_mb, f.preview.peak_mb, f.destroy.peak_mb)
        print(f"  {f.size:>9} {f.up.seconds:>8.2f} {f.noop.seconds:>9.2f} {f.preview.seconds:>8.2f} "
              f"{f.destroy.seconds:>8.2f} {peak:>8.0f}")
    small, large = figures[0], figures[-1]
    print(f"  marginal per resource ({small.size} → {large.size}), ms:")
    for label, pick in (("up", lambda f: f.up), ("no-op up", lambda f: f.noop), ("preview", lambda f: f.preview),
                        ("destroy", lambda f: f.destroy)):
        marginal = _marginal_ms(pick(small).seconds, pick(large).seconds, small.size, large.size)
        line = f"    {label:<9} {marginal:7.2f}"
        if raw is not None and label in ("up", "destroy"):
            index = 0 if label == "up" else 1
            raw_marginal = _marginal_ms(raw[small.size][index], raw[large.size][index], small.size, large.size)
            line += f"   raw boto3 {raw_marginal:6.2f}   ratio x{marginal / raw_marginal:.2f}"
        print(line)


def start_cloud(root: Path) -> tuple[str, dict[str, str]]:
    cloud_dir = root / "cloud"
    cloud_dir.mkdir()
    (cloud_dir / "Pulumi.yaml").write_text("name: cloud\nruntime: python\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVCTL_")}
    out = subprocess.run([*ENVCTL, "-C", str(cloud_dir), "cloud", "start", "--json"], capture_output=True, text=True,
                         env=env, check=True).stdout
    import json

    endpoint = json.loads(out)["endpoint"]
    return endpoint, {**env, "ENVCTL_CLOUD_ENDPOINT": endpoint, "PULUMI_CONFIG_PASSPHRASE": ""}


def stop_cloud(root: Path, env: dict[str, str]) -> None:
    clean = {k: v for k, v in env.items() if k != "ENVCTL_CLOUD_ENDPOINT"}
    subprocess.run([*ENVCTL, "-C", str(root / "cloud"), "cloud", "stop"], capture_output=True, env=clean, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 300], help="queue stack sizes")
    parser.add_argument("--mixed", type=int, nargs="*", default=[2, 10], help="mixed stack sizes, in groups of "
                        f"{MIXED_PER_GROUP} resources (none to skip)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is printed)")
    parser.add_argument("--preview-only", type=int, metavar="N", help="only the preview of N queues")
    parser.add_argument("--reference", action="store_true", help="only the no-op up of the reference environment")
    parser.add_argument("--noop", type=int, metavar="N", help="only the no-op up of N queues (created once)")
    parser.add_argument("--parallel", type=int, nargs="+", metavar="P", help="only up and destroy of the largest "
                        "--sizes stack with each --parallel P (e.g. 4 8 16 32)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="envctl-scale-") as scratch:
        root = Path(scratch)
        endpoint, env = start_cloud(root)
        try:
            print(f"envctl: {' '.join(ENVCTL)}\nlocal cloud: {endpoint}; {os.cpu_count()} cores")
            if args.reference or args.noop:
                project, stack = ((copy_reference(root / "reference"), "dev") if args.reference else
                                  (project_of(root, "noop", QUEUES.format(n=args.noop)), "test"))
                run_envctl(project, env, "up", stack, "--yes")
                runs = [run_envctl(project, env, "up", stack, "--yes") for _ in range(args.repeat)]
                what = "reference env" if args.reference else f"{args.noop} queues"
                print(f"{what} no-op up: {statistics.median(r.seconds for r in runs):.2f} s (median of "
                      f"{args.repeat}; runs {', '.join(f'{r.seconds:.2f}' for r in runs)}), peak "
                      f"{max(r.peak_mb for r in runs):.0f} MB")
                run_envctl(project, env, "destroy", stack, "--yes")
                return
            if args.parallel:
                compare_parallel(root, env, args.sizes[-1], args.parallel, args.repeat)
                return
            if args.preview_only:
                project = project_of(root, "preview", QUEUES.format(n=args.preview_only))
                runs = [run_envctl(project, env, "preview", "test") for _ in range(args.repeat)]
                print(f"preview of {args.preview_only} queues: {statistics.median(r.seconds for r in runs):.2f} s "
                      f"(median of {args.repeat}), peak {max(r.peak_mb for r in runs):.0f} MB")
                return
            raw = {n: raw_boto3(endpoint, n, args.repeat) for n in args.sizes}
            queues = [measure(root, env, "queues", n, n, args.repeat) for n in args.sizes]
            report_sizes("SQS queues", queues, raw)
            if len(args.mixed) >= 2:
                mixed = [measure(root, env, "mixed", g, g * MIXED_PER_GROUP, args.repeat) for g in args.mixed]
                report_sizes("mixed stack (VPC, subnets, security group, role, bucket per group)", mixed, None)
        finally:
            stop_cloud(root, env)


if __name__ == "__main__":
    main()
