"""``bootstrap/ha-demo.canton``: the founding HA document's claims, run by the real CLI
(``canton-console run bootstrap/ha-demo.canton -c bootstrap/ha-demo.conf``) in a fresh directory;
it must exit 0 and print the output that proves each claim."""

from __future__ import annotations

import re

from conftest import REPO, cli


def section(output: str, title: str) -> str:
    """The lines of one ``== Claim`` section (up to the next one)."""
    start = output.index(title)
    end = output.find("\n== ", start + 1)
    return output[start : end if end != -1 else len(output)]


def test_the_ha_demo_script_proves_each_claim(tmp_path):
    result = cli("run", str(REPO / "bootstrap" / "ha-demo.canton"), "-c", str(REPO / "bootstrap" / "ha-demo.conf"), cwd=tmp_path, timeout=180)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "ERROR" not in out and "Error" not in out, out
    ms = r"\d+ milliseconds?"

    setup = section(out, "== Setup")
    assert setup.count("healthy = true") == 2 and re.search(ms, setup)

    independent = section(out, "== Claim: the availability of a participant does not affect another")
    lines = independent.splitlines()
    assert re.fullmatch(ms, lines[lines.index("participant3 stopped; participant1 pings participant2:") + 1])
    assert lines[lines.index("participant1 pings participant3 (it is involved, so this waits and gives up after 2 seconds):") + 1] == "None"
    assert re.fullmatch(ms, lines[-1] if lines[-1] else lines[-2])

    shared = section(out, "== Claim: if two participants host the same party")
    assert shared.count("HostingParticipant(") == 2 and "PAR::participant2::" in shared and "PAR::participant3::" in shared
    lines = shared.splitlines()
    offset_1 = lines[lines.index("participant2 stopped; Alice transfers her IOU of 100 to Bob through participant3, at offset:") + 1]
    offset_2 = lines[lines.index("participant2 back, participant3 stopped; Alice transfers her IOU of 200 through participant2, at offset:") + 1]
    assert offset_1.isdigit() and offset_2.isdigit()
    assert shared.count("owner = \"Bob::") == 2 and "amount = 100" in shared and "amount = 200" in shared

    offsets = section(out, "== Claim: an application acting for a party cannot transparently fail over").splitlines()
    end_2 = int(offsets[offsets.index("ledger end on participant2:") + 1])
    end_3 = int(offsets[offsets.index("ledger end on participant3:") + 1])
    assert end_2 != end_3

    synchronizers = section(out, "== Claim: a participant's availability is not affected by a synchronizer")
    lines = synchronizers.splitlines()
    assert lines[lines.index("acme's only sequencer stopped; ping over acme (gives up after 2 seconds):") + 1] == "None"
    assert re.fullmatch(ms, lines[lines.index("ping over da:") + 1])
    assert "healthy = false" in synchronizers
    assert re.fullmatch(ms, lines[lines.index("acme's sequencer back; ping over acme:") + 1])

    sequencers = section(out, "== Claim: components replicate (a sequencer of da stops").splitlines()
    assert re.fullmatch(ms, sequencers[sequencers.index("sequencer1 stopped; ping over da:") + 1])

    replicas = section(out, "== Claim: components replicate; the replicas of a participant")
    lines = replicas.splitlines()
    id_a = lines[lines.index("participant1a is:") + 1]
    id_b = lines[lines.index("participant1b is:") + 1]
    assert id_a == id_b and id_a.startswith("PAR::")
    assert lines[lines.index("participant1a active:") + 1] == "true"
    assert lines[lines.index("participant1b active:") + 1] == "false"
    statuses = replicas.split("Participant id: ")
    assert "Active: false" in statuses[1] and "Connected synchronizers: None" in statuses[1]
    assert "Active: true" in statuses[2] and "\tda::" in statuses[2] and "\tacme::" in statuses[2]
    end_before = int(lines[lines.index("ledger end on participant1a before the crash:") + 1])
    end_after = int(lines[lines.index("ledger end on participant1b (the same ledger):") + 1])
    assert end_after == end_before  # the same offsets continue: nothing lost, nothing repeated
    back = int(lines[lines.index("Bob transfers his IOU back to Alice through participant1b, at offset:") + 1])
    assert back == end_before + 3  # after the two transactions of the ping
    assert lines[lines.index("participant1a restarted: it is passive now") + 1] == "false"
    assert lines[lines.index("participant1b.replication.set_passive(): participant1a is active again") + 1] == "true"
    assert int(lines[lines.index("ledger end on participant1a:") + 1]) == back + 2

    timeouts = section(out, "== Claim: transactions may time out while a component fails over")
    lines = timeouts.splitlines()
    assert lines[lines.index("mediator1a (active) killed; a ping sent meanwhile is lost with the mediator's in-flight requests:") + 1] == "None"
    assert "Node uid: mediator1a::" in timeouts and "Active: true" in timeouts
    assert re.fullmatch(ms, lines[lines.index("resubmitted through the new active mediator:") + 1])
    assert lines[lines.index("mediator1a restarted as a passive replica:") + 1] == "false"

    health = section(out, "== Claim: components expose their health")
    for name in ("Sequencer 'sequencer1'", "Sequencer 'sequencer3'", "Mediator 'mediator1a'", "Mediator 'mediator1b'", "Participant 'participant1a'", "Participant 'participant1b'", "Participant 'participant3'"):
        assert f"Status for {name}:" in health
    blocks = {b.split(":\n", 1)[0]: b for b in health.split("Status for ")[1:]}
    assert "Active: false" in blocks["Mediator 'mediator1a'"] and "Active: true" in blocks["Mediator 'mediator1b'"]
    assert "Active: true" in blocks["Participant 'participant1a'"] and "Active: false" in blocks["Participant 'participant1b'"]
