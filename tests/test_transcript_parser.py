"""Parsing transcripts: steps in plain text, Markdown and reStructuredText, and directives."""

from __future__ import annotations

from pathlib import Path

import pytest

from canton_console.transcript.model import ParseError, TranscriptOptions
from canton_console.transcript.parser import parse_transcript

# A few steps of the founding transcript (004), prose included, as it is written.
FOUNDING = """\
Sequencer Traffic Management

Note

Currently traffic management is supported only on Byzantine Fault Tolerant (BFT) Synchronizers.

First let's check the current traffic management status of a Synchronizer:

@ sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)
res1: DynamicSynchronizerParameters = DynamicSynchronizerParameters(
  confirmation response timeout = 30s,
  mediator reaction timeout = 30s,
  ACS commitment catchup = AcsCommitmentsCatchUpParameters(
    catch up interval skip = 5,
    number of intervals to trigger catch up = 2
  ),
  onboarding restriction = UnrestrictedOpen
)

If the field trafficControl of type TrafficControlParameters is not set then traffic management is inactive.

@ import com.digitalasset.canton.config.RequireTypes.{NonNegativeNumeric, PositiveNumeric}
  val trafficControlParameters = TrafficControlParameters(
    enforceRateLimiting = true,
    baseEventCost = NonNegativeNumeric.tryCreate(500L),
  )
  sequencer1.topology.synchronizer_parameters.propose_update(
    synchronizerId = sequencer1.synchronizer_id,
    _.update(trafficControl = Some(trafficControlParameters)),
  )

Let's confirm that the traffic management is now enabled:

@ sequencer1.topology.synchronizer_parameters
  .get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)
res3: DynamicSynchronizerParameters = DynamicSynchronizerParameters(
  confirmation response timeout = 30s,
  onboarding restriction = UnrestrictedOpen
)

Now the traffic balance for participant1 has been updated:

@ utils.retry_until_true(
    sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
      .trafficStates(participant1)
      .serial
      .exists(_ >= nextSerial)
  )
@ val trafficStateBeforePing = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
  trafficStateBeforePing
trafficStateBeforePing : com.digitalasset.canton.synchronizer.sequencer.traffic.SequencerTrafficStatus = SequencerTrafficStatus(
  trafficStatesOrErrors = Map(
    PAR::participant1::12201ff69b1d... -> Right(
      value = TrafficState(
        timestamp = 2025-07-17T22:19:58.861158Z,
        serial = 2,
      )
    )
  )
)

Now let's run ping between participants and observe the traffic consumption:

@ participant1.health.ping(participant2)
res10: Duration = 923 milliseconds
@ participant2.health.ping(participant3)
res11: Duration = 778 milliseconds

Observe the traffic balances for the Participants and the Mediator decrease.
"""


