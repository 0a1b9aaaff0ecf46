"""Public keys as topology mappings carry them (Canton's ``SigningPublicKey``).

This console's nodes each hold one Ed25519 key (Canton's key spec ``EC-Curve25519``) that serves
every signing purpose — namespace, sequencer authentication, protocol — so its usage is Canton's
``SigningKeyUsage.All``. The key bytes are stored raw (Canton's ``CryptoKeyFormat.Raw``). The id is
the key's fingerprint: ``1220`` followed by the hex SHA-256 of the raw key, as the runtime computes
namespaces.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

import attrs

from canton_console.pretty import Apply, Literal, Tree, klass, param
from canton_console.values.ids import FINGERPRINT_PREFIX, Fingerprint

# Canton's SigningKeyUsage identifiers, in SigningKeyUsage.All's order.
USAGE_ALL = ("namespace", "sequencer-auth", "signing", "proof-of-ownership")


@attrs.frozen
class SigningPublicKey:
    """A signing public key: ``id`` (its fingerprint), ``format``, ``keySpec``, ``usage``; ``key``
    is the raw key in hex."""

    canton_type: ClassVar[str] = "SigningPublicKey"

    key: str
    format: str = "Raw"
    keySpec: str = "EC-Curve25519"
    usage: tuple[str, ...] = USAGE_ALL

    @classmethod
    def of_raw_hex(cls, public_key_hex: str) -> SigningPublicKey:
        return cls(public_key_hex)

    @property
    def id(self) -> Fingerprint:
        return Fingerprint(FINGERPRINT_PREFIX + hashlib.sha256(bytes.fromhex(self.key)).hexdigest())

    @property
    def fingerprint(self) -> Fingerprint:
        return self.id

    @property
    def isSigning(self) -> bool:
        return True

    def __pretty__(self) -> Tree:
        return klass(
            "SigningPublicKey",
            param("id", self.id),
            param("format", Literal(self.format)),
            param("keySpec", Literal(self.keySpec)),
            param("usage", Apply("Set", tuple(Literal(u) for u in self.usage))),
        )


__all__ = ["USAGE_ALL", "SigningPublicKey"]
