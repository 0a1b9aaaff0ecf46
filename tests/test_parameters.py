"""The synchronizer parameter records: renderings byte for byte as the Canton 3.3 transcript, update
semantics, validation and storage."""

import datetime as dt

import pytest
from founding_outputs import RES1, RES3
from hypothesis import given
from hypothesis import strategies as st

from canton_console.pretty import render
from canton_console.values.errors import (
    INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS,
    TOPOLOGY_VALUE_OUT_OF_BOUNDS,
    CantonError,
)
from canton_console.values.parameters import (
    AcsCommitmentsCatchUpParameters,
    DynamicSynchronizerParameters,
    InvalidDynamicSynchronizerParameters,
    OnboardingRestriction,
    ParticipantSynchronizerLimits,
    TrafficControlParameters,
)
from canton_console.values.refined import (
    InvalidValue,
    NonNegativeFiniteDuration,
    NonNegativeNumeric,
    PositiveDurationSeconds,
    PositiveFiniteDuration,
    PositiveNumeric,
    scala_duration,
)

PREFIX1 = "res1: DynamicSynchronizerParameters = "
PREFIX3 = "res3: DynamicSynchronizerParameters = "


class Some:
    """A stand-in for the console's Option: the record must only duck-type it."""

    def __init__(self, value):
        self.value = value

    @property
    def isDefined(self):
        return True

    def get(self):
        return self.value


class NoneOption:
    isDefined = False

    def get(self):  # pragma: no cover - must not be called
        raise AssertionError("None.get")


def transcript_traffic_params() -> TrafficControlParameters:
    return TrafficControlParameters(
        enforceRateLimiting=True,
        maxBaseTrafficAmount=NonNegativeNumeric.tryCreate(20000, long=True),
        readVsWriteScalingFactor=PositiveNumeric.tryCreate(200),
        maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(10),
        setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofMinutes(5),
        baseEventCost=NonNegativeNumeric.tryCreate(500, long=True),
    )


def echo(prefix: str, value) -> str:
    return prefix + render(value, start_column=len(prefix))


# --- renderings ---------------------------------------------------------------------------------


def test_default_rendering_matches_res1():
    assert echo(PREFIX1, DynamicSynchronizerParameters()) == RES1


def test_traffic_rendering_matches_res3():
    params = DynamicSynchronizerParameters().update(trafficControl=Some(transcript_traffic_params()))
    assert echo(PREFIX3, params) == RES3


def test_topology_change_delay_is_the_fourth_line():
    lines = render(DynamicSynchronizerParameters()).splitlines()
    assert lines[4] == "  topology change delay = 0.25s,"


def test_traffic_control_parameters_rendering():
    assert render(transcript_traffic_params()) == (
        "TrafficControlParameters(\n"
        "  max base traffic amount = 20000,\n"
        "  read vs write scaling factor = 200,\n"
        "  max base traffic accumulation duration = 10s,\n"
        "  set balance request submission window size = 5m,\n"
        "  enforce rate limiting = true,\n"
        "  base event cost = 500\n"
        ")"
    )


def test_small_records_render():
    assert render(AcsCommitmentsCatchUpParameters(), width=200) == (
        "AcsCommitmentsCatchUpParameters(catch up interval skip = 5, number of intervals to trigger catch up = 2)"
    )
    assert render(ParticipantSynchronizerLimits()) == (
        "ParticipantSynchronizerLimits(confirmation requests max rate = 1000000)"
    )
    assert render(OnboardingRestriction.RestrictedLocked) == "RestrictedLocked"


# --- TrafficControlParameters -------------------------------------------------------------------


def test_traffic_params_normalized_and_derived():
    p = transcript_traffic_params()
    assert p.maxBaseTrafficAmount == 20000 and type(p.maxBaseTrafficAmount) is int
    assert p.maxBaseTrafficAccumulationDuration == 10_000_000
    assert p.setBalanceRequestSubmissionWindowSize == 300_000_000
    assert p.base_rate == pytest.approx(0.002)  # 2000 bytes per second
    assert p.is_active
    assert p.max_base_traffic_amount == 20000  # snake_case reads too
    assert not p.copy(enforceRateLimiting=False).is_active


