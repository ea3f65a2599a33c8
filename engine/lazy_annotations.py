"""The generated provider SDKs (pulumi_aws and its kind) imported with their annotations left unevaluated, as under
`from __future__ import annotations` (PEP 563), while envctl runs a program.

Importing pulumi-aws's ec2, s3 and iam modules costs over a second of CPU, three quarters of it in evaluating the
typing annotations of every generated signature and property getter (`Optional[pulumi.Input[Sequence[...]]]`, tens
of thousands of them). At run time only the SDK reads them, through `typing.get_type_hints` with each class's module
globals (the way it reads the annotations of programs that use the future import), and only for the classes the
program uses. Compiled with the future flag, each module keeps its annotations as strings, which the same
`get_type_hints` resolves to the same types. What a program could tell apart: an annotation read raw
(`__annotations__`, `inspect.signature`) is the string of its source.

The code compiled this way is cached, as Python caches bytecode, in envctl's cache directory rather than beside the
sources (a system-wide install is not writable, and the interpreter's own cache there stays as it is), keyed by the
source's path, modification time and size and the interpreter's bytecode magic number. Where the cache directory
cannot be written, the SDKs are imported as usual: compiling them afresh in every run would cost more than it saves.
"""

from __future__ import annotations
import __future__

import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import CodeType, ModuleType

from envctl.engine.lazy_members import deferring_tree, star_imported_files
from envctl.user_dirs import user_directory

_HEADER = importlib.util.MAGIC_NUMBER


def cache_directory() -> Path:
    """`$XDG_CACHE_HOME/envctl/sdk-code` (`~/.cache/envctl/sdk-code` by default)."""
    return user_directory("XDG_CACHE_HOME", ".cache") / "sdk-code"


class _LazyAnnotationsLoader(importlib.machinery.SourceFileLoader):
    """A source loader that compiles with the future-annotations flag, through a cache of its own."""

    def __init__(self, fullname: str, path: str, cache: Path) -> None:
        super().__init__(fullname, path)
        self._cache = cache

    def get_code(self, fullname: str) -> CodeType:
        source_path = self.get_filename(fullname)
        depends = [Path(source_path)]
        package_source = None  # a package's rewriting (lazy_members) also reads the modules it star-imports
        if self.is_package(fullname):
            package_source = self.get_data(source_path).decode("utf-8")
            depends += star_imported_files(package_source, depends[0].parent)
        stamp = _HEADER + _stamp(depends)
        entry = self._cache / (hashlib.sha256(source_path.encode()).hexdigest()[:40] + ".code")
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            cached = entry.read_bytes()
            if cached.startswith(stamp):
                return marshal.loads(cached[len(stamp):])
        tree = None if package_source is None else deferring_tree(package_source, depends[0].parent, source_path)
        code = compile(self.get_data(source_path) if tree is None else tree, source_path, "exec", dont_inherit=True,
                       flags=__future__.annotations.compiler_flag)
        _write_atomically(entry, stamp + marshal.dumps(code))
        return code


def _stamp(files: list[Path]) -> bytes:
    """The modification times and sizes of `files`, as one line (a missing file counts as changed)."""
    stats = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            stats.append("-")
            continue
        stats.append(f"{stat.st_mtime_ns}:{stat.st_size}")
    text = " ".join(stats)
    return (text if len(files) == 1 else hashlib.sha256(text.encode()).hexdigest()).encode() + b"\n"


def _write_atomically(path: Path, data: bytes) -> None:
    """Whole or not at all: concurrent runs may write the same entry."""
    with contextlib.suppress(OSError):
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".write-")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except OSError:
            os.unlink(temporary)


class _LazyAnnotationsFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of the given top-level packages as usual, and hands their sources to the loader above."""

    def __init__(self, packages: Sequence[str], cache: Path) -> None:
        self._packages = frozenset(packages)
        self._cache = cache

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in self._packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return spec
        spec.loader = _LazyAnnotationsLoader(fullname, str(spec.origin), self._cache)
        return spec


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK)


@contextlib.contextmanager
def installed(packages: Sequence[str], cache: Path | None = None) -> Iterator[None]:
    """While inside, the modules of `packages` (top-level names, `pulumi_aws`) that are not imported yet are
    imported with unevaluated annotations; modules imported meanwhile stay so afterwards."""
    directory = cache or cache_directory()
    if not packages or not _writable(directory):
        yield
        return
    finder = _LazyAnnotationsFinder(packages, directory)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
