"""``utils``' file commands, as Canton 3.3's ConsoleMacros has them: ``write_to_file`` (a
ByteString as it is, or messages length-delimited), ``read_first_message_from_file``,
``read_all_messages_from_file``, ``read_byte_string_from_file``; and
``generate_daml_script_participants_conf``, the participants file Daml script takes. They are
attached to the ``utils`` group of :mod:`top_level`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from canton_console.console import args as a
from canton_console.console.commands import ledger_api as lapi
from canton_console.console.commands import ledger_reads
from canton_console.console.commands.top_level import Utils
from canton_console.console.framework import Arg, CallContext, command
from canton_console.console.references import NodeReference
from canton_console.pretty import Literal
from canton_console.values import completions as c
from canton_console.values import update_format as uf
from canton_console.values.bytestring import ByteString
from canton_console.values.message_file import MalformedMessages, MessageCodec, NotAMessage
from canton_console.values.scala import Option, TypedVector


def _attach(fn: Callable) -> Callable:
    setattr(Utils, fn.__name__, fn)
    return fn


# ---- the messages this console writes ---------------------------------------------------------------

_V2 = "com.daml.ledger.api.v2"
CODEC = MessageCodec(
    types=(
        (f"{_V2}.completion.Completion", c.Completion),
        ("com.google.rpc.status.Status", c.Status),
        ("com.google.protobuf.timestamp.Timestamp", c.Timestamp),
        ("com.google.protobuf.duration.Duration", c.Duration),
        (f"{_V2}.completion.Completion.DeduplicationPeriod.DeduplicationDuration", c.DeduplicationDuration),
        (f"{_V2}.completion.Completion.DeduplicationPeriod.DeduplicationOffset", c.DeduplicationOffset),
        (f"{_V2}.offset_checkpoint.SynchronizerTime", c.SynchronizerTime),
        (f"{_V2}.value.Identifier", lapi.Identifier),
        (f"{_V2}.event.CreatedEvent", lapi.CreatedEvent),
        (f"{_V2}.event.ArchivedEvent", lapi.ArchivedEvent),
        (f"{_V2}.event.ExercisedEvent", lapi.ExercisedEvent),
        (f"{_V2}.transaction.Transaction", lapi.Transaction),
        (f"{_V2}.transaction.TransactionTree", lapi.TransactionTree),
        (f"{_V2}.state_service.ActiveContract", lapi.ActiveContract),
        (f"{_V2}.state_service.GetConnectedSynchronizersResponse", ledger_reads.GetConnectedSynchronizersResponse),
        (f"{_V2}.state_service.GetConnectedSynchronizersResponse.ConnectedSynchronizer", ledger_reads.ConnectedSynchronizer),
        (f"{_V2}.transaction_filter.UpdateFormat", uf.UpdateFormat),
        (f"{_V2}.transaction_filter.TransactionFormat", uf.TransactionFormat),
        (f"{_V2}.transaction_filter.EventFormat", uf.EventFormat),
        (f"{_V2}.transaction_filter.Filters", uf.Filters),
        (f"{_V2}.transaction_filter.CumulativeFilter", uf.CumulativeFilter),
        (f"{_V2}.transaction_filter.WildcardFilter", uf.WildcardFilter),
        (f"{_V2}.transaction_filter.TemplateFilter", uf.TemplateFilter),
    ),
    constants=((f"{_V2}.completion.Completion.DeduplicationPeriod.Empty", c.EMPTY_PERIOD),),
    strings=(
        (f"{_V2}.state_service.ParticipantPermission", ledger_reads.ParticipantPermissionValue),
        (f"{_V2}.transaction_filter.TransactionShape", uf.TransactionShape),
    ),
)
WRITABLE = "a ByteString, or a Ledger API message (Completion, Transaction, TransactionTree, ...) or a Seq of them"


# Exceptions Canton's console throws from these commands, shown by their JVM class names.
class NoSuchFileException(Exception):
    java_exception = "java.nio.file.NoSuchFileException"


class IOException(Exception):
    java_exception = "java.io.IOException"


class InvalidProtocolBufferException(Exception):
    java_exception = "com.google.protobuf.InvalidProtocolBufferException"


class IllegalArgumentException(Exception):
    java_exception = "java.lang.IllegalArgumentException"


def _read(file_name: str) -> bytes:
    try:
        return Path(file_name).read_bytes()
    except FileNotFoundError:
        raise NoSuchFileException(file_name) from None
    except OSError as e:
        raise IOException(f"{file_name}: {e.strerror}") from None


def _write(file_name: str, data: bytes) -> None:
    try:
        Path(file_name).write_bytes(data)
    except FileNotFoundError:
        raise NoSuchFileException(file_name) from None
    except OSError as e:
        raise IOException(f"{file_name}: {e.strerror}") from None


def _messages(file_name: str) -> list[Any]:
    try:
        return CODEC.decode(_read(file_name))
    except MalformedMessages as e:
        raise InvalidProtocolBufferException(str(e)) from None


class WritableArg(Arg):
    expects = WRITABLE

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if isinstance(value, (bytes, bytearray)):
            return ByteString(bytes(value))
        if CODEC.is_message(value):
            return [value]
        if isinstance(value, (list, tuple)) and not isinstance(value, Option) and all(CODEC.is_message(v) for v in value):
            return list(value)
        raise ctx.wrong_type(self.expects, value)


@_attach
@command(needs_running=False)
def write_to_file(self, data: Annotated[Any, WritableArg()], file_name: Annotated[str, a.Text("a file name", allow_empty=False)]) -> None:
    """Writes a ByteString, a Protobuf message or several to a file.

    A ByteString is written as it is (read it back with read_byte_string_from_file). Messages (the
    Ledger API's values this console returns: Completion, Transaction, TransactionTree,
    GetConnectedSynchronizersResponse, UpdateFormat, ...) are written length-delimited, one after
    the other (read them back with read_first_message_from_file / read_all_messages_from_file);
    each message holds this console's encoding of the value, not Canton's protobuf bytes."""
    if isinstance(data, ByteString):
        _write(file_name, bytes(data))
        return
    try:
        encoded = CODEC.encode(data)
    except NotAMessage as e:
        raise IllegalArgumentException(f"utils.write_to_file cannot write {e}: it writes {WRITABLE}") from None
    _write(file_name, encoded)


@_attach
@command(needs_running=False)
def read_first_message_from_file(self, file_name: Annotated[str, a.Text("a file name", allow_empty=False)]) -> Any:
    """Reads a single Protobuf message from a file.

    The first message write_to_file wrote to the file. Fails with an exception, if the file can't
    be read or parsed. (Canton takes the message type as a type parameter; this console's files
    name the type of each message.)"""
    messages = _messages(file_name)
    if not messages:
        raise IllegalArgumentException(f"Unable to read a message from {file_name}.")
    return messages[0]


@_attach
@command(needs_running=False)
def read_all_messages_from_file(self, file_name: Annotated[str, a.Text("a file name", allow_empty=False)]) -> TypedVector:
    """Reads several Protobuf messages from a file.

    Fails with an exception, if the file can't be read or parsed."""
    messages = _messages(file_name)
    element = getattr(messages[0], "canton_type", "GeneratedMessage") if messages else "GeneratedMessage"
    return TypedVector(element if all(getattr(m, "canton_type", None) == element for m in messages) else "GeneratedMessage", *messages)