def line_of(text: str, prefix: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(prefix):
            return n
    raise AssertionError(prefix)


def test_founding_transcript_shape():
    t = parse_transcript(FOUNDING, "traffic.txt")
    assert t.format == "plain"
    assert t.options == TranscriptOptions()
    assert [s.command.split("\n")[0] for s in t.steps] == [
        "sequencer1.topology.synchronizer_parameters.get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)",
        "import com.digitalasset.canton.config.RequireTypes.{NonNegativeNumeric, PositiveNumeric}",
        "sequencer1.topology.synchronizer_parameters",
        "utils.retry_until_true(",
        "val trafficStateBeforePing = sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))",
        "participant1.health.ping(participant2)",
        "participant2.health.ping(participant3)",
    ]
    first, imports, params, retry, state, ping1, ping2 = t.steps

    # A one-line command whose output has indented lines: all of them belong to the output.
    assert first.line == line_of(FOUNDING, "@ sequencer1.topology.synchronizer_parameters.get_dyn")
    assert first.expected[0].startswith("res1: DynamicSynchronizerParameters = ")
    assert first.expected[3] == "  ACS commitment catchup = AcsCommitmentsCatchUpParameters("
    assert first.expected[4] == "    catch up interval skip = 5,"
    assert first.expected[-1] == ")"
    assert first.output_start == first.line + 1
    assert first.output_end == first.line + len(first.expected)
    assert not first.expect_failure

    # A multi-line command without output, followed by a blank line and prose.
    assert imports.expected == []
    assert not imports.has_output
    assert imports.command.split("\n")[1] == "val trafficControlParameters = TrafficControlParameters("
    assert imports.command.split("\n")[2] == "  enforceRateLimiting = true,"
    assert imports.command.endswith("\n)")
    assert imports.output_start == imports.command_end + 1

    # The two-line `@` command: continuation indentation removed.
    assert params.command == (
        "sequencer1.topology.synchronizer_parameters\n"
        ".get_dynamic_synchronizer_parameters(sequencer1.synchronizer_id)"
    )
    assert params.command_end == params.line + 1
    assert params.expected[0].startswith("res3: ")

    # A step with no output directly followed by the next `@`.
    assert retry.expected == []
    assert retry.command == (
        "utils.retry_until_true(\n"
        "  sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))\n"
        "    .trafficStates(participant1)\n"
        "    .serial\n"
        "    .exists(_ >= nextSerial)\n"
        ")"
    )
    assert state.line == retry.command_end + 1
    assert state.command.endswith("\ntrafficStateBeforePing")
    assert state.expected[2] == "    PAR::participant1::12201ff69b1d... -> Right("
    assert state.expected[-1] == ")"

    assert ping1.expected == ["res10: Duration = 923 milliseconds"]
    assert ping2.line == ping1.line + 2
    assert ping2.expected == ["res11: Duration = 778 milliseconds"]
    # The closing prose is not output (a blank line ends a plain-text output).
    assert ping2.output_end == ping2.line + 1


def test_founding_document_itself_parses():
    ref = Path("/work/shared/reference/004_8fc8212e35bd0e69.txt")
    if not ref.exists():
        pytest.skip("reference document not available")
    t = parse_transcript(ref.read_text(encoding="utf-8"), ref)
    assert len(t.steps) == 12
    assert [len(s.expected) > 0 for s in t.steps].count(False) == 3


def test_plain_blank_line_ends_output_and_blankline_marker():
    text = "@ a\nfirst\n<BLANKLINE>\nlast\n\nprose after\n@ b\nout b\n"
    t = parse_transcript(text, "x.txt")
    a, b = t.steps
    assert a.expected == ["first", "<BLANKLINE>", "last"]
    assert (a.output_start, a.output_end) == (2, 4)
    assert b.expected == ["out b"]


def test_indented_plain_steps_keep_block_indentation():
    text = "Prose:\n\n    @ foo(\n        1)\n    res1: Int = 1\n      nested\nprose again\n"
    (s,) = parse_transcript(text, "x.txt").steps
    assert s.indent == "    "
    assert s.command == "foo(\n  1)"
    assert s.expected == ["res1: Int = 1", "  nested"]


def test_error_output_expects_failure():
    text = (
        "@ participant1.health.ping(participant2, timeout = 5.seconds)\n"
        "ERROR c.d.c.c.CantonConsoleEnvironment - Unable to ping PAR::participant2::1220a4d7463b... within 5 seconds: Timeout\n"
        "  Command ParticipantHealthAdministration.ping invoked from cmd3.sc:1\n"
        "com.digitalasset.canton.console.CommandFailure: Command execution failed.\n"
    )
    (s,) = parse_transcript(text, "x.txt").steps
    assert s.expect_failure
    assert len(s.expected) == 3


MARKDOWN = """\
# Traffic

<!-- canton-console: config=topology.conf, syntax=scala -->

Some prose with `@ not a step` inline.

```
@ participant1.health.status
res1: NodeStatus[ParticipantStatus] = Participant id: PAR::participant1::12201ff69b1d...
Uptime: 19.211042s

Active: true

@ participant1.health.ping(participant2)
res2: Duration = 923 milliseconds
```

```hocon
canton.participants.participant1 {}
```

@ outside.fence
value

~~~scala
  @ indented.in.fence
    .continued
  result
~~~
"""


def test_markdown_fences_keep_blank_lines_in_output():
    t = parse_transcript(MARKDOWN, "doc.md")
    assert t.format == "markdown"
    assert t.options.configs == ("topology.conf",)
    assert t.options.syntax == "scala"
    status, ping, outside, indented = t.steps
    assert status.mode == "block"
    assert status.expected == [
        "res1: NodeStatus[ParticipantStatus] = Participant id: PAR::participant1::12201ff69b1d...",
        "Uptime: 19.211042s",
        "",
        "Active: true",
    ]
    # Trailing blank lines before the next `@` are not part of the output's span.
    assert status.output_end == status.output_start + 3
    assert ping.expected == ["res2: Duration = 923 milliseconds"]
    assert ping.output_end == ping.output_start
    assert outside.mode == "plain" and outside.expected == ["value"]
    assert indented.indent == "  "
    assert indented.command == "indented.in.fence\n.continued"
    assert indented.expected == ["result"]


RST = """\
Traffic
=======

.. canton-console: clock=sim, config=a.conf, config=b.conf

Check the balance:

.. code-block:: none
   :caption: a transcript

   @ sequencer1.traffic_control.traffic_state_of_members(Seq(participant1))
   res5: SequencerTrafficStatus = SequencerTrafficStatus(

     trafficStatesOrErrors = Map()
   )
   @ participant1.health.ping(participant2)

More prose::

    @ literal.block
    literal output

Done.
"""


def test_rst_code_blocks():
    t = parse_transcript(RST, "doc.rst")
    assert t.format == "rst"
    assert t.options == TranscriptOptions(configs=("a.conf", "b.conf"), clock="sim")
    state, ping, literal = t.steps
    assert state.indent == "   "
    assert state.mode == "block"
    assert state.expected == [
        "res5: SequencerTrafficStatus = SequencerTrafficStatus(",
        "",
        "  trafficStatesOrErrors = Map()",
        ")",
    ]
    assert state.line == line_of(RST, "   @ sequencer1")
    assert ping.expected == [] and not ping.has_output
    assert literal.command == "literal.block"
    assert literal.expected == ["literal output"]


def test_directive_errors_report_file_and_line():
    with pytest.raises(ParseError) as err:
        parse_transcript("Intro\n<!-- canton-console: colour=blue -->\n", "docs/x.md")
    assert str(err.value).startswith("docs/x.md:2: ")
    assert "colour" in str(err.value)
    with pytest.raises(ParseError, match=r"x.txt:1: .*syntax=ruby"):
        parse_transcript("canton-console: syntax=ruby\n", "x.txt")
    with pytest.raises(ParseError, match=r"x.txt:2: .*contradicts"):
        parse_transcript("canton-console: clock=sim\ncanton-console: clock=wall\n", "x.txt")
    # Prose mentioning the name without key=value is not a directive.
    assert parse_transcript("canton-console: the Canton console in Python\n", "x.txt").options == TranscriptOptions()


def test_bare_at_is_a_parse_error():
    with pytest.raises(ParseError) as err:
        parse_transcript("prose\n\n@\nout\n", "x.txt")
    assert err.value.line == 3
    assert str(err.value) == "x.txt:3: `@` with no command"


def test_crlf_documents():
    text = "@ a\r\n  .b\r\nres1: Int = 1\r\n\r\nprose\r\n"
    (s,) = parse_transcript(text, "x.txt").steps
    assert s.command == "a\n.b"
    assert s.expected == ["res1: Int = 1"]


def test_config_paths_resolve_against_the_transcript_directory(tmp_path):
    t = parse_transcript("canton-console: config=conf/a.conf, config=/etc/b.conf\n", tmp_path / "t.txt")
    assert t.directory == tmp_path
    assert t.options.config_paths(t.directory) == [tmp_path / "conf/a.conf", Path("/etc/b.conf")]