def test_traffic_params_accept_snake_case_plain_values_and_timedelta():
    q = TrafficControlParameters(
        max_base_traffic_amount=20000,
        read_vs_write_scaling_factor=200,
        max_base_traffic_accumulation_duration=dt.timedelta(seconds=10),
        set_balance_request_submission_window_size=scala_duration(5, "minutes"),
        enforce_rate_limiting=True,
        base_event_cost=500,
    )
    assert q == transcript_traffic_params()
    assert hash(q) == hash(transcript_traffic_params())


def test_traffic_params_all_required():
    with pytest.raises(TypeError, match="missing argument.*baseEventCost"):
        TrafficControlParameters(
            enforceRateLimiting=True,
            maxBaseTrafficAmount=1,
            readVsWriteScalingFactor=1,
            maxBaseTrafficAccumulationDuration=PositiveFiniteDuration.ofSeconds(1),
            setBalanceRequestSubmissionWindowSize=PositiveFiniteDuration.ofSeconds(1),
        )


def test_traffic_params_reject_unknown_and_bad_values():
    good = transcript_traffic_params().to_dict()
    with pytest.raises(TypeError, match="valid names are: maxBaseTrafficAmount"):
        TrafficControlParameters(**good, freeConfirmationResponses=False)
    for field, bad in [
        ("maxBaseTrafficAmount", -1),
        ("readVsWriteScalingFactor", 0),
        ("maxBaseTrafficAccumulationDuration", NonNegativeFiniteDuration.ofSeconds(0)),
        ("setBalanceRequestSubmissionWindowSize", dt.timedelta(0)),
        ("baseEventCost", -5),
        ("enforceRateLimiting", 1),
        ("maxBaseTrafficAmount", 1.5),
    ]:
        with pytest.raises(InvalidValue):
            TrafficControlParameters(**{**good, field: bad})


def test_traffic_params_dict_round_trip():
    p = transcript_traffic_params()
    assert TrafficControlParameters.from_dict(p.to_dict()) == p
    assert list(p.to_dict()) == list(TrafficControlParameters.FIELDS)


# --- DynamicSynchronizerParameters --------------------------------------------------------------


def test_defaults():
    p = DynamicSynchronizerParameters()
    assert p.confirmationResponseTimeout == 30_000_000
    assert p.topologyChangeDelay == 250_000
    assert p.mediatorDeduplicationTimeout == 48 * 3600 * 1_000_000
    assert p.confirmationRequestsMaxRate == 1_000_000
    assert p.maxRequestSize == 10_485_760
    assert p.trafficControl is None
    assert p.acsCommitmentsCatchUp == AcsCommitmentsCatchUpParameters(5, 2)
    assert p.onboardingRestriction is OnboardingRestriction.UnrestrictedOpen
    assert p.decisionTimeout == 60_000_000
    assert p.sequencerTopologyTimestampTolerance == 120_000_000
    assert p.automaticAssignmentEnabled
    assert not p.traffic_control_active
    assert p == DynamicSynchronizerParameters.defaults()


def test_update_returns_new_record_and_is_value_equal():
    p = DynamicSynchronizerParameters()
    assert p.update() == p
    assert p.update(confirmationResponseTimeout=NonNegativeFiniteDuration.ofSeconds(30)) == p
    q = p.update(trafficControl=Some(transcript_traffic_params()))
    assert q != p and q.traffic_control_active
    assert p.trafficControl is None  # unchanged
    assert q.update(trafficControl=None) == p
    assert q.update(trafficControl=NoneOption()) == p
    assert q.update(trafficControl=transcript_traffic_params()) == q


