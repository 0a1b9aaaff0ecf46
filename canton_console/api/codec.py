"""Values across the wire: Python values <-> ``canton_console.v1.Value``.

The admin services take and return plain values (numbers, text, bytes, collections) and immutable
records. A record is sent as its type's name and its fields, and rebuilt on the other side as the
same value: its fields are set as they were sent, without running its constructor again (a record's
converters and validators ran when it was made; running them twice could change a value, e.g. a
normalizing converter). Only types of this package, and a few of the standard library's, are rebuilt:
a peer cannot make this process import or build anything else.
"""

from __future__ import annotations

import builtins
import datetime as dt
import decimal
import enum
import importlib
from typing import Any

import attrs

from canton_console.api.proto import console_value_pb2 as pb

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
PACKAGE = "canton_console."
# Standard-library types rebuilt from their text.
TEXT_TYPES: dict[str, Any] = {
    "decimal:Decimal": decimal.Decimal,
    "datetime:datetime": dt.datetime.fromisoformat,
    "datetime:date": dt.date.fromisoformat,
    "datetime:time": dt.time.fromisoformat,
}


# A class (not an instance) is sent as its name under this tag.
CLASS_TAG = "builtins:type"
# Subclasses of these are sent as records with their builtin value under BUILTIN_VALUE.
BUILTIN_BASES = (str, int, float, tuple, list, dict, frozenset, set)
BUILTIN_VALUE = "__value__"


class CodecError(Exception):
    """A value that cannot cross: an unknown type, or a type this side may not rebuild."""


