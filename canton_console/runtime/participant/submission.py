"""Submitting transactions: command interpretation, the confirmation request, and the Ledger API's
command deduplication."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from concurrent.futures import Future
from typing import Any

from sqlalchemy import delete, insert, select

from canton_console.runtime.metrics import COMMAND_SUBMISSIONS, metrics_of
from canton_console.runtime.participant.base import ParticipantBase
from canton_console.runtime.participant.package_management import refuse_uploaded_template
from canton_console.runtime.participant.records import (
    CONFIRMING,
    DUPLICATE_COMMAND_REASON,
    IN_FLIGHT_REASON,
    MAX_DEDUPLICATION_DURATION,
    Submission,
    change_id_of,
)
from canton_console.runtime.participant.resources import resources_of
from canton_console.runtime.synchronizer import Synchronizer
from canton_console.store import schema as s
from canton_console.store.storage import StorageUnavailable
from canton_console.values import errors, ledger, messages
from canton_console.values.errors import CantonError
from canton_console.values.messages import Envelope, SubmissionRequest

log = logging.getLogger("canton_console.participant")


class CommandSubmission(ParticipantBase):
    """Mixed into ParticipantNode: submit, submit_command and what they need."""

    # ---- submitting transactions ---------------------------------------------------------
    def submit(
        self,
        commands: list[Any],
        act_as: list[str],
        command_id: str,
        synchronizer_id: str | None = None,
        change_id: str | None = None,
        submission_id: str | None = None,
    ) -> Future:
        """Interpret commands, send the confirmation request; the future gets the Transaction.
        While the database is down the submission waits and goes out once it is back."""
        self.require_active()

        def again() -> Future:
            return self.submit(commands, act_as, command_id, synchronizer_id, change_id, submission_id)

        if self.halted:
            return self._defer(again)
        try:
            return self._submit_now(commands, act_as, command_id, synchronizer_id, change_id, submission_id)
        except StorageUnavailable:
            if self.running and not self.passive and self.halted:
                return self._defer(again)
            raise

    def submit_command(
        self,
        commands: list[Any],
        act_as: list[str],
        command_id: str,
        synchronizer_id: str | None = None,
        user_id: str = "",
        submission_id: str | None = None,
        deduplication_period: int | None = None,
        seed: str | None = None,
    ) -> Future:
        """A Ledger API submission with command deduplication (see the module docstring). Raises
        DUPLICATE_COMMAND, SUBMISSION_ALREADY_IN_FLIGHT or INVALID_DEDUPLICATION_PERIOD; else the
        future gets the Transaction. ``seed``: the interpretation's seed (a prepared transaction's),
        new unless given."""
        self.require_active()
        submission_id = submission_id or str(uuid.uuid4())
        period = MAX_DEDUPLICATION_DURATION if deduplication_period is None else deduplication_period
        if isinstance(period, bool) or not isinstance(period, int) or period < 0 or period > MAX_DEDUPLICATION_DURATION:
            from canton_console.values.timefmt import round_for_humans

            what = "must not be negative" if isinstance(period, int) and period < 0 else (
                f"exceeds the maximum deduplication duration of {round_for_humans(MAX_DEDUPLICATION_DURATION)}"
            )
            raise CantonError(
                errors.INVALID_DEDUPLICATION_PERIOD,
                f"The submitted command had an invalid deduplication period: The deduplication duration {what}",
                submission_id,
                longest_period=f"PT{MAX_DEDUPLICATION_DURATION // 1_000_000}S",
            )

        def again() -> Future:
            return self.submit_command(commands, act_as, command_id, synchronizer_id, user_id, submission_id, period, seed)

        if self.halted:
            return self._defer(again)
        started = time.monotonic()
        try:
            resources_of(self).check_overloaded()
            future = self._submit_deduplicated(commands, act_as, command_id, synchronizer_id, user_id, submission_id, period, seed)
            metrics_of(self).record(COMMAND_SUBMISSIONS, time.monotonic() - started)
            return future
        except StorageUnavailable:
            if self.running and not self.passive and self.halted:
                return self._defer(again)
            raise

    def _submit_deduplicated(self, commands, act_as, command_id, synchronizer_id, user_id, submission_id, period, seed=None) -> Future:
        change_id, change = change_id_of(user_id, act_as, command_id)
        now = self.env.clock.now()
        existing = self.in_flight.get(change_id)
        if existing is not None:
            raise CantonError(errors.SUBMISSION_ALREADY_IN_FLIGHT, IN_FLIGHT_REASON, submission_id, existing_submission_id=existing)
        dedup = s.CommandDeduplicationRow
        with self.open_storage.read() as conn:
            row = conn.execute(select(dedup.__table__).where(dedup.change_id == change_id)).mappings().first()
        if row is not None:
            if row["status"] == "accepted" and row["record_time"] >= now - period:
                duplicate = CantonError(
                    errors.DUPLICATE_COMMAND,
                    DUPLICATE_COMMAND_REASON,
                    submission_id,
                    existing_submission_id=row["submission_id"],
                    completion_offset=row["offset"],
                )
                self._complete_duplicate(duplicate, (user_id, tuple(act_as), command_id, submission_id), synchronizer_id, now, row["offset"])
                raise duplicate
            if row["status"] == "in-flight" and self._still_in_flight(row, command_id, now):
                raise CantonError(errors.SUBMISSION_ALREADY_IN_FLIGHT, IN_FLIGHT_REASON, submission_id, existing_submission_id=row["submission_id"])

        def record(sync: Synchronizer, max_sequencing_time: int, root_hash: str) -> None:
            deadline = max_sequencing_time + sync.parameters(now).decisionTimeout
            with self.open_storage.transaction() as conn:
                conn.execute(delete(dedup).where(dedup.change_id == change_id))
                conn.execute(
                    insert(dedup),
                    [
                        {
                            "change_id": change_id,
                            "submission_id": submission_id,
                            "status": "in-flight",
                            "offset": None,
                            "record_time": now,
                            "deadline": deadline,
                            "change": change,
                            "root_hash": root_hash,
                        }
                    ],
                )
            self.in_flight[change_id] = submission_id

        future = self._submit_now(
            commands, act_as, command_id, synchronizer_id, change_id, submission_id, before_send=record, change=change, seed=seed, deduplication_period=period
        )
        return future

    def _complete_duplicate(self, error: CantonError, info: tuple[str, tuple[str, ...], str, str], synchronizer_id: str | None, now: int, completion_offset: int) -> None:
        """A duplicate command is rejected with a completion of its own, at a new offset (Canton
        reports the deduplication failure through the completion stream)."""
        from canton_console.runtime.participant import completions

        try:
            sync_id = self._synchronizer_for(synchronizer_id).id
        except CantonError:
            sync_id = ""
        offset = self.ledger_end + 1
        with self.open_storage.transaction() as conn:
            completions.record_duplicate(conn, info, error, sync_id, now, completion_offset, offset)
        self.ledger_end = offset

    def _still_in_flight(self, row, command_id: str, now: int) -> bool:
        """An in-flight row this participant does not track in memory (left by a crash, a restart or
        the replica before a fail-over): the request may still be decided while it is queued at a
        synchronizer, sequenced but undecided here, or we cannot tell (not caught up everywhere);
        never after its deadline."""
        if (row["deadline"] or 0) <= now:
            return False
        root_hash = row["root_hash"]
        if root_hash is None:
            return True
        if any(p.root_hash == root_hash for p in self.pending.values()):
            return True  # sequenced, waiting for its verdict
        for queue in self.env.synchronizers.values():
            if any(r.sender == self.member_id and r.message_id == command_id for r in queue._pending):
                return True  # queued for sequencing (e.g. during a sequencer outage)
        for connection in self.connections.values():
            sync = self.env.synchronizers.get(connection.synchronizer_id)
            if sync is None:
                continue
            subscription = self.subscriptions.get(sync.id)
            if not connection.connected or subscription is None or subscription.behind or sync.subscribers.get(self.member_id) is not subscription:
                return True  # not caught up with that synchronizer: it may still come
        return False  # neither queued nor pending after catching up: it was lost (a crash) or decided

    def _submit_now(
        self,
        commands: list[Any],
        act_as: list[str],
        command_id: str,
        synchronizer_id: str | None,
        change_id: str | None,
        submission_id: str | None,
        before_send=None,
        change: str | None = None,
        seed: str | None = None,
        deduplication_period: int | None = None,
    ) -> Future:
        sync = self._synchronizer_for(synchronizer_id)
        seed = seed or hashlib.sha256(f"{self.member_id}/{command_id}/{uuid.uuid4()}".encode()).hexdigest()
        nodes = self._interpret(commands, act_as, seed)
        informees: list[str] = []
        for node in nodes:
            if node["kind"] == "create":
                stakeholders = node["contract"]["signatories"] + node["contract"]["observers"]
            else:
                stakeholders = node["stakeholders"] + node["actors"]
            informees.extend(p for p in stakeholders if p not in informees)
        confirming_parties = ledger.confirming_parties(nodes, self.admin_party)
        informee_spec: dict[str, dict[str, Any]] = {}
        participants: list[str] = []
        now = sync.now()
        for party in dict.fromkeys(informees + confirming_parties):
            threshold, hosts = sync.topology.hosting(party, now)
            if not hosts:
                raise CantonError(errors.PARTY_NOT_KNOWN_ON_LEDGER, f"Party not known on ledger: Parties are not hosted on synchronizer {sync.id}: {party}")
            if party in confirming_parties:
                confirming = [p for p, perm in hosts if perm in CONFIRMING]
                informee_spec[party] = {"threshold": min(threshold, max(1, len(confirming))), "participants": confirming}
            else:
                informee_spec[party] = {"threshold": 0, "participants": []}  # a plain informee: sees, does not confirm
            participants.extend(p for p, _ in hosts if p not in participants)
        submission_id = submission_id or str(uuid.uuid4())
        ledger_time = self.env.clock.now()
        view = {
            "submitting_participant": self.member_id,
            "act_as": list(act_as),
            "command_id": command_id,
            "submission_id": submission_id,
            "change_id": change_id,
            "ledger_time": ledger_time,
            "informees": informees,
            "nodes": nodes,
        }
        if change is not None:
            view["change"] = change
        if deduplication_period is not None:
            view["deduplication_period"] = deduplication_period  # reported by the completion
        root_hash = hashlib.sha256(messages.encode(view)).hexdigest()
        informee_msg = {"type": "InformeeMessage", "root_hash": root_hash, "submitter": self.member_id, "informees": informee_spec, "participants": participants}
        informee_msg["submitting_parties"] = list(act_as)  # the submitter metadata the mediator reports
        view_msg = {"type": "EncryptedViewMessage", "root_hash": root_hash, "view": view}
        root_msg = {"type": "RootHashMessage", "root_hash": root_hash, "payload_type": "TransactionViewType"}
        # Not sequenced by then, never: the sequencer drops it (Canton's max sequencing time).
        max_sequencing_time = max(ledger_time, now) + sync.parameters(now).ledgerTimeRecordTimeTolerance
        request = SubmissionRequest(
            self.member_id,
            command_id,
            (
                Envelope(messages.encode(informee_msg), (messages.MEDIATOR_GROUP_0,)),
                Envelope(messages.encode(view_msg), tuple(participants)),
                Envelope(messages.encode(root_msg), tuple(participants) + (messages.MEDIATOR_GROUP_0,)),
            ),
            kind="confirmation-request",
            max_sequencing_time=max_sequencing_time,
        )
        if before_send is not None:
            before_send(sync, max_sequencing_time, root_hash)
        future: Future = Future()
        submission = Submission(root_hash, future, command_id, change_id, submission_id, sync.id, max_sequencing_time, request)
        self.submissions[root_hash] = submission
        try:
            sync.submit(request)
        except BaseException:
            self.submissions.pop(root_hash, None)
            if change_id is not None and before_send is not None:
                try:
                    self._forget_in_flight([submission])
                except StorageUnavailable:
                    pass  # the row expires at its deadline
            raise
        self._watch_sequencing(submission)
        return future

    def _synchronizer_for(self, synchronizer_id: str | None) -> Synchronizer:
        connected = self.connected_synchronizers()
        if synchronizer_id is not None:
            for _, sync, _ in connected:
                if sync.id == synchronizer_id:
                    return sync
            raise CantonError(errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER, f"This participant is not connected to synchronizer {synchronizer_id}")
        candidates = [(c, sync) for c, sync, healthy in connected if healthy] or [(c, sync) for c, sync, _ in connected]
        if not candidates:
            raise CantonError(
                errors.NOT_CONNECTED_TO_ANY_SYNCHRONIZER,
                "This participant is not connected to any synchronizer.",
            )
        # the connection's priority first (Canton's router: the higher, the more likely), else the first connected
        return sorted(candidates, key=lambda cs: -cs[0].priority)[0][1]

    def _interpret(self, commands: list[Any], act_as: list[str], seed: str) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        index = 0
        authorizers = set(act_as)
        contract: ledger.Contract | None
        for command in commands:
            if isinstance(command, (ledger.CreateCommand, ledger.ExerciseCommand)):
                refuse_uploaded_template(self, command)  # DAML_ENGINE_UNAVAILABLE for an uploaded package's template
                ledger.command_template(command)  # PACKAGE_NOT_FOUND / COMMAND_PREPROCESSING_FAILED
            if isinstance(command, ledger.CreateCommand):
                contract = ledger.new_contract(command.template_id, command.arguments, seed, index)
                index += 1
                missing = [p for p in contract.signatories if p not in authorizers]
                if missing:
                    raise CantonError(
                        errors.INVALID_ARGUMENT,
                        f"DAML_AUTHORIZATION_ERROR: creating {contract.template_id} requires authorizers {', '.join(missing)}, but only {', '.join(act_as)} were given",
                    )
                nodes.append({"kind": "create", "contract": ledger.contract_to_dict(contract)})
            elif isinstance(command, ledger.ExerciseCommand):
                contract = self.lookup_contract(command.contract_id)
                if contract is None:
                    raise CantonError(errors.CONTRACT_NOT_FOUND, f"Contract could not be found with id {command.contract_id}")
                template = ledger.template(contract.template_id)
                if command.package_id is not None and ledger.command_template(command).id != template.id:
                    raise CantonError(
                        ledger.WRONGLY_TYPED_CONTRACT,
                        f"Contract {contract.contract_id} was expected to be of type {command.template_id} but is of type {template.id}",
                    )
                choice = template.choices.get(command.choice)
                if choice is None:
                    raise CantonError(errors.INVALID_ARGUMENT, f"Template {template.id} has no choice {command.choice}; choices: {', '.join(template.choices)}")
                controllers = choice.controllers(contract.arguments, command.argument)
                missing = [p for p in controllers if p not in authorizers]
                if missing:
                    raise CantonError(
                        errors.INVALID_ARGUMENT,
                        f"DAML_AUTHORIZATION_ERROR: exercising {command.choice} requires authorizers {', '.join(missing)}, but only {', '.join(act_as)} were given",
                    )
                nodes.append(
                    {
                        "kind": "exercise",
                        "contract_id": contract.contract_id,
                        "template_id": contract.template_id,
                        "choice": command.choice,
                        "argument": command.argument,
                        "actors": controllers,
                        "consuming": choice.consuming,
                        "stakeholders": list(contract.stakeholders),
                        "signatories": list(contract.signatories),
                    }
                )
                for template_id, arguments in choice.effect(contract.arguments, command.argument):
                    created = ledger.new_contract(template_id, arguments, seed, index)
                    index += 1
                    nodes.append({"kind": "create", "contract": ledger.contract_to_dict(created)})
            else:
                raise CantonError(errors.INVALID_ARGUMENT, f"Not a ledger command: {command!r}")
        return nodes

