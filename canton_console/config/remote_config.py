"""``canton-console generate remote-config``: for every node of a configuration, the configuration
another console needs to drive it as a remote node (Canton's ``generate remote-config``), written as
``remote-<name>.conf``: ``canton.remote-participants.<name> { admin-api, ledger-api }``,
``remote-sequencers.<name> { admin-api, public-api }``, ``remote-mediators.<name> { admin-api }``.

A served API's client side is its address and port, and, when it serves TLS, a ``tls`` block that
trusts the server's certificate chain (with the admin client's certificate when the server requires
one), as Canton derives it (``TlsServerConfig.clientConfig``). The addresses are the configured ones:
a node listening on ``0.0.0.0`` needs its host name put in by hand.
"""

from __future__ import annotations

import json

from canton_console.config.models import ApiConfig, CantonConfig


def _quoted(text: str) -> str:
    return json.dumps(text)  # HOCON accepts JSON strings


def _client_block(key: str, api: ApiConfig, indent: str, with_client_cert: bool = True) -> str:
    lines = [f"{indent}{key} {{", f"{indent}  address = {_quoted(api.address)}", f"{indent}  port = {api.port}"]
    tls = api.tls
    if tls is not None:
        lines += [f"{indent}  tls {{", f"{indent}    trust-collection-file = {_quoted(tls.cert_chain_file)}"]
        admin_client = tls.client_auth.admin_client
        if with_client_cert and tls.client_auth.type == "require" and admin_client is not None:
            lines += [
                f"{indent}    client-cert {{",
                f"{indent}      cert-chain-file = {_quoted(admin_client.cert_chain_file)}",
                f"{indent}      private-key-file = {_quoted(admin_client.private_key_file)}",
                f"{indent}    }}",
            ]
        lines.append(f"{indent}  }}")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


def _node(group: str, name: str, blocks: list[str]) -> str:
    return f"canton.remote-{group}.{name} {{\n" + "\n".join(blocks) + "\n}\n"


def remote_configs(config: CantonConfig) -> dict[str, str]:
    """File name -> text, one ``remote-<name>.conf`` per node of ``config``."""
    files: dict[str, str] = {}
    for name, p in config.participants.items():
        files[f"remote-{name}.conf"] = _node("participants", name, [_client_block("admin-api", p.admin_api, "  "), _client_block("ledger-api", p.ledger_api, "  ")])
    for name, s in config.sequencers.items():
        # the public API's client trusts the server's chain only (Canton's TlsClientConfigOnlyTrustFile)
        blocks = [_client_block("admin-api", s.admin_api, "  "), _client_block("public-api", s.public_api, "  ", with_client_cert=False)]
        files[f"remote-{name}.conf"] = _node("sequencers", name, blocks)
    for name, m in config.mediators.items():
        files[f"remote-{name}.conf"] = _node("mediators", name, [_client_block("admin-api", m.admin_api, "  ")])
    return files