def type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def resolve(name: str) -> Any:
    """The class named ``module:QualName``, when it is this package's (or a builtin exception)."""
    module_name, _, qualname = name.partition(":")
    if module_name == "builtins":
        found = getattr(builtins, qualname, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
        raise CodecError(f"{name} is not a type this console rebuilds")
    if not (module_name + ".").startswith(PACKAGE):
        raise CodecError(f"{name} is not a type this console rebuilds")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not isinstance(target, type):
        raise CodecError(f"{name} is not a type")
    return target


# ---- encoding ---------------------------------------------------------------------------------


def encode(value: Any) -> pb.Value:
    out = pb.Value()
    _encode_into(value, out)
    return out


def _items(values: Any, into: Any) -> None:
    if isinstance(into, pb.Items):
        into.SetInParent()  # an empty collection is still a collection, not "no value"
    for item in values:
        _encode_into(item, into.items.add())


def _fields(pairs: Any, into: Any) -> None:
    for name, item in pairs:
        field = into.add()
        field.name = name
        _encode_into(item, field.value)


def _encode_into(value: Any, out: pb.Value) -> None:
    cls = type(value)
    if value is None:
        out.none = True
    elif cls is bool:
        out.boolean = value
    elif cls is int:
        if INT64_MIN <= value <= INT64_MAX:
            out.integer = value
        else:
            out.big_integer = str(value)
    elif cls is float:
        out.real = value
    elif cls is str:
        out.text = value
    elif cls is bytes or cls is bytearray:
        out.data = bytes(value)
    elif cls is list:
        _items(value, out.list)
    elif cls is tuple:
        _items(value, out.tuple)
    elif cls is set:
        _items(value, out.set)
    elif cls is frozenset:
        _items(value, out.frozenset)
    elif cls is dict:
        out.dict.SetInParent()
        entries = out.dict.entries
        for key, item in value.items():
            entry = entries.add()
            _encode_into(key, entry.key)
            _encode_into(item, entry.value)
    elif isinstance(value, enum.Enum):
        out.tagged.type = type_name(cls)
        out.tagged.text = value.name
    elif isinstance(value, BaseException):
        out.failure.type = type_name(cls)
        _items(value.args, _FailureArgs(out.failure))
        state = getattr(value, "__dict__", {})
        _fields(sorted(state.items()), out.failure.attributes)
    elif attrs.has(cls):
        out.record.type = type_name(cls)
        _fields(((a.name, getattr(value, a.name)) for a in attrs.fields(cls)), out.record.fields)
    elif isinstance(value, type) and value.__module__.startswith(PACKAGE):
        out.tagged.type = CLASS_TAG
        out.tagged.text = type_name(value)
    elif isinstance(value, BUILTIN_BASES) and cls.__module__.startswith(PACKAGE):
        # a value of a subclass of a builtin (an int that knows its Canton type, a tuple that prints
        # as a Scala Set): its builtin value and its own attributes
        base: Any = next(b for b in cls.__mro__ if b in BUILTIN_BASES)
        out.record.type = type_name(cls)
        _fields([(BUILTIN_VALUE, base(value)), *sorted(_state(value).items())], out.record.fields)
    elif type_name(cls) in TEXT_TYPES:
        out.tagged.type = type_name(cls)
        out.tagged.text = value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    elif cls.__module__.startswith(PACKAGE) and (hasattr(value, "__dict__") or hasattr(cls, "__slots__")):
        out.record.type = type_name(cls)
        _fields(sorted(_state(value).items()), out.record.fields)
    else:
        raise CodecError(f"cannot send a value of type {type_name(cls)}")


def _state(value: Any) -> dict[str, Any]:
    """A plain object's attributes: its ``__dict__`` and the slots its classes declare."""
    state = dict(getattr(value, "__dict__", {}))
    for klass in type(value).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
                state[slot] = getattr(value, slot)
    return state


class _FailureArgs:
    """``Failure.args`` as the ``items`` of an Items (so one helper fills both)."""

    def __init__(self, failure: pb.Failure):
        self.items = failure.args


# ---- decoding ---------------------------------------------------------------------------------


def decode(message: pb.Value) -> Any:
    kind = message.WhichOneof("kind")
    if kind is None or kind == "none":
        return None
    if kind == "boolean":
        return message.boolean
    if kind == "integer":
        return message.integer
    if kind == "big_integer":
        return int(message.big_integer)
    if kind == "real":
        return message.real
    if kind == "text":
        return message.text
    if kind == "data":
        return message.data
    if kind == "list":
        return [decode(v) for v in message.list.items]
    if kind == "tuple":
        return tuple(decode(v) for v in message.tuple.items)
    if kind == "set":
        return {decode(v) for v in message.set.items}
    if kind == "frozenset":
        return frozenset(decode(v) for v in message.frozenset.items)
    if kind == "dict":
        return {decode(e.key): decode(e.value) for e in message.dict.entries}
    if kind == "record":
        return _record(message.record)
    if kind == "tagged":
        return _tagged(message.tagged)
    if kind == "failure":
        return _failure(message.failure)
    raise CodecError(f"unknown value kind {kind}")


def _set_state(target: Any, fields: Any) -> None:
    for field in fields:
        object.__setattr__(target, field.name, decode(field.value))


def _record(record: pb.Record) -> Any:
    cls = resolve(record.type)
    fields = list(record.fields)
    if fields and fields[0].name == BUILTIN_VALUE:
        base: Any = next(b for b in cls.__mro__ if b in BUILTIN_BASES)
        builtin = decode(fields[0].value)
        if base in (list, dict, set):
            value = base.__new__(cls)
            base.__init__(value, builtin)
        else:
            value = base.__new__(cls, builtin)
        fields = fields[1:]
    else:
        value = object.__new__(cls)
    _set_state(value, fields)
    return value


def _tagged(tagged: pb.Tagged) -> Any:
    if tagged.type == CLASS_TAG:
        return resolve(tagged.text)
    maker = TEXT_TYPES.get(tagged.type)
    if maker is not None:
        return maker(tagged.text)
    cls = resolve(tagged.type)
    if issubclass(cls, enum.Enum):
        return cls[tagged.text]
    raise CodecError(f"{tagged.type} is not rebuilt from text")


def _failure(failure: pb.Failure) -> BaseException:
    cls = resolve(failure.type)
    if not issubclass(cls, BaseException):
        raise CodecError(f"{failure.type} is not an exception")
    error = cls.__new__(cls)
    error.args = tuple(decode(v) for v in failure.args)
    _set_state(error, failure.attributes)
    return error
