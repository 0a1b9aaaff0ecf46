"""An ACS snapshot file as this console writes it (``parties.export_acs``) and reads it
(``repair.import_acs``): Canton writes length-delimited protobuf; this is canton-console's own
versioned format, gzip-compressed, a header line naming the format, then JSON. Each contract carries
an authentication hash over its id and contents, so an import in ``Validation`` mode refuses a
contract whose payload was altered after the export."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterable

import attrs

from canton_console.values import ledger

ACS_SNAPSHOT_HEADER = b"canton-console active contract set\n"
ACS_SNAPSHOT_FORMAT = 1


@attrs.frozen
class RepairContract:
    """A contract as an ACS snapshot carries it (Canton's ``RepairContract``): where it is assigned,
    its reassignment counter and the authentication hash the export computed."""

    synchronizer_id: str
    contract: ledger.Contract
    reassignment_counter: int = 0
    authentication: str = ""


class SnapshotError(ValueError):
    """Bytes that are not an ACS snapshot of this console; the message says what is wrong."""


def authentication_of(contract: ledger.Contract) -> str:
    """A hash binding a contract's id to its contents (template, arguments, stakeholders)."""
    body = json.dumps(ledger.contract_to_dict(contract), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def encode_snapshot(contracts: Iterable[RepairContract]) -> bytes:
    items = [
        {
            "synchronizer_id": rc.synchronizer_id,
            "reassignment_counter": rc.reassignment_counter,
            "contract": ledger.contract_to_dict(rc.contract),
            "authentication": authentication_of(rc.contract),
        }
        for rc in contracts
    ]
    body = json.dumps({"format": ACS_SNAPSHOT_FORMAT, "contracts": items}, sort_keys=True, separators=(",", ":")).encode()
    # mtime=0: the same contracts give the same bytes
    return gzip.compress(ACS_SNAPSHOT_HEADER + body, mtime=0)


def decode_snapshot(data: bytes) -> list[RepairContract]:
    """The contracts of a snapshot; SnapshotError with Canton's wording where it has one."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise SnapshotError(f"Failed to decompress bytes: {e}") from None
    if not raw.startswith(ACS_SNAPSHOT_HEADER):
        raise SnapshotError("Unable to parse the ACS snapshot: it is not an ACS export of canton-console (unknown header)")
    try:
        body = json.loads(raw[len(ACS_SNAPSHOT_HEADER) :].decode())
    except (UnicodeDecodeError, ValueError) as e:
        raise SnapshotError(f"Unable to parse the ACS snapshot: the content is damaged ({e})") from None
    if not isinstance(body, dict) or body.get("format") != ACS_SNAPSHOT_FORMAT:
        version = body.get("format") if isinstance(body, dict) else None
        raise SnapshotError(f"Unable to parse the ACS snapshot: unsupported format version {version}")
    result = []
    try:
        for item in body["contracts"]:
            c = item["contract"]
            contract = ledger.Contract(
                str(c["contract_id"]), str(c["template_id"]), dict(c["arguments"]), tuple(c["signatories"]), tuple(c["observers"])
            )
            result.append(RepairContract(str(item["synchronizer_id"]), contract, int(item["reassignment_counter"]), str(item["authentication"])))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise SnapshotError(f"Unable to parse the ACS snapshot: a contract is damaged ({e!r})") from None
    return result


def invalid_contract_ids(contracts: Iterable[RepairContract]) -> list[str]:
    """The contracts whose id does not match their contents (ContractIdImportMode.Validation)."""
    return [rc.contract.contract_id for rc in contracts if rc.authentication != authentication_of(rc.contract)]
