"""``topology.synchronizer_trust_certificates``: the group added as one module through the registry.
Each participant that connected to ``da`` issued a trust certificate; the group lists and checks them."""

from __future__ import annotations

import re

from conftest import step_ok


def test_every_connected_participant_has_a_certificate(module_session):
    certificates = step_ok(module_session, "sequencer1.topology.synchronizer_trust_certificates.list()")
    assert sorted(str(c.item.participantId).split("::")[1] for c in certificates) == ["participant1", "participant2", "participant3"]
    sync_id = str(step_ok(module_session, "sequencer1.synchronizer_id"))
    assert {str(c.item.synchronizerId) for c in certificates} == {sync_id}
    # signed by the participant's own namespace, at serial 1, in force
    for c in certificates:
        assert [str(k) for k in c.context.signedBy] == [str(c.item.participantId.namespace.fingerprint)]
        assert int(c.context.serial) == 1 and c.context.validUntil is None


def test_filters_and_the_active_check(module_session):
    one = step_ok(module_session, "participant1.topology.synchronizer_trust_certificates.list(filterUid = participant2.id.filterString)")
    assert [str(c.item.participantId) for c in one] == [str(step_ok(module_session, "participant2.id"))]
    assert step_ok(module_session, "participant1.topology.synchronizer_trust_certificates.active(sequencer1.synchronizer_id, participant3)") is True
    assert step_ok(module_session, "participant1.topology.synchronizer_trust_certificates.list(proposals = true)") == []


def test_rendering_and_refusals(module_session):
    out = module_session.step("participant1.topology.synchronizer_trust_certificates.list(filterUid = \"participant1\")").output
    assert re.search(r"item = SynchronizerTrustCertificate\(\n\s+participantId = PAR::participant1::1220[0-9a-f]{8}\.\.\.,\n\s+synchronizerId = da::", out), out
    refused = module_session.step("participant1.topology.synchronizer_trust_certificates.list(timeQuery = \"Snapshot\")")
    assert refused.failed and "argument 'timeQuery' expects a TimeQuery" in refused.output
    unknown = module_session.step("participant1.topology.synchronizer_trust_certificates.list(store = \"nope::1220ab\")")
    assert unknown.failed and "TOPOLOGY_STORE_NOT_FOUND" in unknown.output
