"""Six costs of the Pulumi Python SDK that envctl's engine does not need, removed while a program runs, without
changing anything a program sees:

- `wait_for_rpcs` waits for the program's outstanding outputs with `asyncio.wait(FIRST_COMPLETED)` over all of
  them, again after each one finishes: quadratic in the number of outputs. The same wait, in the same order of
  checks and with the same errors, is done here with one done-callback per output.
- every registration captures the whole Python stack (`traceback.extract_stack`, reading source lines) for the
  engine's `stackTrace` and `sourcePosition` fields, which envctl's monitor never reads.
- `transfer_properties` gives each output property of a new resource four futures and a task that gathers them
  into the output's data: a queue's two dozen properties make a hundred objects and two dozen tasks before the
  program's next line. Here each property has one future that receives the same data whole, and its resolver is
  made only when the SDK calls it. Nor is each of those
  outputs tracked for the end-of-program wait (a set entry and a done-callback apiece): their futures are settled by
  the registration itself, which the SDK's RPC manager waits for and whose failure fails the program already.
- `serialize_properties` serialises every input of a registration, the two dozen a queue leaves unset too, each
  through the whole chain of type checks before `None` is found to serialise to nothing (and be left out). Here the
  unset ones are left out first.
- `contains_unknowns` runs on the value of every output made (`_OutputData.__post_init__`), building a closure and
  a set for each even when the value is a string or None. Here a value of a plain type answers at once, anything
  else goes to the SDK's.
- every registration (and read) computes a URN of its own through outputs (`create_urn`: a dozen tasks and their
  futures), used only as the answer of a missing monitor, which envctl always has. There it is not computed; every
  other use of `create_urn` (aliases) is the SDK's.

These are SDK internals: each replaced function is recognised by the digest of its source in the SDK versions
envctl pins, and left alone (with a test failing) if an upgrade changes it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import CodeType
from typing import Any

from pulumi import Output
from pulumi import output as sdk_output
from pulumi.output import _OutputData
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc as sdk_rpc
from pulumi.runtime import stack as sdk_stack
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import SETTINGS

# sha256 of the source of each function replaced, as pulumi 3.272 has it.
KNOWN_SOURCES = {
    "wait_for_rpcs": "c0f9027f85ad09255ded0a1908033b490f76d303a3e40b50d3cf47a69265469d",
    "_get_stack_trace": "3943b2273016925109e1c3a7bc603db06a44ea09ff3494c29544e44bccf8dd1f",
    "transfer_properties": "0e7c02ffa04ff20b31cd58a4829188d173300ed40eae0cb7bb48435121c233d9",
    "contains_unknowns": "7a62cfc4a045e138d98eaf1df1ea44a99574cc34031ec686233946b4471a62bf",
    "serialize_properties": "d101e72bd9ececa92586e13cddd7d0d28d97b0418b28cab0e7e688d86f7cfeff",
    "create_urn": "b4efa209c920a83ac0a652e3f00fa7e987bdb7e438231fc88146f4c372c85596",
}
# Not replaced but relied on: where they call create_urn, the URN is only a missing monitor's answer.
RELIED_ON = {
    "register_resource": "633fd2207a3851a366731f9ec5b1f62ecb07b7fc823dfe5a0a789e8e1e5dada3",
    "read_resource": "fe8d3624c32db0b7726965c102a01f8bd518e103d584e0ffa994cdf41b244e8f",
}


def source_digest(function: Any) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


# Where each replaced function lives, and what replaces it.
_SITES = {"wait_for_rpcs": sdk_stack, "_get_stack_trace": sdk_resource, "transfer_properties": sdk_rpc,
          "serialize_properties": sdk_rpc, "contains_unknowns": sdk_output, "create_urn": sdk_resource}


def replaceable() -> dict[str, bool]:
    """Which SDK functions are the ones these replacements were written for (and, for create_urn, its callers the
    ones it was written for too)."""
    known = {name: source_digest(getattr(module, name)) == KNOWN_SOURCES[name] for name, module in _SITES.items()}
    callers_known = all(source_digest(getattr(sdk_resource, name)) == RELIED_ON[name] for name in RELIED_ON)
    known["create_urn"] = known["create_urn"] and callers_known
    return known


@contextmanager
def installed() -> Iterator[None]:
    """The replacements in place for the duration of a program run (each only where the SDK's is the known one)."""
    replacements = {"wait_for_rpcs": wait_for_rpcs, "_get_stack_trace": _no_stack_trace,
                    "transfer_properties": transfer_properties, "serialize_properties": _serialize_set_properties,
                    "contains_unknowns": _contains_unknowns, "create_urn": _create_urn}
    originals = {name: getattr(module, name) for name, module in _SITES.items()}
    for name, known in replaceable().items():
        if known:
            setattr(_SITES[name], name, replacements[name])
    try:
        yield
    finally:
        for name, module in _SITES.items():
            setattr(module, name, originals[name])


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """The SDK's wait_for_rpcs, linear in the number of outputs."""
    rpc_manager = sdk_stack._get_rpc_manager()
    while True:
        while len(rpc_manager.rpcs) > 0:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    raise exn from rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            await _outputs_settled()
        if len(rpc_manager.rpcs) == 0:
            break


async def _outputs_settled() -> None:
    """Every tracked output task finished (those made meanwhile too), each awaited as it finishes so that the first
    failure is raised at once, as the SDK does."""
    finished: asyncio.Queue[asyncio.Future[Any]] = asyncio.Queue()
    watching = 0

    def adopt() -> None:
        nonlocal watching
        with SETTINGS.lock:
            fresh = list(SETTINGS.outputs)
            SETTINGS.outputs.clear()
        for task in fresh:
            task.add_done_callback(finished.put_nowait)
        watching += len(fresh)

    adopt()
    while watching:
        task = await finished.get()
        watching -= 1
        await task
        if finished.empty():  # outputs made meanwhile are taken in once those already finished are seen to
            adopt()


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def _nested_code(function: Any, name: str) -> CodeType | None:
    """The code of the function `name` defined inside `function` (None in an SDK that has none: then the digests
    differ too, and create_urn is left alone)."""
    consts = function.__code__.co_consts
    return next((const for const in consts if isinstance(const, CodeType) and const.co_name == name), None)


_sdk_create_urn = sdk_resource.create_urn
# The coroutines whose create_urn call makes only the URN a missing monitor would answer.
_MOCK_URN_SITES = frozenset({_nested_code(sdk_resource.register_resource, "do_register"),
                             _nested_code(sdk_resource.read_resource, "do_read")})


class _NoMockUrn:
    """Stands in for that URN: awaited, it is None (the SDK's own fallback when it has none is the empty URN)."""

    async def future(self) -> None:
        return None


def _create_urn(*args: Any, **kwargs: Any) -> Any:
    """The SDK's create_urn, but nothing where a registration or read asks for its mock URN."""
    if sys._getframe(1).f_code in _MOCK_URN_SITES:
        return _NoMockUrn()
    return _sdk_create_urn(*args, **kwargs)


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Any]:
    """The SDK's transfer_properties: an output for each property of `res` but its urn (and id, for a custom
    resource), and the resolver that settles it; one future per property."""
    futures: dict[str, asyncio.Future[Any]] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # handled by the SDK elsewhere
        futures[name] = data = asyncio.Future()
        output: Output[Any] = object.__new__(Output)
        output._data = data
        res.__dict__[name] = output
    return _Resolvers(res, futures)