@_attach
@command(needs_running=False)
def read_byte_string_from_file(self, file_name: Annotated[str, a.Text("a file name", allow_empty=False)]) -> ByteString:
    """Reads a ByteString from a file.

    Fails with an exception, if the file can't be read."""
    return ByteString(_read(file_name))


# ---- generate_daml_script_participants_conf ------------------------------------------------------------


class JavaFile(str):
    """A ``java.io.File``: the console shows its path."""

    canton_type = "File"

    def __pretty__(self):
        return Literal(str(self))


def circe_spaces2(value: Any, depth: int = 0) -> str:
    """JSON as circe's ``spaces2`` printer writes it: two-space indentation, ``"key" : value``, an
    empty object as ``{``, an indented empty line and ``}``."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        body = f",\n{inner}".join(f"{json.dumps(k, ensure_ascii=False)} : {circe_spaces2(v, depth + 1)}" for k, v in value.items())
        return "{\n" + inner + body + "\n" + pad + "}"
    return json.dumps(value, ensure_ascii=False)


def participants_conf(participants: list[tuple[str, str, str, int]], parties: list[tuple[str, str]], use_alias: bool, default: tuple[str, int] | None) -> dict[str, Any]:
    """The participants file's content: ``participants`` are (name, uid, host, port), ``parties``
    (party, the uid of its first hosting participant) in the order found; a later entry for a
    party wins, as Scala's ``toMap`` does."""
    alias = {uid: name for name, uid, _host, _port in participants}

    def reference(uid: str) -> str:
        return alias.get(uid, uid) if use_alias else uid

    return {
        "default_participant": None if default is None else {"host": default[0], "port": default[1]},
        "participants": {(name if use_alias else uid): {"host": host, "port": port} for name, uid, host, port in participants},
        "party_participants": {party: reference(uid) for party, uid in parties},
    }


def _uid(member_id: str) -> str:
    return member_id.split("::", 1)[1] if member_id.startswith("PAR::") else member_id


@_attach
@command
def generate_daml_script_participants_conf(
    self,
    file: Annotated[str | None, a.Optional(a.Text("a file name", allow_empty=False))] = None,
    use_participant_alias: Annotated[bool, a.Bool()] = True,
    default_participant: Annotated[NodeReference | None, a.Optional(a.NodeRef("participant"))] = None,
) -> JavaFile:
    """Create a participants config for Daml script

    The generated config can be passed to `daml script` via the `participant-config` parameter.
    It takes three arguments:
    - file (default to "participant-config.json")
    - useParticipantAlias (default to true): participant aliases are used instead of UIDs
    - defaultParticipant (default to None): adds a default participant if provided"""
    env = self._env
    participants: list[tuple[str, str, str, int]] = []
    ledger_apis: dict[str, tuple[str, int]] = {}
    parties: list[tuple[str, str]] = []
    for info in env.nodes():
        if info.kind != "participant":
            continue
        admin = env.node(info.name)
        api = admin.node_config.config().ledgerApi
        ledger_apis[info.name] = (api.address, int(api.port))
        participants.append((info.name, _uid(admin.identity.member_id()), api.address, int(api.port)))
    for info in env.nodes():
        if info.kind == "participant":
            for listed in env.node(info.name).parties.list_parties():
                if listed.participants:
                    parties.append((listed.party, _uid(listed.participants[0][0])))
    if len({p for p, _ in parties}) < len(parties):  # as Canton counts: a party listed more than once
        import logging

        logging.getLogger("com.digitalasset.canton.console.ConsoleMacros$utils$").info(
            "Some parties are hosted on more than one participant. For such parties, only one participant will be exported to the generated config file."
        )
    default = None if default_participant is None else ledger_apis[default_participant.name]
    content = participants_conf(participants, parties, use_participant_alias, default)
    target = file or "participant-config.json"
    _write(target, (circe_spaces2(content) + "\n").encode())
    return JavaFile(target)
