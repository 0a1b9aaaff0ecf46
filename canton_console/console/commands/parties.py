"""``participant.parties``: enable parties and list who hosts them."""

from __future__ import annotations

from typing import Annotated

import attrs

from canton_console.console import args as a
from canton_console.console.framework import CommandFailure, NodeGroup, command, subgroup
from canton_console.console.references import ParticipantReference, bounded_timeout, wait_until
from canton_console.pretty import Apply, Literal, klass, param, to_tree
from canton_console.values.ids import Member, PartyId
from canton_console.values.scala import NONE, Option, Vector


@attrs.frozen
class ListPartiesResult:
    party: PartyId
    participants: tuple

    canton_type = "ListPartiesResult"

    def __pretty__(self):
        return klass("ListPartiesResult", param("party", self.party), param("participants", Apply("Vector", tuple(to_tree(p) for p in self.participants))))


@attrs.frozen
class ParticipantSynchronizers:
    participant: Member
    permission: str

    def __pretty__(self):
        return klass("ParticipantSynchronizers", param("participant", self.participant), param("permission", Literal(self.permission)))


@subgroup(ParticipantReference, "parties")
class PartiesGroup(NodeGroup):
    """Inspect and manage parties"""

    scala_name = "ParticipantPartiesAdministrationGroup"

    @command
    def enable(
        self,
        name: Annotated[str, a.String185("a party name such as \"Alice\"")],
        synchronizer: Annotated[str | None, a.Optional(a.Text("a synchronizer alias"))] = None,
        synchronize: Annotated[int | Option | None, a.Optional(a.Duration())] = NONE,
    ) -> PartyId:
        """Enable/add a local party with the given display name, hosted on this participant"""
        if "::" in name or not all(ch.isalnum() or ch in "-_ " for ch in name):
            raise CommandFailure(f"INVALID_ARGUMENT(8,0): '{name}' is not a valid party name (letters, digits, '-' and '_')")
        parties = self._admin.parties
        enabled = parties.enable(name, synchronizer)
        # only the default NONE is still an Option here: the converter makes a given value int | None
        timeout = bounded_timeout(self._env) if isinstance(synchronize, Option) else synchronize
        if timeout is not None:
            wait_until(
                self._env, lambda: parties.is_hosted(enabled.party, enabled.synchronizer_ids), timeout, f"party {name} is hosted", f"{self.scala_name}.enable"
            )
        return PartyId.parse(enabled.party)

    def _list(self, filter_party: str, only_here: bool) -> Vector:
        return Vector(
            *[
                ListPartiesResult(PartyId.parse(h.party), tuple(ParticipantSynchronizers(Member.parse(p), perm) for p, perm in h.participants))
                for h in self._admin.parties.list(filter_party, only_here)
            ]
        )

    @command
    def list(self, filter_party: Annotated[str, a.Text("a party name filter")] = "") -> Vector:
        """List active parties, their active participants, and the participants' permissions on synchronizers"""
        return self._list(filter_party, False)

    @command
    def hosted(self, filter_party: Annotated[str, a.Text("a party name filter")] = "") -> Vector:
        """List parties hosted by this participant"""
        return self._list(filter_party, True)

    @command
    def find(self, filter_party: Annotated[str, a.Text("a party name filter", allow_empty=False)]) -> PartyId:
        """Find a party from a filter string"""
        found = self._list(filter_party, False)
        if len(found) != 1:
            raise CommandFailure(
                f"INVALID_ARGUMENT(8,0): Found {len(found)} parties matching '{filter_party}'"
                + (": " + ", ".join(str(r.party) for r in found) if found else "")
            )
        return found[0].party
