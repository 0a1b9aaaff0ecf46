"""``participant.parties``: enable, disable, list and find parties, as Canton 3.3's
``ParticipantPartiesAdministrationGroup`` does.

Hosting a party is a PartyToParticipant topology mapping: ``enable`` proposes it to the
participant's authorized store (which sends it on to its synchronizers) and ``disable`` removes this
participant from it, both through the node's topology service. ``list`` and ``hosted`` read Canton's
topology aggregation (ListParties) over the synchronizers' topology."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import attrs

from canton_console.console import args as a
from canton_console.console.framework import Arg, CallContext, CommandFailure, NodeGroup, Unsupported, command, render_canton_error, subgroup
from canton_console.console.references import ParticipantReference, bounded_timeout, reference_for
from canton_console.pretty import klass, param
from canton_console.values import topology as t
from canton_console.values.errors import CantonError
from canton_console.values.ids import Fingerprint, Namespace, ParticipantId, PartyId, SynchronizerId, UniqueIdentifier
from canton_console.values.refined import InvalidValue
from canton_console.values.scala import NONE, Option, TypedVector, Vector

# ---- results ------------------------------------------------------------------------------------


@attrs.frozen
class SynchronizerPermission:
    """``ListPartiesResult.SynchronizerPermission``: a participant's permission for the party on a synchronizer."""

    synchronizerId: SynchronizerId
    permission: Any  # ParticipantPermission

    canton_type = "SynchronizerPermission"

    def __pretty__(self):
        return klass("SynchronizerPermission", param("synchronizerId", self.synchronizerId), param("permission", self.permission))


@attrs.frozen
class ParticipantSynchronizers:
    """``ListPartiesResult.ParticipantSynchronizers``: a hosting participant and its permissions per synchronizer."""

    participant: ParticipantId
    synchronizers: Vector

    canton_type = "ParticipantSynchronizers"

    def __pretty__(self):
        return klass("ParticipantSynchronizers", param("participant", self.participant), param("synchronizers", self.synchronizers))


@attrs.frozen
class ListPartiesResult:
    """A party and the participants hosting it (Canton's ``ListPartiesResult``)."""

    party: PartyId
    participants: Vector

    canton_type = "ListPartiesResult"

    def __pretty__(self):
        return klass("ListPartiesResult", param("party", self.party), param("participants", self.participants))


def _permission(name: str) -> Any:
    from canton_console.console.commands.topology_mappings import ParticipantPermission

    return ParticipantPermission[name]


# ---- SynchronizerChoice -------------------------------------------------------------------------


@attrs.frozen
class SynchronizerChoiceOnly:
    """``SynchronizerChoice.Only(aliases)``: wait for the party on these synchronizers (by alias) only."""

    aliases: tuple[str, ...]

    canton_type = "SynchronizerChoice.Only"

    def __pretty__(self):
        return klass("Only", param("aliases", Vector(*self.aliases)))


class _SynchronizerChoiceAll:
    """``SynchronizerChoice.All``: wait for the party on every synchronizer the participant is connected to."""

    canton_type = "SynchronizerChoice.All.type"

    def __repr__(self) -> str:
        return "All"

    def __pretty__(self):
        from canton_console.pretty import Literal

        return Literal("All")


class SynchronizerChoiceCompanion:
    """``SynchronizerChoice``: ``SynchronizerChoice.All`` or ``SynchronizerChoice.Only(Seq("da"))``."""

    All = _SynchronizerChoiceAll()

    @staticmethod
    def Only(aliases: Any) -> SynchronizerChoiceOnly:
        if isinstance(aliases, str) or not isinstance(aliases, (list, tuple)) or not all(isinstance(x, str) for x in aliases):
            raise TypeError(f"SynchronizerChoice.Only expects a Seq of synchronizer aliases, got {aliases!r}")
        return SynchronizerChoiceOnly(tuple(aliases))

    def __repr__(self) -> str:
        return "SynchronizerChoice"