def test_update_every_argument():
    p = DynamicSynchronizerParameters().update(
        confirmationResponseTimeout=NonNegativeFiniteDuration.ofSeconds(20),
        mediatorReactionTimeout=NonNegativeFiniteDuration.ofSeconds(25),
        assignmentExclusivityTimeout=NonNegativeFiniteDuration.ofSeconds(0),
        topologyChangeDelay=NonNegativeFiniteDuration.ofMillis(100),
        ledgerTimeRecordTimeTolerance=NonNegativeFiniteDuration.ofMinutes(2),
        mediatorDeduplicationTimeout=NonNegativeFiniteDuration.ofHours(72),
        reconciliationInterval=PositiveDurationSeconds.ofSeconds(30),
        confirmationRequestsMaxRate=NonNegativeNumeric.tryCreate(50),
        maxRequestSize=NonNegativeNumeric.tryCreate(1024),
        sequencerAggregateSubmissionTimeout=NonNegativeFiniteDuration.ofMinutes(1),
        trafficControl=Some(transcript_traffic_params()),
        onboardingRestriction=OnboardingRestriction.RestrictedOpen,
        acsCommitmentsCatchUpParameters=Some(AcsCommitmentsCatchUpParameters(3, 4)),
        preparationTimeRecordTimeTolerance=NonNegativeFiniteDuration.ofHours(36),
    )
    assert p.confirmationResponseTimeout == 20_000_000
    assert p.mediatorReactionTimeout == 25_000_000
    assert not p.automaticAssignmentEnabled
    assert p.topologyChangeDelay == 100_000
    assert p.ledgerTimeRecordTimeTolerance == 120_000_000
    assert p.reconciliationInterval == 30_000_000
    assert p.confirmationRequestsMaxRate == 50
    assert p.participantSynchronizerLimits == ParticipantSynchronizerLimits(50)
    assert p.maxRequestSize == 1024
    assert p.onboardingRestriction is OnboardingRestriction.RestrictedOpen
    assert p.acsCommitmentsCatchUp == AcsCommitmentsCatchUpParameters(3, 4)
    assert p.preparationTimeRecordTimeTolerance == 36 * 3600 * 1_000_000
    lines = render(p).splitlines()
    assert "  onboarding restriction = RestrictedOpen" in lines
    assert "  assignment exclusivity timeout = 0s," in lines
    assert p.update(acsCommitmentsCatchUpParameters=None).acsCommitmentsCatchUp is None
    assert "ACS commitment catchup" not in render(p.update(acs_commitments_catch_up_parameters=None))


def test_update_snake_case_and_plain_values():
    p = DynamicSynchronizerParameters().update(
        confirmation_response_timeout=dt.timedelta(seconds=10),
        max_request_size=2048,
        onboarding_restriction="UnrestrictedLocked",
    )
    assert p.confirmationResponseTimeout == 10_000_000
    assert p.max_request_size == 2048
    assert p.onboardingRestriction.isLocked


def test_update_unknown_argument_lists_valid_names():
    with pytest.raises(TypeError) as e:
        DynamicSynchronizerParameters().update(confirmationTimeout=NonNegativeFiniteDuration.ofSeconds(1))
    assert "confirmationTimeout" in str(e.value)
    assert "confirmationResponseTimeout" in str(e.value) and "preparationTimeRecordTimeTolerance" in str(e.value)


def test_preparation_tolerance_must_be_half_of_dedup():
    with pytest.raises(InvalidDynamicSynchronizerParameters) as e:
        DynamicSynchronizerParameters().update(mediatorDeduplicationTimeout=NonNegativeFiniteDuration.ofHours(1))
    assert e.value.code == INVALID_DYNAMIC_SYNCHRONIZER_PARAMETERS
    assert e.value.cause == (
        "The preparationTimeRecordTimeTolerance (24h) must be at most half of the "
        "mediatorDeduplicationTimeout (1h)."
    )
    d = NonNegativeFiniteDuration.ofSeconds(10)
    with pytest.raises(InvalidDynamicSynchronizerParameters) as e:
        DynamicSynchronizerParameters(mediatorDeduplicationTimeout=d, preparationTimeRecordTimeTolerance=d)
    assert e.value.cause == (
        "The preparationTimeRecordTimeTolerance (10s) must be at most half of the mediatorDeduplicationTimeout (10s)."
    )
    # exactly half is fine
    DynamicSynchronizerParameters(
        mediatorDeduplicationTimeout=NonNegativeFiniteDuration.ofSeconds(20), preparationTimeRecordTimeTolerance=d
    )


