"""A synchronizer whose sequencers run in another process, reached through their public API (gRPC).

A participant uses a synchronizer through what :class:`SynchronizerLink` lists; the in-process
:class:`~canton_console.runtime.synchronizer.Synchronizer` and :class:`RemoteSynchronizer` both
provide it. The remote one keeps locally what the participant reads on its runtime thread: a copy
of the synchronizer's topology (the whole of it when a subscription opens, then what the sequencer
stores, ahead of the events), the synchronizer's time as far as the member has seen it, its static
parameters and the member's traffic receipts. Submissions, acknowledgements and onboarding go over
gRPC without waiting; the subscription is read on a thread of its own and every event is handed to
the runtime thread. When the stream breaks (the sequencer process died, the network), the member is
cut off (``behind``) and the stream is opened again, with backoff, from the member's cursor: after a
restart of either side the member catches up on what it missed.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol
from urllib.parse import urlparse

import attrs
import grpc
import grpc.experimental

from canton_console.api import failures
from canton_console.api import sequencer_wire as wire
from canton_console.api.proto import sequencer_connect_service_pb2 as cpb
from canton_console.api.proto import sequencer_connect_service_pb2_grpc as cgrpc
from canton_console.api.proto import sequencer_service_pb2 as pb
from canton_console.api.proto import sequencer_service_pb2_grpc as sgrpc
from canton_console.api.serving import PUBLIC_API_MESSAGE_OPTIONS
from canton_console.runtime.synchronizer import Subscription, TopologyAnswers
from canton_console.runtime.topology import TopologyState
from canton_console.store.storage import StorageUnavailable
from canton_console.values import errors, topology
from canton_console.values.errors import CantonError, ErrorCategory, ErrorCode
from canton_console.values.messages import SequencedEvent, SubmissionRequest
from canton_console.values.parameters import DynamicSynchronizerParameters
from canton_console.values.sequencing import target_of
from canton_console.values.traffic import TrafficState

log = logging.getLogger("canton_console.sequencer.client")

# Canton's SynchronizerRegistryError.ConnectionErrors (SynchronizerRegistry.scala)
SYNCHRONIZER_IS_NOT_AVAILABLE = ErrorCode("SYNCHRONIZER_IS_NOT_AVAILABLE", ErrorCategory.TransientServerFailure)
FAILED_TO_CONNECT_TO_SEQUENCERS = ErrorCode("FAILED_TO_CONNECT_TO_SEQUENCERS", ErrorCategory.InvalidGivenCurrentSystemStateOther)

# Reopening a broken subscription: first after this long, doubling up to the maximum.
RETRY_FIRST_SECONDS = 0.05
RETRY_MAX_SECONDS = 1.0
# How often the member's acknowledgement is sent while events come.
ACKNOWLEDGE_EVERY_SECONDS = 1.0
# A submission's call may take this long before it counts as lost (the member then times it out).
SEND_TIMEOUT_SECONDS = 30.0
# How often answers to submissions are checked for being overdue (SEND_TIMEOUT_SECONDS).
SEND_WATCH_SECONDS = 1.0
# Threads making a synchronizer's unary calls (acknowledgements, onboarding): calls in flight at once
SENDER_THREADS = 8


class SynchronizerLink(Protocol):
    """What a participant uses of a synchronizer (in-process or remote), on its runtime thread."""

    id: str
    name: str
    static_parameters: dict[str, Any]
    topology: TopologyState
    subscribers: dict[str, Subscription]
    last_timestamp: int

    def parameters(self, at: int | None = None) -> DynamicSynchronizerParameters: ...
    def now(self) -> int: ...
    def submit(self, request: SubmissionRequest) -> None: ...
    def subscribe(self, subscription: Subscription) -> None: ...
    def unsubscribe(self, member: str, subscription: Subscription | None = None) -> None: ...
    def reachable_sequencer(self, subscription: Subscription) -> Any: ...
    def running_sequencers(self) -> list[Any]: ...


# A subscription's stream is read on the calling thread (no extra polling thread per stream): one
# thread hop less for every event.
CHANNEL_OPTIONS = [
    (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1),
    *PUBLIC_API_MESSAGE_OPTIONS,
]


def open_channel(url: str) -> grpc.Channel:
    """A channel to a sequencer's public API; ``https://``: over TLS, trusting the system's CAs (or
    those of the file that gRPC's ``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`` names)."""
    if urlparse(url).scheme == "https":
        return grpc.secure_channel(target_of(url), grpc.ssl_channel_credentials(), options=CHANNEL_OPTIONS)
    return grpc.insecure_channel(target_of(url), options=CHANNEL_OPTIONS)


@attrs.frozen
class SequencerInfo:
    """What a sequencer answered at the handshake."""

    url: str
    synchronizer_id: str
    synchronizer_name: str
    sequencer_member: str
    static_parameters: dict[str, Any]
    topology: tuple[topology.StoredTransaction, ...]


def handshake(urls: list[str], alias: str, timeout: float, threshold: int = 1) -> SequencerInfo:
    """(not the runtime thread) Ask the sequencers at ``urls`` which synchronizer they serve, its
    static parameters and topology: Canton's sequencer info loader. Canton's errors when fewer than
    ``threshold`` (the sequencer trust threshold) answer, or when they serve different synchronizers."""
    found: list[SequencerInfo] = []
    failed: list[str] = []
    deadline = time.monotonic() + timeout
    for url in urls:
        channel = open_channel(url)
        try:
            remaining = max(0.1, deadline - time.monotonic())
            connect = cgrpc.SequencerConnectServiceStub(channel)
            shake = connect.Handshake(cpb.SequencerConnect.HandshakeRequest(), timeout=remaining)
            if shake.WhichOneof("value") == "failure":
                raise CantonError(errors.SYNC_SERVICE_BAD_CONNECTIVITY, f"The handshake with the sequencer at {url} failed: {shake.failure.reason}")
            ids = connect.GetSynchronizerId(cpb.SequencerConnect.GetSynchronizerIdRequest(), timeout=remaining)
            params = connect.GetSynchronizerParameters(cpb.SequencerConnect.GetSynchronizerParametersRequest(), timeout=remaining)
            stored: list[topology.StoredTransaction] = []
            for response in sgrpc.SequencerServiceStub(channel).DownloadTopologyStateForInit(pb.DownloadTopologyStateForInitRequest(), timeout=remaining):
                stored.extend(wire.stored_from_proto(t) for t in response.topology_transactions)
            found.append(
                SequencerInfo(
                    url, ids.synchronizer_id, ids.synchronizer_name, ids.sequencer_member, wire.static_parameters_from_bytes(params.static_synchronizer_parameters), tuple(stored)
                )
            )
        except grpc.RpcError as e:
            error = failures.canton_error_of(e)
            if error is not None:
                failed.append(f"{url}: {error.render()}")
            else:
                failed.append(f"{url}: {failures.status_text(e)}")
        finally:
            channel.close()
    if len(found) < max(1, threshold):
        # Canton's cause names the alias as it prints one; why each sequencer failed is the error's context (logged)
        reason = "; ".join(failed)
        if threshold > 1:
            log.warning("Insufficient valid sequencer connections %s to reach threshold %s", len(found), threshold)
        log.warning("Cannot connect to synchronizer %s: %s", alias, reason)
        if len(failed) > 1:
            # several connections failed: Canton's sequencer info loader reports them together
            raise CantonError(FAILED_TO_CONNECT_TO_SEQUENCERS, "The participant failed to connect to the sequencers", reason=reason)
        raise CantonError(SYNCHRONIZER_IS_NOT_AVAILABLE, f"Cannot connect to synchronizer Synchronizer '{alias}'", reason=reason)
    served = {i.synchronizer_id for i in found}
    if len(served) > 1:
        raise CantonError(
            FAILED_TO_CONNECT_TO_SEQUENCERS,
            "The participant failed to connect to the sequencers: they serve different synchronizers " + ", ".join(sorted(served)),
        )
    return found[0]


class RemoteSequencer:
    """A sequencer of another process as the participant's connection code sees one: named by its URL."""

    def __init__(self, url: str, member_id: str, synchronizer: "RemoteSynchronizer"):
        self.name = url
        self.member_id = member_id
        self.synchronizer = synchronizer
        self.killed = False

    @property
    def running(self) -> bool:
        return self.synchronizer.reachable


def attach(env: Any, synchronizer_id: str, urls: list[str], info: SequencerInfo | None = None) -> Any:
    """(runtime thread) The synchronizer ``synchronizer_id`` of ``env``: an in-process one, or a remote
    one reached through ``urls`` (made and registered when new; a handshake's ``info`` fills it)."""
    sync = env.synchronizers.get(synchronizer_id)
    if sync is None:
        sync = RemoteSynchronizer(env, synchronizer_id, urls)
        # A remote synchronizer provides what a participant uses of one (SynchronizerLink), not the
        # sequencers' side of it: only participants read it from the environment.
        env.synchronizers[synchronizer_id] = sync
    if isinstance(sync, RemoteSynchronizer):
        sync.urls = list(dict.fromkeys([*urls, *sync.urls]))
        if info is not None:
            sync.learn(info)
    return sync


class RemoteTraffic:
    """The member's own traffic view: the receipts that came with its events."""

    def __init__(self) -> None:
        self.receipts: dict[str, tuple[int, TrafficState]] = {}

    def state_at(self, member: str, at: int, extrapolate: bool = True) -> TrafficState:
        found = self.receipts.get(member)
        return found[1] if found is not None else TrafficState.empty()

    def member_view(self, member: str, receipt: TrafficState | None, seen_up_to: int) -> TrafficState:
        return receipt if receipt is not None else TrafficState.empty()


class _TooFewSequencers(Exception):
    """Fewer of a connection's sequencers are reachable than its trust threshold."""


class _Stream:
    """One subscription read from the sequencers: its thread, its open call."""

    def __init__(self, subscription: Subscription):
        self.subscription = subscription
        self.stop = threading.Event()
        self.call: Any = None
        self.live = False
        self.reported = False  # its last break was logged
        self.last_ack_sent = -(2**62)
        self.last_ack_time = 0.0


class _SendStream:
    """Submissions to one sequencer on one open SendAsyncStream call: written in order and answered
    in that order (takings together, a refusal at once). When the call breaks, every submission not
    answered yet fails with its error, and the stream is not used again (the next one opens another)."""

    def __init__(self, stub: sgrpc.SequencerServiceStub, url: str):
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        # what waits for an answer, oldest first: (sent at, monotonic; callback)
        self._waiting: collections.deque[tuple[float, Callable[[BaseException | None], None]]] = collections.deque()
        self.broken = False
        self._call = stub.SendAsyncStream(iter(self._requests.get, None))
        threading.Thread(target=self._read, name=f"sequencer-send-{target_of(url)}", daemon=True).start()

    def send(self, request: pb.SendAsyncRequest, answered: Callable[[BaseException | None], None]) -> bool:
        """Write ``request``; ``answered`` gets None when the sequencer took it, else the failure.
        False (nothing written) when the stream broke already."""
        with self._lock:
            if self.broken:
                return False
            self._waiting.append((time.monotonic(), answered))
            self._requests.put(request)
        return True

    def _read(self) -> None:
        error: BaseException
        try:
            for response in self._call:
                with self._lock:
                    took = [self._waiting.popleft()[1] for _ in range(response.taken)]
                    refused = self._waiting.popleft()[1] if response.failure else None
                for answered in took:
                    answered(None)
                if refused is not None:
                    refused(failures.decoded(response.failure) or RuntimeError("unreadable refusal"))
            error = _SendFailure(grpc.StatusCode.UNAVAILABLE, "the sequencer ended the send stream")
        except grpc.RpcError as e:
            error = e
        except Exception as e:  # noqa: BLE001 - an answer that came without a submission waiting for it
            log.exception("send stream failed")
            error = e
        self._fail(error)

    def _fail(self, error: BaseException) -> None:
        with self._lock:
            self.broken = True
            waiting = list(self._waiting)
            self._waiting.clear()
        self._requests.put(None)
        self._call.cancel()
        for _sent_at, answered in waiting:
            answered(error)

    def fail_if_overdue(self, sent_before: float) -> None:
        """Break the stream when its oldest unanswered submission was sent before ``sent_before``."""
        with self._lock:
            overdue = bool(self._waiting) and self._waiting[0][0] < sent_before and not self.broken
        if overdue:
            self._fail(_SendFailure(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"))

    def close(self) -> None:
        self._requests.put(None)
        self._call.cancel()


class _SendFailure(grpc.RpcError):
    """A send stream's end as a failed call reports it (no answer in time, the sequencer closed it)."""

    def __init__(self, code: grpc.StatusCode, details: str):
        super().__init__(details)
        self._code = code
        self._details = details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class RemoteSynchronizer(TopologyAnswers):
    """A synchronizer reached through its sequencers' public API (see the module's docstring)."""

    def __init__(self, env: Any, synchronizer_id: str, urls: list[str]):
        self.env = env
        self.id = synchronizer_id
        self.name = synchronizer_id.split("::", 1)[0]
        self.urls = list(urls)
        self.static_parameters: dict[str, Any] = {}
        self.topology = TopologyState(synchronizer_id)
        self.synced = False  # the topology copy holds the synchronizer's (a handshake or a subscription brought it)
        self.subscribers: dict[str, Subscription] = {}
        self.sequencer_nodes: dict[str, Any] = {}
        self.last_timestamp = 0
        self.traffic = RemoteTraffic()
        self.reachable = False
        self.sequencer_member = ""
        # submissions sent and not yet answered (the in-process synchronizer's queue)
        self._sending: list[SubmissionRequest] = []
        # submissions the sequencer took, noted by the sender threads (the runtime thread is not woken
        # for them: ``_pending`` drops them when read)
        self._taken: collections.deque[SubmissionRequest] = collections.deque()
        self._flush_posted = False
        self._parameters_cache: dict[int, tuple[dict, DynamicSynchronizerParameters]] = {}
        self._streams: dict[str, _Stream] = {}
        # member -> what to do when the sequencer refuses one of its submissions (runtime thread)
        self.refusal_handlers: dict[str, Callable[[SubmissionRequest, CantonError], None]] = {}
        self._channels: dict[str, grpc.Channel] = {}
        self._channels_lock = threading.Lock()
        self._ready: dict[str, bool] = {}  # url -> its channel is connected
        self._stubs: dict[str, sgrpc.SequencerServiceStub] = {}
        self._senders: ThreadPoolExecutor | None = None
        self._send_streams: dict[str, _SendStream] = {}  # url -> the open call submissions go on
        self._send_watch: threading.Thread | None = None
        self._preferred = 0  # index in urls of the sequencer that answered last
        self.closed = False

    # ---- what the participant reads (runtime thread): TopologyAnswers over the local copy ------

    def handle(self) -> RemoteSequencer:
        url = self.urls[self._preferred % len(self.urls)] if self.urls else ""
        return RemoteSequencer(url, self.sequencer_member, self)

    def running_sequencers(self) -> list[RemoteSequencer]:
        return [self.handle()] if self.reachable else []

    def available_sequencers(self) -> list[RemoteSequencer]:
        return self.running_sequencers()

    def reachable_sequencer(self, subscription: Subscription) -> RemoteSequencer | None:
        stream = self._streams.get(subscription.member)
        if stream is None or stream.subscription is not subscription or not stream.live or not self.enough_sequencers(subscription):
            return None
        return self.handle()

    def learn(self, info: SequencerInfo) -> None:
        """(runtime thread) What a handshake brought: parameters, the sequencer and the topology."""
        self.static_parameters = dict(info.static_parameters)
        self.sequencer_member = info.sequencer_member
        self.name = info.synchronizer_name or self.name
        self.reachable = True
        if info.url in self.urls:
            self._preferred = self.urls.index(info.url)
        self._reset_topology(list(info.topology))

    def _reset_topology(self, stored: list[topology.StoredTransaction]) -> None:
        fresh = TopologyState(self.id)
        for s in stored:
            fresh.restore(s)
        fresh.drop_superseded_proposals()
        self.topology = fresh
        self._parameters_cache.clear()
        self.synced = True
        if stored:
            self.last_timestamp = max(self.last_timestamp, max(s.sequenced for s in stored))

    def _apply_topology(self, stored: topology.StoredTransaction) -> None:
        """Add a transaction the sequencer stored after the ones the copy holds, as its topology
        state did when it added it (the copy never judges authorization: the sequencer did)."""
        topo = self.topology
        tx = stored.signed.transaction
        pkey = (tx.mapping.code, tx.mapping.key, tx.serial, tx.hash)
        if stored.is_proposal:
            topo.proposals[pkey] = stored
            topo.log.append(stored)
            return
        topo.append_effective(stored)

    # ---- channels ----------------------------------------------------------------------------
    def _channel(self, url: str) -> grpc.Channel:
        with self._channels_lock:
            channel = self._channels.get(url)
            if channel is None:
                channel = self._channels[url] = open_channel(url)
                if len(self.urls) > 1:
                    # which sequencers are reachable (for the trust threshold): gRPC keeps connecting
                    # the channel and says when its state changes
                    channel.subscribe(lambda state, url=url: self._ready.__setitem__(url, state == grpc.ChannelConnectivity.READY), try_to_connect=True)
            return channel

    def _probe(self) -> None:
        """(not the runtime thread) Ask the sequencers not known to be reachable whether they are: a
        disconnected channel connects again only for a call."""
        for url in list(self.urls):
            if self._ready.get(url):
                continue
            try:
                cgrpc.SequencerConnectServiceStub(self._channel(url)).VerifyActive(cpb.SequencerConnect.VerifyActiveRequest(), timeout=0.5)
            except grpc.RpcError:
                continue
            self._ready[url] = True  # it answered (the channel's own notice may come a moment later)

    def enough_sequencers(self, subscription: Subscription) -> bool:
        """Whether as many of the connection's sequencers as its trust threshold can be reached (with
        threshold 1: the one the subscription reads from is)."""
        if subscription.threshold <= 1:
            return True
        for url in self.urls:
            self._channel(url)
        return sum(1 for url in self.urls if self._ready.get(url)) >= subscription.threshold

    def _service(self) -> sgrpc.SequencerServiceStub:
        return self._stub(self.urls[self._preferred % len(self.urls)])

    def close(self) -> None:
        """Stop reading and close the connections (the environment closes)."""
        self.closed = True
        for stream in list(self._streams.values()):
            self._stop_stream(stream)
        self._streams.clear()
        with self._channels_lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()
            senders, self._senders = self._senders, None
            send_streams = list(self._send_streams.values())
            self._send_streams.clear()
        for sender in send_streams:
            sender.close()
        self._stubs.clear()
        if senders is not None:
            senders.shutdown(wait=False, cancel_futures=True)

    # ---- submissions (runtime thread; nothing waits for the network) -------------------------
    def submit(self, request: SubmissionRequest) -> None:
        if not self.reachable or not self.urls:
            raise CantonError(errors.SYNC_SERVICE_BAD_CONNECTIVITY, f"No sequencer of synchronizer {self.id} is reachable; the submission cannot be sequenced.")
        self._sending.append(request)
        try:
            self._send(request, self._preferred % len(self.urls), 1)
        except Exception:
            self._sending.remove(request)
            raise

    @property
    def _pending(self) -> list[SubmissionRequest]:
        """(runtime thread) Submissions sent and not yet answered (the in-process synchronizer's queue)."""
        if self._taken:
            taken = set()
            while self._taken:
                taken.add(id(self._taken.popleft()))
            self._sending = [r for r in self._sending if id(r) not in taken]
        return self._sending

    def _send(self, request: SubmissionRequest, index: int, attempt: int) -> None:
        url = self.urls[index % len(self.urls)]
        message = pb.SendAsyncRequest(submission_request=wire.submission_to_proto(request))

        def answered(error: BaseException | None) -> None:
            """(a thread of the send stream) The sequencer took the submission, or it failed."""
            if error is None:
                self._taken.append(request)
            else:
                self._post(self._sent, request, error, index, attempt)

        while True:
            stub = self._stub(url)
            with self._channels_lock:
                stream = self._send_streams.get(url)
                if stream is None or stream.broken:
                    stream = self._send_streams[url] = _SendStream(stub, url)
                    self._watch_sends()
            if stream.send(message, answered):
                return
            # it broke between the lookup and the send: the next lookup opens a new one

    def _watch_sends(self) -> None:
        """(under the channels lock) Start the thread that fails a send stream whose oldest answer
        is overdue (a sequencer that stopped answering without closing the connection)."""
        if self._send_watch is None:
            self._send_watch = threading.Thread(target=self._watch_send_streams, name=f"sequencer-send-watch-{self.name[:16]}", daemon=True)
            self._send_watch.start()

    def _watch_send_streams(self) -> None:
        while not self.closed:
            time.sleep(SEND_WATCH_SECONDS)
            with self._channels_lock:
                streams = list(self._send_streams.values())
            for stream in streams:
                stream.fail_if_overdue(time.monotonic() - SEND_TIMEOUT_SECONDS)

    def _call(self, method: Any, request: Any) -> Future:
        """Make a unary call without waiting for it: on one of the synchronizer's sender threads, which
        stay (a gRPC future would start a thread to poll the channel whenever none of its calls is
        open: every submission of a quiet member)."""
        with self._channels_lock:
            if self._senders is None:
                self._senders = ThreadPoolExecutor(max_workers=SENDER_THREADS, thread_name_prefix=f"sequencer-send-{self.name[:16]}")
            senders = self._senders
        return senders.submit(method, request, timeout=SEND_TIMEOUT_SECONDS)

    def _stub(self, url: str) -> sgrpc.SequencerServiceStub:
        stub = self._stubs.get(url)
        if stub is None:
            stub = self._stubs[url] = sgrpc.SequencerServiceStub(self._channel(url))
        return stub

    def _sent(self, request: SubmissionRequest, error: BaseException | None, index: int = 0, attempt: int = 1) -> None:
        """(runtime thread) A submission was answered: the sequencer took it, or refused it (a Canton
        error), or the call broke (a gRPC error). One that could not be reached (UNAVAILABLE: the
        request did not get through) goes to the next sequencer of the connection, as Canton's
        sequencer client sends through another connection. One seen sequenced meanwhile (no longer
        pending) is done."""
        pending = any(r is request for r in self._sending)
        if error is not None and not pending:
            log.debug("synchronizer %s: submission %s was sequenced before its call broke: not sent again", self.id, request.message_id)
            return
        if (
            isinstance(error, grpc.RpcError)
            and error.code() == grpc.StatusCode.UNAVAILABLE
            and failures.canton_error_of(error) is None
            and attempt < len(self.urls)
            and not self.closed
        ):
            log.info("synchronizer %s: sequencer at %s unreachable, submission %s goes to the next one", self.id, self.urls[index % len(self.urls)], request.message_id)
            self._send(request, index + 1, attempt + 1)
            return
        if pending:
            self._sending = [r for r in self._sending if r is not request]
        if error is None:
            return
        refused = failures.canton_error_of(error) if isinstance(error, grpc.RpcError) else error if isinstance(error, CantonError) else None
        text = refused.render() if refused is not None else (failures.status_text(error) if isinstance(error, grpc.RpcError) else str(error))
        log.warning("synchronizer %s: the sequencer did not take submission %s of %s: %s", self.id, request.message_id, request.sender, text)
        handler = self.refusal_handlers.get(request.sender)
        if handler is not None:
            # what the in-process synchronizer's submit raises, only later: the sender fails what waits on it
            handler(request, refused if refused is not None else CantonError(errors.SYNC_SERVICE_BAD_CONNECTIVITY, f"The sequencer did not take the submission: {text}"))

    def register_onboarding(self, transactions: list[topology.SignedTopologyTransaction]) -> None:
        """(runtime thread) Hand a new member's onboarding transactions to the sequencer, which
        submits them for it (a member unknown to the synchronizer cannot send)."""
        if not self.urls:
            return
        url = self.urls[self._preferred % len(self.urls)]
        stub = cgrpc.SequencerConnectServiceStub(self._channel(url))
        request = cpb.SequencerConnect.RegisterOnboardingTopologyTransactionsRequest(topology_transactions=[wire.signed_to_bytes(t) for t in transactions])
        call = self._call(stub.RegisterOnboardingTopologyTransactions, request)

        def done(f: Any) -> None:
            if f.exception() is not None:
                log.warning("synchronizer %s: onboarding transactions not taken: %s", self.id, f.exception())

        call.add_done_callback(done)

    def _acknowledge(self, stream: _Stream, force: bool = False) -> None:
        """(runtime thread) Send the member's acknowledgement when it moved (at most once a second)."""
        now = time.monotonic()
        if not force and now - stream.last_ack_time < ACKNOWLEDGE_EVERY_SECONDS:
            return
        stream.last_ack_time = now
        try:
            ts = stream.subscription.acknowledged()
        except Exception:  # noqa: BLE001 - the member's store is down: acknowledged later
            return
        if ts <= stream.last_ack_sent or not self.urls:
            return
        stream.last_ack_sent = ts
        request = pb.AcknowledgeSignedRequest(acknowledge_request=pb.AcknowledgeRequest(member=stream.subscription.member, timestamp=ts))
        self._call(self._service().AcknowledgeSigned, request)

    # ---- subscriptions -------------------------------------------------------------------------
    def subscribe(self, subscription: Subscription) -> None:
        """(runtime thread) Read the member's events from its cursor on, on a thread of its own."""
        old = self._streams.pop(subscription.member, None)
        if old is not None:
            self._stop_stream(old)
        self.subscribers[subscription.member] = subscription
        subscription.behind = True  # until the stream is open
        stream = _Stream(subscription)
        self._streams[subscription.member] = stream
        threading.Thread(target=self._read, args=(stream,), name=f"sequencer-stream-{subscription.member[:24]}", daemon=True).start()

    def unsubscribe(self, member: str, subscription: Subscription | None = None) -> None:
        current = self.subscribers.get(member)
        if current is None or (subscription is not None and current is not subscription):
            return
        self.subscribers.pop(member, None)
        stream = self._streams.pop(member, None)
        if stream is not None:
            if stream.live and not current.behind:
                self._acknowledge(stream, force=True)
            self._stop_stream(stream)

    @staticmethod
    def _stop_stream(stream: _Stream) -> None:
        stream.stop.set()
        stream.live = False
        call = stream.call
        if call is not None:
            call.cancel()

    def _post(self, fn: Any, *args: Any) -> None:
        if not self.closed and not self.env.closed:
            self.env.scheduler.post(fn, *args)

    def _read(self, stream: _Stream) -> None:
        """(the stream's thread) Open the subscription, hand each response to the runtime thread,
        open it again when it breaks."""
        delay = RETRY_FIRST_SECONDS
        attempt = 0
        while not stream.stop.is_set() and not self.closed:
            index = (self._preferred + attempt) % len(self.urls)
            url = self.urls[index]
            try:
                if not self.env.scheduler.call(self.enough_sequencers, stream.subscription):
                    self._probe()
                    if not self.env.scheduler.call(self.enough_sequencers, stream.subscription):
                        raise _TooFewSequencers()
                cursor = self.env.scheduler.call(stream.subscription.cursor)
                request = pb.SubscriptionRequestV2(member=stream.subscription.member, timestamp=cursor + 1)
                call = sgrpc.SequencerServiceStub(self._channel(url)).SubscribeV2(request)
                stream.call = call
                if stream.stop.is_set():
                    call.cancel()
                    break
                for response in call:
                    events = [wire.event_from_proto(response.signed_sequenced_event)] if response.HasField("signed_sequenced_event") else []
                    events += [wire.event_from_proto(e) for e in response.following_sequenced_events]
                    transactions = [wire.stored_from_proto(t) for t in response.topology_transactions]
                    self._post(self._on_response, stream, index, response.topology_reset, transactions, events)
                    delay = RETRY_FIRST_SECONDS
                    stream.reported = False
            except _TooFewSequencers:
                if not stream.reported:
                    log.info("subscription of %s to %s waits for %s of its sequencers to be reachable", stream.subscription.member, self.id, stream.subscription.threshold)
                    stream.reported = True
            except grpc.RpcError as e:
                if stream.stop.is_set():
                    break
                refused = failures.canton_error_of(e)
                # said once per outage; the retries that follow are only debug
                (log.debug if stream.reported else log.info)(
                    "subscription of %s to %s at %s broke: %s", stream.subscription.member, self.id, url, refused.render() if refused else failures.status_text(e)
                )
                stream.reported = True
            except Exception:  # noqa: BLE001 - the runtime is shutting down, or a response could not be read
                if stream.stop.is_set() or self.closed or self.env.closed:
                    break
                log.exception("subscription of %s to %s at %s failed", stream.subscription.member, self.id, url)
            self._post(self._on_stream_lost, stream)
            attempt += 1
            stream.stop.wait(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)

    def _on_response(
        self,
        stream: _Stream,
        index: int,
        reset: bool,
        transactions: list[topology.StoredTransaction],
        events: list[tuple[SequencedEvent, TrafficState | None]],
    ) -> None:
        """(runtime thread) Topology first, then the events (with their traffic receipts) to the member."""
        subscription = stream.subscription
        if stream.stop.is_set() or self.subscribers.get(subscription.member) is not subscription:
            return
        if not self.enough_sequencers(subscription):
            # fewer sequencers than the trust threshold: nothing more is delivered; the stream opens
            # again from the member's cursor once enough of them are back
            call = stream.call
            if call is not None:
                call.cancel()
            return
        if reset:
            self._reset_topology(transactions)
        else:
            for stored in transactions:
                self._apply_topology(stored)
        if not stream.live:
            stream.live = True
            self.reachable = True
            self._preferred = index
            subscription.behind = False
            subscription.refused = None
        if not events:
            return
        self.last_timestamp = max(self.last_timestamp, events[-1][0].timestamp)
        member = subscription.member
        own: set[str] = set()
        for event, receipt in events:
            if receipt is not None:
                self.traffic.receipts[member] = (event.timestamp, receipt)
            if event.sender == member:
                own.add(event.message_id)
        if own and self._sending:
            # Sequenced, so taken: no longer pending, whenever the sequencer's answer comes; and if
            # the call breaks before it does, not sent again (Canton's client peeks at a send's
            # result before it sends it to another sequencer)
            self._sending = [r for r in self._sending if r.sender != member or r.message_id not in own]
        try:
            subscription.deliver([event for event, _receipt in events])
        except StorageUnavailable as e:  # the member's database went away: it halted and catches up later
            log.info("delivery to %s stopped by a database outage: %s", subscription.member, e)
        except Exception:  # noqa: BLE001 - as the in-process synchronizer: a member's failure is its own
            log.exception("delivery to %s failed", subscription.member)
        self._acknowledge(stream)

    def _on_stream_lost(self, stream: _Stream) -> None:
        """(runtime thread) The member is cut off until the stream is open again."""
        if stream.stop.is_set():
            return
        stream.live = False
        stream.call = None
        if self.subscribers.get(stream.subscription.member) is stream.subscription:
            stream.subscription.behind = True
        if not any(s.live for s in self._streams.values()):
            self.reachable = False