class _Resolvers(Mapping[str, Any]):
    """A resource's resolvers by property name, each made when the SDK asks for it (it does so once, to settle the
    property): kept for every resource until its registration answers, a ready-made one apiece is a large share of
    a big program's memory."""

    __slots__ = ("_futures", "_res")

    def __init__(self, res: Any, futures: dict[str, asyncio.Future[Any]]) -> None:
        self._res, self._futures = res, futures

    def __getitem__(self, name: str) -> Any:
        return functools.partial(_resolve, self._res, self._futures[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._futures)

    def __len__(self) -> int:
        return len(self._futures)


_sdk_serialize_properties = sdk_rpc.serialize_properties


async def _serialize_set_properties(inputs: Any, property_deps: dict[str, list[Any]], *args: Any,
                                    **kwargs: Any) -> Any:
    """The SDK's serialize_properties over the inputs that are set (read as the SDK reads them, key by key)."""
    return await _sdk_serialize_properties({k: v for k in inputs if (v := inputs[k]) is not None}, property_deps,
                                           *args, **kwargs)


_PLAIN_TYPES = frozenset({type(None), str, int, float, bool})  # never an Unknown, nothing inside


def _contains_unknowns(value: Any) -> bool:
    """The SDK's contains_unknowns, at once for a plain value."""
    return type(value) not in _PLAIN_TYPES and sdk_rpc.contains_unknowns(value)


def _resolve(res: Any, data: asyncio.Future[Any], value: Any, is_known: bool, is_secret: bool,
             deps: set[Any] | None, failed: Exception | None) -> None:
    """What the SDK's resolver does with its four futures, on the one."""
    if failed is not None:
        data.set_exception(failed)
        return
    resources = set(deps) if deps else set()
    resources.add(res)
    data.set_result(_OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret))
