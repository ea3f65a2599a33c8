"""Runs an unmodified Pulumi Python program in-process, as Pulumi's language host does, against a monitor
object of ours instead of a gRPC address."""

from __future__ import annotations

import asyncio
import contextlib
import os
import runpy
import site
import sys
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack

from envctl.engine import lazy_annotations, sdk_speedups
from envctl.engine.interrupts import Interrupt
from envctl.engine.virtualenv import missing_package_hint, site_packages
from envctl.errors import BadInput

_SEVERITY = {engine_pb2.INFO: "info", engine_pb2.WARNING: "warning", engine_pb2.ERROR: "error"}


@dataclass
class ProgramError:
    """Why the program did not finish: `bad_input` (the program or its config is wrong) or `failed`."""

    kind: str
    message: str


class EngineLog:
    """The SDK's Engine.Log endpoint: keeps the program's diagnostics (debug messages are dropped)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def Log(self, request: Any) -> None:
        severity = _SEVERITY.get(request.severity)
        if severity:
            self.messages.append((severity, request.message))


def run_program(
    main: Path,
    root: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    monitor: Any,
    log: EngineLog,
    dry_run: bool,
    interrupt: Interrupt,
    parallel: int = 16,
    virtualenv: Path | None = None,
    provider_sdks: Sequence[str] = (),
) -> ProgramError | None:
    """Run the program once; returns None when it completed. A signal (or the program's own KeyboardInterrupt) sets
    `interrupt` and ends the program; what it registered and is in flight finishes before this returns. With a
    `virtualenv`, the program imports its packages from there. `provider_sdks` (`pulumi_aws`) are the generated SDKs
    of the providers the engine implements, imported with their annotations unevaluated (engine/lazy_annotations.py)."""
    try:
        package_dirs = site_packages(virtualenv) if virtualenv is not None else []
    except BadInput as exc:
        return ProgramError("bad_input", str(exc))
    pulumi_settings.reset_options(project=project, stack=stack, root_directory=str(root), parallel=parallel,
                                  preview=dry_run, organization="organization")
    pulumi_settings.configure(pulumi_settings.Settings(
        project=project, stack=stack, monitor=monitor, engine=log, parallel=parallel, dry_run=dry_run,
        organization="organization", root_directory=str(root),
    ))
    pulumi_config.set_all_config(config, secret_keys)
    entry = main / "__main__.py" if main.is_dir() else main
    if not entry.is_file():
        return ProgramError("bad_input", f"the program entry point {entry} does not exist")
    loop = asyncio.new_event_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=parallel * 4))
    loop.set_exception_handler(lambda _loop, _context: None)
    with _program_environment(main, root, package_dirs):
        try:
            with sdk_speedups.installed(), lazy_annotations.installed(provider_sdks):
                loop.run_until_complete(run_in_stack(lambda: runpy.run_path(str(main), run_name="__main__")))
        except SyntaxError as exc:
            return ProgramError("bad_input", f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}")
        except ModuleNotFoundError as exc:
            return ProgramError("bad_input", f"{_describe(exc, main)}: {missing_package_hint(exc.name, virtualenv)}")
        except pulumi.ConfigMissingError as exc:
            return ProgramError("bad_input", str(exc).strip())
        except pulumi.RunError as exc:
            return ProgramError("failed", str(exc).strip())
        except KeyboardInterrupt:
            interrupt.set(interrupt.signal or "KeyboardInterrupt")
            return ProgramError("interrupted", "the program was interrupted")
        except SystemExit as exc:
            return ProgramError("failed", f"the program called sys.exit({exc.code!r}): a Pulumi program must not "
                                "exit; raise an exception to fail it")
        except Exception as exc:
            return ProgramError("failed", _describe(exc, main))
        finally:
            with interrupt.deferred():  # the registrations in flight finish and are checkpointed
                _close(loop)
    return None


def _describe(exc: BaseException, main: Path) -> str:
    """`<file>:<line>: <Type>: <message>` at the program's own frame closest to the error."""
    program_dir = str(main if main.is_dir() else main.parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(program_dir)]
    text = f"{type(exc).__name__}: {exc}".strip()
    if frames:
        frame = frames[-1]
        return f"{frame.filename}:{frame.lineno}: {text}"
    return text


@contextlib.contextmanager
def _program_environment(main: Path, root: Path, package_dirs: list[Path]) -> Iterator[None]:
    """cwd at the project root, the program directory importable and then the virtualenv's packages (after envctl's
    own), prints on stderr; all undone afterwards, including the modules the program imported from its directory
    or its virtualenv, so that a second run in the same process starts clean."""
    program_dir = str(main if main.is_dir() else main.parent)
    saved_cwd, saved_path, saved_argv = os.getcwd(), list(sys.path), list(sys.argv)
    modules_before = set(sys.modules)
    os.chdir(root)
    sys.path.insert(0, program_dir)
    for directory in package_dirs:
        site.addsitedir(str(directory))  # appended, with the directory's .pth files (editable installs)
    # What the program imports from these is the program's: forgotten after the run.
    owned = (program_dir, *(entry for entry in sys.path if entry not in saved_path))
    sys.argv = [str(main)]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.argv = saved_argv
        for name in set(sys.modules) - modules_before:
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            if module_file.startswith(owned):
                del sys.modules[name]


def _close(loop: asyncio.AbstractEventLoop) -> None:
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    # The SDK sets the loop as the thread's current one; a fresh policy leaves no closed loop behind.
    asyncio.set_event_loop_policy(None)
