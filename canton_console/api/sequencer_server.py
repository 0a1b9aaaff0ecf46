"""A sequencer node's public API served over gRPC (``public-api { address, port }``): members in other
processes submit, subscribe, acknowledge and read their traffic through it.

Every call hands its work to the runtime thread (``env.call``) and waits there on a gRPC worker
thread; a subscription's events reach its stream through a queue that the runtime thread fills
(delivery never waits for the network).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc

from canton_console.api import failures
from canton_console.api import sequencer_wire as wire
from canton_console.api.proto import sequencer_connect_service_pb2 as cpb
from canton_console.api.proto import sequencer_connect_service_pb2_grpc as cgrpc
from canton_console.api.proto import sequencer_service_pb2 as pb
from canton_console.api.proto import sequencer_service_pb2_grpc as sgrpc
from canton_console.api.serving import PUBLIC_API_MESSAGE_OPTIONS, SERVER_OPTIONS, bind_port
from canton_console.api.tls import ServerTls, server_tls_of
from canton_console.runtime.synchronizer import Subscription
from canton_console.runtime.topology import topology_broadcast
from canton_console.values import errors
from canton_console.values.errors import CantonError
from canton_console.values.static_parameters import StaticSynchronizerParameters

log = logging.getLogger("canton_console.sequencer.api")

# How long a SendAsyncStream's answer that the sequencer took a request may wait for more of them.
# Nothing waits for it: a member learns its submission was sequenced from its own event, and takes
# that as the answer; a message costs far more than its bytes.
TAKEN_ANSWER_SECONDS = 0.1
TAKEN = object()  # a SendAsyncStream's count of takings started

# How long a subscription's lone receipt may wait to go with the member's next event; and how many
# events one response carries at most.
RECEIPT_HOLD_SECONDS = 0.01
MAX_EVENTS_PER_RESPONSE = 64
# Events join a response while their payloads are below this: far from gRPC's 4 MB message limit.
MAX_BYTES_PER_RESPONSE = 1 << 20

# How often an idle subscription stream checks that it is still the member's subscription and the
# node still runs (a newer subscription of the same member replaces it).
STREAM_CHECK_SECONDS = 1.0


def _brings_topology(item: tuple) -> bool:
    reset, transactions, _event, _receipt = item
    return reset or bool(transactions)


def _payload_size(item: tuple) -> int:
    event = item[2]
    return sum(len(e.payload) for e in event.envelopes) if event is not None else 0


def _is_receipt(item: tuple, member: str) -> bool:
    """An outbox item that only tells ``member`` its own submission was sequenced."""
    _reset, transactions, event, _receipt = item
    return not transactions and event is not None and event.sender == member and not event.envelopes and event.error is None


def _subscription_response(items: list) -> pb.SubscriptionResponse:
    """One response for outbox items of which only the first brings topology."""
    reset, transactions, event, receipt = items[0]
    response = pb.SubscriptionResponse(topology_reset=reset, topology_transactions=[wire.stored_to_proto(s) for s in transactions])
    if event is not None:
        response.signed_sequenced_event.CopyFrom(wire.event_to_proto(event, receipt))
    for _reset, _transactions, event, receipt in items[1:]:
        response.following_sequenced_events.append(wire.event_to_proto(event, receipt))
    return response


class _Sequencer:
    """What the services share: the node and its synchronizer, read on the runtime thread."""

    def __init__(self, env: Any, node: Any):
        self.env = env
        self.node = node
        # member -> its latest acknowledgement (the timestamp it processed every event up to for good)
        self.acknowledged: dict[str, int] = {}

    def sync(self) -> Any:
        """(runtime thread) The synchronizer the node serves; Canton's errors when it serves none."""
        node = self.node
        if not node.running or node.killed:
            raise CantonError(errors.NODE_NOT_STARTED, f"Sequencer '{node.name}' has not been started")
        if node.synchronizer is None:
            raise CantonError(errors.NODE_NOT_STARTED, f"Sequencer '{node.name}' is not initialized: its synchronizer has not been bootstrapped")
        return node.synchronizer

    def submit(self, submission: Any) -> None:
        """(runtime thread) Hand a member's submission to the synchronizer; Canton's refusals raise."""
        sync = self.sync()
        if submission.sender.startswith("SEQ::"):
            # only the sequencers themselves send as sequencers, never a client of the public API
            raise CantonError(errors.SEQUENCER_SUBMISSION_REQUEST_REFUSED, f"Member {submission.sender} cannot send through the public API")
        sync.submit(submission)

    def run(self, context: grpc.ServicerContext, fn, *args) -> Any:
        """Run ``fn`` on the runtime thread; a Canton error ends the call with its status."""
        try:
            return self.env.call(fn, *args)
        except CantonError as e:
            failures.abort_with(context, e)
        except Exception as e:  # noqa: BLE001 - a failure of the node is the client's INTERNAL error, not a server crash
            log.exception("sequencer %s: request failed", self.node.name)
            context.abort(grpc.StatusCode.INTERNAL, str(e))