def test_check_bounds():
    DynamicSynchronizerParameters().check_bounds()
    too_long = DynamicSynchronizerParameters().update(confirmationResponseTimeout=NonNegativeFiniteDuration.ofMinutes(10))
    with pytest.raises(CantonError) as e:
        too_long.check_bounds()
    assert e.value.code == TOPOLOGY_VALUE_OUT_OF_BOUNDS
    assert e.value.cause == "Parameter `confirmation response timeout` needs to be between 1s and 5m; found: 10m"
    too_short = DynamicSynchronizerParameters().update(mediatorReactionTimeout=NonNegativeFiniteDuration.ofMillis(500))
    with pytest.raises(CantonError) as e:
        too_short.check_bounds()
    assert e.value.cause == "Parameter `mediator reaction timeout` needs to be between 1s and 5m; found: 0.5s"
    # the edges are inside
    DynamicSynchronizerParameters().update(
        confirmationResponseTimeout=NonNegativeFiniteDuration.ofSeconds(1),
        mediatorReactionTimeout=NonNegativeFiniteDuration.ofMinutes(5),
    ).check_bounds()


def test_type_level_validation():
    p = DynamicSynchronizerParameters()
    with pytest.raises(InvalidValue, match="not rounded to the second"):
        p.update(reconciliationInterval=dt.timedelta(milliseconds=1500))
    with pytest.raises(InvalidValue, match="not positive"):
        p.update(reconciliationInterval=dt.timedelta(0))
    with pytest.raises(InvalidValue, match="negative"):
        p.update(confirmationResponseTimeout=dt.timedelta(seconds=-1))
    with pytest.raises(InvalidValue, match="negative"):
        p.update(maxRequestSize=-1)
    with pytest.raises(InvalidValue):
        p.update(confirmationRequestsMaxRate=-1)
    with pytest.raises(InvalidValue):
        p.update(onboardingRestriction="Closed")
    with pytest.raises(InvalidValue):
        p.update(trafficControl=Some("not parameters"))


def test_acs_catch_up_validation():
    with pytest.raises(InvalidValue, match="is ambiguous"):
        AcsCommitmentsCatchUpParameters(1, 1)
    with pytest.raises(InvalidValue, match="overflow"):
        AcsCommitmentsCatchUpParameters(2**16, 2**16)
    with pytest.raises(InvalidValue):
        AcsCommitmentsCatchUpParameters(0, 2)
    assert not AcsCommitmentsCatchUpParameters.disabledCatchUp().is_catch_up_enabled
    assert AcsCommitmentsCatchUpParameters(catchUpIntervalSkip=1, nrIntervalsToTriggerCatchUp=2).is_catch_up_enabled


def test_dict_round_trip_and_key_order():
    p = DynamicSynchronizerParameters().update(trafficControl=Some(transcript_traffic_params()))
    d = p.to_dict()
    assert list(d) == list(DynamicSynchronizerParameters.FIELDS)
    assert d["trafficControl"]["baseEventCost"] == 500
    assert d["onboardingRestriction"] == "UnrestrictedOpen"
    import json

    assert DynamicSynchronizerParameters.from_dict(json.loads(json.dumps(d))) == p
    assert DynamicSynchronizerParameters.from_dict(DynamicSynchronizerParameters().to_dict()) == DynamicSynchronizerParameters()
    assert DynamicSynchronizerParameters.from_dict({}) == DynamicSynchronizerParameters()
    with pytest.raises(ValueError):
        DynamicSynchronizerParameters.from_dict({"bogus": 1})


@given(
    crt=st.integers(min_value=0, max_value=10**9),
    size=st.integers(min_value=0, max_value=2**31 - 1),
    rec=st.integers(min_value=1, max_value=10**6).map(lambda s: s * 1_000_000),
)
def test_update_dict_round_trip_property(crt, size, rec):
    p = DynamicSynchronizerParameters().update(
        confirmationResponseTimeout=crt, maxRequestSize=size, reconciliationInterval=rec
    )
    assert DynamicSynchronizerParameters.from_dict(p.to_dict()) == p
    assert p.update() == p