SYNCHRONIZER_CHOICE = SynchronizerChoiceCompanion()


class SynchronizerChoiceArg(Arg):
    expects = 'SynchronizerChoice.All or SynchronizerChoice.Only(Seq("alias"))'

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if isinstance(value, (_SynchronizerChoiceAll, SynchronizerChoiceOnly)):
            return value
        raise ctx.wrong_type(self.expects, value)


class NamespaceArg(Arg):
    expects = "a Namespace (e.g. participant1.namespace) or its fingerprint"

    def convert(self, value: Any, ctx: CallContext) -> Any:
        if isinstance(value, (Namespace, Fingerprint, str)):
            return value  # checked when the party's unique identifier is made
        raise ctx.wrong_type(self.expects, value)


class SynchronizerIdSetArg(Arg):
    expects = "a Set of synchronizer ids (e.g. Set(participant1.synchronizers.id_of(\"da\")))"

    def convert(self, value: Any, ctx: CallContext) -> list[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise ctx.wrong_type(self.expects, value)
        inner = a.SynchronizerIdArg()
        return sorted({str(inner.convert(v, ctx)) for v in value})


def _ledger_participant_id_problem(name: str) -> str | None:
    """``LedgerParticipantId.assertFromString``: a Daml-LF LedgerString (at most 255 characters of
    ``[a-zA-Z0-9#:-_/ ]``)."""
    if not name:
        return "Daml-LF Ledger String is empty"
    if len(name) > 255:
        return "Daml-LF Ledger String is too long (max: 255)"
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#:-_/ ")
    for c in name:
        if c not in allowed:
            return f'non expected character 0x{ord(c):x} in Daml-LF Ledger String "{name}"'
    return None


# ---- the group ----------------------------------------------------------------------------------


@subgroup(ParticipantReference, "parties")
class PartiesGroup(NodeGroup):
    """Inspect and manage parties"""

    scala_name = "ParticipantPartiesAdministrationGroup"

    def _participant_id(self) -> str:
        return self._ref._member_id("parties")

    def _default_limit(self) -> int:
        return 1000  # canton.parameters.console.default-limit

    def _listed(self, admin: Any, filter_party: str, filter_participant: str, synchronizer_ids: Sequence[str] = (), as_of: int | None = None,
                limit: int | None = None) -> Vector:
        try:
            found = admin.parties.list_parties(list(synchronizer_ids), filter_party, filter_participant, as_of, limit or self._default_limit())
        except CantonError as e:
            raise CommandFailure(render_canton_error(e, self._node_name), f"{self.scala_name}.list") from None
        return TypedVector(
            "ListPartiesResult",
            *[
                ListPartiesResult(
                    PartyId.parse(r.party),
                    Vector(
                        *[
                            ParticipantSynchronizers(
                                ParticipantId.parse(p), Vector(*[SynchronizerPermission(SynchronizerId.parse(s), _permission(perm)) for s, perm in perms])
                            )
                            for p, perms in r.participants
                        ]
                    ),
                )
                for r in found
            ]
        )

    @command
    def list(
        self,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        filter_participant: Annotated[str, a.Text("a participant filter")] = "",
        synchronizer_ids: Annotated[Sequence[str], SynchronizerIdSetArg()] = (),
        as_of: Annotated[int | None, a.Optional(a.Timestamp())] = None,
        limit: Annotated[int | None, a.POSITIVE_INT] = None,
    ) -> Vector:
        """List active parties, their active participants, and the participants' permissions on synchronizers.

        Inspect the parties known by this participant as used for synchronisation, built from the
        topology of each synchronizer it is connected to (not its authorized store). For each known
        party, the active participants and their permission on each synchronizer.

        filterParty: parties whose name starts with the given string (``name::namespace-prefix``:
        the name exactly and the namespace starting with the prefix). filterParticipant: parties
        hosted by a participant whose id matches so. synchronizerIds: only these synchronizers.
        asOf: the topology state at a given point in time. limit: at most this many parties
        (canton.parameters.console.default-limit, 1000).

        Example: participant1.parties.list(filterParty="alice")"""
        return self._listed(self._admin, filter_party, filter_participant, synchronizer_ids, as_of, limit)

    @command
    def hosted(
        self,
        filter_party: Annotated[str, a.Text("a party filter")] = "",
        synchronizer_ids: Annotated[Sequence[str], SynchronizerIdSetArg()] = (),
        as_of: Annotated[int | None, a.Optional(a.Timestamp())] = None,
        limit: Annotated[int | None, a.POSITIVE_INT] = None,
    ) -> Vector:
        """List parties hosted by this participant

        The same as ``list`` with filterParticipant set to this participant's id.

        Example: participant1.parties.hosted(filterParty="alice")"""
        participant_uid = str(ParticipantId.parse(self._participant_id()).uid)
        return self._listed(self._admin, filter_party, participant_uid, synchronizer_ids, as_of, limit)

    @command
    def find(self, filter_party: Annotated[str, a.Text("a party filter")]) -> PartyId:
        """Find a party from a filter string

        Will search for all parties that match this filter string. If it finds exactly one party, it
        will return that one. Otherwise, the function will throw."""
        parties = builtins.list(dict.fromkeys(r.party for r in self._listed(self._admin, filter_party, "")))
        if not parties:
            raise IllegalArgumentException(f"No party matching {filter_party}")
        if len(parties) > 1:
            raise IllegalArgumentException(f"Multiple parties match {filter_party}: List({', '.join(p.uid.short for p in parties)})")
        return parties[0]

    @command
    def enable(
        self,
        name: Annotated[str, a.Text("a party name such as \"Alice\"")],
        namespace: Annotated[Any, a.Optional(NamespaceArg())] = None,
        participants: Annotated[Sequence[str] | None, a.Optional(a.SeqOf(a.MemberArg(("participant",))))] = None,
        threshold: Annotated[int, a.POSITIVE_INT] = 1,
        wait_for_synchronizer: Annotated[Any, SynchronizerChoiceArg()] = SYNCHRONIZER_CHOICE.All,
        synchronize_participants: Annotated[Sequence[Any] | None, a.Optional(a.SeqOf(a.NodeRef("participant")))] = None,
        must_fully_authorize: Annotated[bool, a.Bool()] = True,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
        synchronizer: Annotated[str | None, a.Optional(a.Text("a synchronizer alias", allow_empty=False))] = None,
    ) -> PartyId:
        """Enable/add party to participant

        Registers a new party with this participant within the participant's namespace (or
        ``namespace``): proposes the PartyToParticipant mapping (``participants``, default this
        participant, with Submission permission, or Confirmation when ``threshold`` is above 1) to
        its authorized store, which sends it to its synchronizers. Fails if the participant lacks the
        signing keys for it (``mustFullyAuthorize``, default true: a missing authorization fails
        instead of leaving a proposal). ``waitForSynchronizer`` (SynchronizerChoice.All or
        SynchronizerChoice.Only(Seq(alias))) the synchronizers on which the party must be enabled
        when the call returns; ``synchronizeParticipants`` (default: every participant of the
        console that is running, and of a replicated one its active replica) the participants that
        must see the party there too; ``synchronize``: how long to
        wait for the topology transaction to become effective (None: not at all).

        ``synchronizer`` (an alias, the argument later Canton releases have): enable the party on
        that synchronizer only, proposing the mapping to its topology store instead of the
        authorized store; the waits are then for that synchronizer."""
        command_name = f"{self.scala_name}.enable"
        admin = self._admin
        participant_id = self._participant_id()
        me = ParticipantId.parse(participant_id)
        problem = _ledger_participant_id_problem(name)
        if problem:
            raise CommandFailure(problem, command_name)
        try:
            uid = UniqueIdentifier.tryCreate(name, namespace if namespace is not None else me.namespace)
        except (InvalidValue, ValueError) as e:
            raise CommandFailure(str(e), command_name) from None
        party = str(uid)
        hosts = builtins.list(dict.fromkeys(participants)) if participants is not None else [participant_id]
        connected = admin.connectivity.list_connected()
        store = t.AUTHORIZED_STORE
        if synchronizer is not None:
            chosen = [c for c in connected if c.alias == synchronizer]
            if not chosen:
                raise CommandFailure(f"Unknown: {synchronizer} for {me.uid.identifier}", command_name)
            connected, store = chosen, chosen[0].synchronizer_id
        sync_ids = self._synchronizers_of(wait_for_synchronizer, connected, me.uid.identifier, command_name)
        # the synchronizers each additional participant shares with this one
        others = synchronize_participants if synchronize_participants is not None else self._all_participants()
        additional = []
        for p in others:
            try:
                theirs = p.synchronizers.list_connected()
            except CommandFailure as e:
                raise CommandFailure(str(e), command_name) from None
            their_ids = self._synchronizers_of(wait_for_synchronizer, [_Connected(r.synchronizerAlias, str(r.synchronizerId)) for r in theirs], p.name, command_name)
            additional.append((p, [s for s in their_ids if s in sync_ids]))
        permission = "Confirmation" if threshold > 1 else "Submission"
        mapping = t.party_to_participant(party, threshold, [(h, permission) for h in hosts])
        head = admin.topology.head(store, t.PARTY_TO_PARTICIPANT, party)
        serial = head.serial + 1 if head is not None else None
        try:
            proposed = admin.topology.propose(store, mapping, serial, must_fully_authorize)
        except CantonError as e:
            raise CommandFailure(render_canton_error(e, self._node_name), command_name) from None
        timeout = bounded_timeout(self._env) if isinstance(synchronize, Option) else synchronize
        tx = proposed.signed.transaction
        if timeout is not None:
            targets = [c.synchronizer_id for c in connected]
            self._retry(
                lambda: all(admin.topology.sequenced_state(s, tx) is not None for s in targets),
                timeout,
                f"Topology transaction for party {uid.short} did not become effective",
                command_name,
            )
        ledger_timeout = self._env.timeout_micros("ledger_command")

        def registered(who: Any, queried: str) -> set[str]:
            rows = self._listed(who, party, str(me.uid))
            return {str(sp.synchronizerId) for r in rows for ps in r.participants for sp in ps.synchronizers}

        self._retry(
            lambda: set(sync_ids) <= registered(admin, participant_id),
            ledger_timeout,
            f"Party {uid.short} did not appear for {me.uid.short} on synchronizer {_set_text(set(sync_ids) - registered(admin, participant_id))}",
            command_name,
        )
        sync_ledger_api = isinstance(wait_for_synchronizer, _SynchronizerChoiceAll) or bool(wait_for_synchronizer.aliases)
        if sync_ledger_api and connected:
            self._retry(
                lambda: any(d.party == party for d in admin.ledger.list_known_parties("")),
                ledger_timeout,
                f"The party {uid.short} never appeared on the ledger API server",
                command_name,
            )
        for p, theirs in additional:
            if theirs:
                their_admin = p._admin
                def seen(their_admin: Any = their_admin, theirs: builtins.list[str] = theirs) -> bool:
                    return set(theirs) <= registered(their_admin, "")

                self._retry(
                    seen,
                    ledger_timeout,
                    f"Party {uid.short} did not appear for {p.name} on synchronizer {_set_text(set(theirs))}",
                    command_name,
                )
        return PartyId(uid)

    @command
    def disable(
        self,
        party: Annotated[str, a.PartyArg()],
        force_flags: Annotated[Any, Unsupported("no force flag applies to removing a party's hosting here", accept=("ForceFlags()",))] = None,
    ) -> None:
        """Disable party on participant

        Removes this participant from the party's PartyToParticipant mapping in its authorized store
        (the mapping is removed when this participant was its only host), and waits for it to take
        effect on its synchronizers."""
        command_name = f"{self.scala_name}.disable"
        admin = self._admin
        participant_id = self._participant_id()
        head = admin.topology.head(t.AUTHORIZED_STORE, t.PARTY_TO_PARTICIPANT, party)
        existing: builtins.list[tuple[str, str]] = []
        threshold = 1
        serial = 1
        if head is not None:
            serial = head.serial + 1
            if head.operation == t.REPLACE:
                existing = [tuple(p) for p in head.mapping.data["participants"]]
                threshold = head.mapping.data["threshold"]
        if participant_id not in [p for p, _ in existing]:
            raise IllegalArgumentException(f"Cannot remove permission for participants that are not permissioned: Set({ParticipantId.parse(participant_id).uid.short})")
        remaining = [(p, perm) for p, perm in existing if p != participant_id]
        try:
            if remaining:
                proposed = admin.topology.propose(t.AUTHORIZED_STORE, t.party_to_participant(party, threshold, remaining), serial)
            else:
                proposed = admin.topology.propose(t.AUTHORIZED_STORE, t.party_to_participant(party, threshold, existing), serial, operation=t.REMOVE)
        except CantonError as e:
            raise CommandFailure(render_canton_error(e, self._node_name), command_name) from None
        tx = proposed.signed.transaction
        targets = [c.synchronizer_id for c in admin.connectivity.list_connected()]
        self._retry(
            lambda: all(admin.topology.sequenced_state(s, tx) is not None for s in targets),
            bounded_timeout(self._env),
            f"the {t.PARTY_TO_PARTICIPANT} transaction with serial {tx.serial} is sequenced",
            command_name,
        )

    # ---- helpers --------------------------------------------------------------------------------
    def _synchronizers_of(self, choice: Any, connected: Sequence[Any], name: str, command_name: str) -> builtins.list[str]:
        if isinstance(choice, _SynchronizerChoiceAll):
            return [c.synchronizer_id for c in connected]
        by_alias = {c.alias: c.synchronizer_id for c in connected}
        out = []
        for alias in choice.aliases:
            if alias not in by_alias:
                raise CommandFailure(f"Unknown: {alias} for {name}", command_name)
            out.append(by_alias[alias])
        return out

    def _all_participants(self) -> builtins.list[Any]:
        """The console's participants that can answer (running, and the active replica of a
        replicated participant): a stopped node or a passive replica has no synchronizers to wait on."""
        out = []
        for n in self._env.nodes():
            if n.kind != "participant":
                continue
            node = self._env.node(n.name)
            if not node.status.is_running():
                continue
            if node.replication is not None and node.replication.is_replicated() and not _is_active(node):
                continue
            out.append(reference_for(self._env, node))
        return out

    def _retry(self, condition: Callable[[], bool], timeout_micros: int, message: str, command_name: str) -> None:
        """Canton's ``retryUntilTrue``: poll until the condition holds, else fail with ``message``."""
        deadline = time.monotonic() + timeout_micros / 1e6
        delay = 0.001
        while not condition():
            if time.monotonic() >= deadline:
                raise CommandFailure(message, command_name)
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.02)


def _is_active(node: Any) -> bool:
    try:
        status = node.status.status()
    except Exception:  # noqa: BLE001 - a node that cannot say is not waited on
        return False
    return bool(getattr(status, "active", True))


def _set_text(synchronizer_ids: set[str]) -> str:
    return "Set(" + ", ".join(SynchronizerId.parse(s).uid.short for s in sorted(synchronizer_ids)) + ")"


@attrs.frozen
class _Connected:
    alias: str
    synchronizer_id: str


class IllegalArgumentException(ValueError):
    """Scala's ``IllegalArgumentException``, as ``parties.find`` throws it."""

    java_exception = "java.lang.IllegalArgumentException"