class SequencerService(sgrpc.SequencerServiceServicer):
    def __init__(self, shared: _Sequencer):
        self.shared = shared

    def SendAsync(self, request: pb.SendAsyncRequest, context: grpc.ServicerContext) -> pb.SendAsyncResponse:
        submission = wire.submission_from_proto(request.submission_request)
        self.shared.run(context, self.shared.submit, submission)
        return pb.SendAsyncResponse()

    def SendAsyncStream(self, request_iterator: Iterator[pb.SendAsyncRequest], context: grpc.ServicerContext) -> Iterator[pb.SendAsyncStreamResponse]:
        shared = self.shared
        # Takings are counted on the runtime thread and answered together within TAKEN_ANSWER_SECONDS:
        # nothing waits for them (the member goes on when its events come), and a message costs far
        # more than its bytes. ``answers`` wakes this thread: TAKEN when a count starts, a refusal as
        # (the takings before it, its encoded failure), None to end the call.
        answers: queue.SimpleQueue = queue.SimpleQueue()
        lock = threading.Lock()
        counted = [0]  # takings not answered yet

        def answer(submission: Any) -> None:
            """(runtime thread) Submit, and count the taking or queue the refusal."""
            try:
                shared.submit(submission)
            except Exception as e:  # noqa: BLE001 - a refusal (or a failure of the node) is this request's answer
                if not isinstance(e, CantonError):
                    log.exception("sequencer %s: submission failed", shared.node.name)
                failure = failures.encoded(e)
                with lock:
                    answers.put((counted[0], failure))
                    counted[0] = 0
                return
            with lock:
                counted[0] += 1
                if counted[0] == 1:
                    answers.put(TAKEN)

        def read() -> None:
            """(a thread of the call) Hand each request to the runtime thread; once the client closed
            its side, end the call after the answers queued before."""
            try:
                for request in request_iterator:
                    shared.env.scheduler.post(answer, wire.submission_from_proto(request.submission_request))
            except Exception:  # noqa: BLE001 - the call broke (cancelled, the node stops): nothing more to read
                answers.put(None)
                return
            shared.env.scheduler.post(answers.put, None)

        context.add_callback(lambda: answers.put(None))
        threading.Thread(target=read, name=f"{shared.node.name}-send-stream", daemon=True).start()
        due: float | None = None  # when the counted takings are answered
        while True:
            try:
                item = answers.get() if due is None else answers.get(timeout=max(0.0, due - time.monotonic()))
            except queue.Empty:
                with lock:
                    if not answers.empty():
                        continue  # a refusal came meanwhile: it answers the takings before it first
                    taken, counted[0] = counted[0], 0
                due = None
                if taken:
                    yield pb.SendAsyncStreamResponse(taken=taken)
                continue
            if item is TAKEN:
                if due is None:
                    due = time.monotonic() + TAKEN_ANSWER_SECONDS
                continue
            if item is None:
                with lock:
                    taken, counted[0] = counted[0], 0
                if taken:
                    yield pb.SendAsyncStreamResponse(taken=taken)
                return
            taken, failure = item
            yield pb.SendAsyncStreamResponse(taken=taken, failure=failure)

    def SubscribeV2(self, request: pb.SubscriptionRequestV2, context: grpc.ServicerContext) -> Iterator[pb.SubscriptionResponse]:
        shared = self.shared
        member = request.member
        start = request.timestamp if request.HasField("timestamp") else 0
        # Filled on the runtime thread, drained here: (topology reset, topology transactions, event, receipt); None ends the stream
        outbox: queue.SimpleQueue = queue.SimpleQueue()
        state: dict[str, Any] = {"cursor": start - 1, "log": None, "sent": 0}

        def topology_delta(sync: Any) -> None:
            """(runtime thread) Queue what the stream has not brought of the synchronizer's topology."""
            log_ = sync.topology.log
            if state["log"] is not log_:
                state["log"], state["sent"] = log_, 0
                outbox.put((True, list(log_), None, None))
            elif len(log_) > state["sent"]:
                outbox.put((False, log_[state["sent"] :], None, None))
            state["sent"] = len(log_)

        def deliver(events: list) -> None:
            sync = shared.node.synchronizer
            if sync is None:
                return
            topology_delta(sync)
            for event in events:
                receipt = sync.traffic.state_at(member, event.timestamp, extrapolate=False) if event.sender == member else None
                outbox.put((False, [], event, receipt))
            if events:
                state["cursor"] = events[-1].timestamp

        subscription = Subscription(
            member,
            [shared.node.name],
            deliver,
            lambda: state["cursor"],
            acknowledged=lambda: shared.acknowledged.get(member, -(2**62)),
        )

        def on_topology(_stored: Any) -> None:
            sync = shared.node.synchronizer
            if sync is not None and sync.subscribers.get(member) is subscription:
                topology_delta(sync)

        def open_() -> None:
            sync = shared.sync()
            topology_delta(sync)  # the whole topology first: the member's copy starts from it
            sync.topology.listeners.append(on_topology)
            sync.subscribe(subscription)

        def close() -> None:
            sync = shared.node.synchronizer
            if sync is None:
                return
            if on_topology in sync.topology.listeners:
                sync.topology.listeners.remove(on_topology)
            sync.unsubscribe(member, subscription)

        def still_serving() -> bool:
            sync = shared.node.synchronizer
            return shared.node.running and not shared.node.killed and sync is not None and sync.subscribers.get(member) is subscription

        context.add_callback(lambda: outbox.put(None))
        shared.run(context, open_)
        # A response carries what is queued together: the first item's topology, its event and the
        # events of the items after it that bring no topology. A lone receipt (the member's own
        # submission sequenced, nothing in it for the member) waits up to RECEIPT_HOLD_SECONDS for
        # company: the member does not wait for it, and a message costs far more than its bytes.
        held: list = []  # items taken from the outbox, not sent yet
        due = 0.0
        try:
            while context.is_active():
                try:
                    item = outbox.get(timeout=max(0.0, due - time.monotonic()) if held else STREAM_CHECK_SECONDS)
                except queue.Empty:
                    if held:
                        yield _subscription_response(held)
                        held = []
                    elif not shared.env.call(still_serving):
                        return
                    continue
                if item is None:
                    return
                if held and _brings_topology(item):  # what is held goes first
                    yield _subscription_response(held)
                    held = []
                held.append(item)
                size = sum(_payload_size(i) for i in held)
                while len(held) < MAX_EVENTS_PER_RESPONSE and size < MAX_BYTES_PER_RESPONSE:
                    try:
                        item = outbox.get_nowait()
                    except queue.Empty:
                        break
                    if item is None or _brings_topology(item):
                        yield _subscription_response(held)
                        held, size = [], 0
                        if item is None:
                            return
                    held.append(item)
                    size += _payload_size(item)
                if len(held) == 1 and _is_receipt(held[0], member):
                    due = time.monotonic() + RECEIPT_HOLD_SECONDS
                    continue
                yield _subscription_response(held)
                held = []
        finally:
            try:
                shared.env.call(close)
            except Exception:  # noqa: BLE001 - the node is shutting down: nothing left to unsubscribe from
                pass

    def AcknowledgeSigned(self, request: pb.AcknowledgeSignedRequest, context: grpc.ServicerContext) -> pb.AcknowledgeSignedResponse:
        ack = request.acknowledge_request
        shared = self.shared

        def run() -> None:
            sync = shared.sync()
            if ack.timestamp > shared.acknowledged.get(ack.member, -(2**62)):
                shared.acknowledged[ack.member] = ack.timestamp
            subscription = sync.subscribers.get(ack.member)
            if subscription is not None:
                sync.record_acknowledgements([subscription])

        shared.run(context, run)
        return pb.AcknowledgeSignedResponse()

    def DownloadTopologyStateForInit(
        self, request: pb.DownloadTopologyStateForInitRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.DownloadTopologyStateForInitResponse]:
        transactions = self.shared.run(context, lambda: list(self.shared.sync().topology.log))
        yield pb.DownloadTopologyStateForInitResponse(topology_transactions=[wire.stored_to_proto(s) for s in transactions])

    def GetTrafficStateForMember(self, request: pb.GetTrafficStateForMemberRequest, context: grpc.ServicerContext) -> pb.GetTrafficStateForMemberResponse:
        shared = self.shared

        def run() -> Any:
            sync = shared.sync()
            at = request.timestamp or sync.traffic.approximate_timestamp()
            return sync.traffic.state_at(request.member, at)

        return pb.GetTrafficStateForMemberResponse(traffic_state=wire.traffic_to_proto(shared.run(context, run)))


