"""``canton-console daemon`` that also serves each of its nodes' admin API on a free loopback port,
printed as ``test admin API: <node> <host:port>`` before the daemon's running line.

The HA process tests reach replicas in other processes through ``RemoteNodeAdmin``; this launcher
gives them an admin API to reach whatever the daemon itself serves, on ports that cannot collide
with the configured ``admin-api`` ports. Run as ``python tests/daemon_with_admin.py <cli args>``."""

from __future__ import annotations

import sys

from canton_console import cli

# the admin API servers, alive as long as the process (the daemon's own list holds public APIs only)
ADMIN_SERVERS: list = []


def _with_admin_apis(serve_public_apis):
    def serve(session) -> list:
        from canton_console.api.admin_server import AdminApiServer

        servers = serve_public_apis(session)
        for info in session.admin.nodes():
            server = AdminApiServer(session.admin.node(info.name)).start()
            ADMIN_SERVERS.append(server)
            sys.stdout.write(f"test admin API: {info.name} {server.address}:{server.port}\n")
        sys.stdout.flush()
        return servers

    return serve


if __name__ == "__main__":
    cli._sequencer_public_apis = _with_admin_apis(cli._sequencer_public_apis)  # type: ignore[attr-defined]
    sys.exit(cli.main())