class SequencerConnectService(cgrpc.SequencerConnectServiceServicer):
    def __init__(self, shared: _Sequencer):
        self.shared = shared

    def Handshake(self, request, context):
        shared = self.shared
        server_version = shared.run(context, lambda: StaticSynchronizerParameters.from_dict(shared.sync().static_parameters).protocolVersion.v)
        response = cpb.SequencerConnect.HandshakeResponse(server_protocol_version=server_version)
        if request.client_protocol_versions and server_version not in request.client_protocol_versions:
            response.failure.reason = f"The protocol version required by the server ({server_version}) is not among the supported protocol versions by the client {sorted(request.client_protocol_versions)}."
        else:
            response.success.SetInParent()
        return response

    def GetSynchronizerId(self, request, context):
        shared = self.shared

        def run() -> tuple[str, str, str, str]:
            sync = shared.sync()
            node = shared.node
            return sync.id, str(node.uid), sync.name, node.member_id

        sync_id, uid, name, member = shared.run(context, run)
        return cpb.SequencerConnect.GetSynchronizerIdResponse(synchronizer_id=sync_id, sequencer_uid=uid, synchronizer_name=name, sequencer_member=member)

    def GetSynchronizerParameters(self, request, context):
        params = self.shared.run(context, lambda: dict(self.shared.sync().static_parameters))
        return cpb.SequencerConnect.GetSynchronizerParametersResponse(static_synchronizer_parameters=wire.static_parameters_to_bytes(params))

    def VerifyActive(self, request, context):
        shared = self.shared
        active = shared.run(context, lambda: shared.node.running and not shared.node.passive and not shared.node.halted)
        response = cpb.SequencerConnect.VerifyActiveResponse()
        response.success.is_active = bool(active)
        return response

    def RegisterOnboardingTopologyTransactions(self, request, context):
        shared = self.shared
        transactions = [wire.signed_from_bytes(t) for t in request.topology_transactions]

        def run() -> None:
            sync = shared.sync()
            if transactions:
                sync.submit(topology_broadcast(shared.node.member_id, transactions))

        shared.run(context, run)
        return cpb.SequencerConnect.RegisterOnboardingTopologyTransactionsResponse()


class SequencerApiServer:
    """One sequencer's public API server; with ``tls`` (``public-api.tls``) only over TLS."""

    def __init__(self, env: Any, node: Any, address: str, port: int, tls: ServerTls | None = None):
        self.node = node
        self.address = address
        self.tls = tls
        shared = _Sequencer(env, node)
        # streams hold a worker each while they are open: room for many members
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix=f"{node.name}-public-api"), options=[*SERVER_OPTIONS, *PUBLIC_API_MESSAGE_OPTIONS])
        sgrpc.add_SequencerServiceServicer_to_server(SequencerService(shared), self._server)
        cgrpc.add_SequencerConnectServiceServicer_to_server(SequencerConnectService(shared), self._server)
        try:
            self.port = bind_port(self._server, address, port, tls)
        except OSError as e:
            raise OSError(f"sequencer {node.name}: {e}") from None
        self._server.start()
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        """Where members reach it: ``https://`` when it serves TLS."""
        return f"{'https' if self.tls is not None else 'http'}://{self.address}:{self.port}"

    def stop(self, grace: float | None = 0.5) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self._server.stop(grace)


def start_sequencer_apis(env: Any) -> list[SequencerApiServer]:
    """Serve the public API of every sequencer of ``env`` on its configured ``public-api``."""
    servers = []
    for node in env.sequencers.values():
        api = node.config.public_api
        servers.append(SequencerApiServer(env, node, api.address, api.port, server_tls_of(api.tls)))
        log.info("sequencer %s serves its public API on %s", node.name, servers[-1].url)
    return servers
