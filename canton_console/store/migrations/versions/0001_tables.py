"""The tables as the store had them before any column was added to them (schema version 1).

Frozen: this revision must always create what it created when it was written, so the tables are
defined here, not taken from ``schema.py`` (whose models always describe the newest schema). A
store of the layout before Alembic (``ADDED_COLUMNS``) is adopted through ``create_missing``, which
creates the tables and indexes such a store lacks (older versions created them at every start).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

metadata = sa.MetaData()

sa.Table("cc_acs_commitments_computed", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("counter_participant", sa.String(length=255), nullable=False),
    sa.Column("to_inclusive", sa.BigInteger(), nullable=False),
    sa.Column("from_exclusive", sa.BigInteger(), nullable=False),
    sa.Column("commitment", sa.String(length=64), nullable=False),
    sa.Column("state", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "counter_participant", "to_inclusive")
)
sa.Table("cc_acs_commitments_progress", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("last_computed_and_sent", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id")
)
sa.Table("cc_acs_commitments_received", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("sender", sa.String(length=255), nullable=False),
    sa.Column("to_inclusive", sa.BigInteger(), nullable=False),
    sa.Column("from_exclusive", sa.BigInteger(), nullable=False),
    sa.Column("commitment", sa.String(length=64), nullable=False),
    sa.Column("signed_by", sa.String(length=80), nullable=False),
    sa.Column("signature", sa.Text(), nullable=False),
    sa.Column("sequenced_at", sa.BigInteger(), nullable=False),
    sa.Column("buffered", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "sender", "to_inclusive")
)
sa.Table("cc_acs_no_wait", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("counter_participant", sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "counter_participant")
)
sa.Table("cc_acs_slow_config", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("distinguished", sa.Text(), nullable=False),
    sa.Column("threshold_distinguished", sa.BigInteger(), nullable=False),
    sa.Column("threshold_default", sa.BigInteger(), nullable=False),
    sa.Column("individual_metrics", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id")
)
sa.Table("cc_bft_peer_endpoints", metadata,
    sa.Column("address", sa.String(length=255), nullable=False),
    sa.Column("port", sa.Integer(), nullable=False),
    sa.Column("tls", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("address", "port")
)
sa.Table("cc_command_dedup", metadata,
    sa.Column("change_id", sa.String(length=128), nullable=False),
    sa.Column("submission_id", sa.String(length=128), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("offset", sa.BigInteger(), nullable=True),
    sa.Column("record_time", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("change_id")
)
sa.Table("cc_contracts", metadata,
    sa.Column("contract_id", sa.String(length=128), nullable=False),
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("template_id", sa.String(length=255), nullable=False),
    sa.Column("arguments", sa.Text(), nullable=False),
    sa.Column("signatories", sa.Text(), nullable=False),
    sa.Column("observers", sa.Text(), nullable=False),
    sa.Column("created_offset", sa.BigInteger(), nullable=False),
    sa.Column("archived_offset", sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint("contract_id")
)
sa.Index("ix_cc_contracts_archived_offset", metadata.tables["cc_contracts"].c.archived_offset)
sa.Table("cc_crypto_keys", metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("fingerprint", sa.String(length=80), nullable=False),
    sa.Column("purpose", sa.String(length=16), nullable=False),
    sa.Column("key_spec", sa.String(length=32), nullable=False),
    sa.Column("usage", sa.String(length=128), nullable=False),
    sa.Column("name", sa.String(length=300), nullable=True),
    sa.Column("public_key", sa.LargeBinary(), nullable=False),
    sa.Column("private_key", sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("fingerprint")
)
sa.Table("cc_daml_packages", metadata,
    sa.Column("package_id", sa.String(length=64), nullable=False),
    sa.Column("name", sa.String(length=255), nullable=False),
    sa.Column("version", sa.String(length=255), nullable=False),
    sa.Column("language_version", sa.String(length=32), nullable=False),
    sa.Column("modules", sa.Text(), nullable=False),
    sa.Column("templates", sa.Text(), nullable=False),
    sa.Column("is_utility_package", sa.Boolean(), nullable=False),
    sa.Column("package_size", sa.BigInteger(), nullable=False),
    sa.Column("archive", sa.LargeBinary(), nullable=False),
    sa.Column("uploaded_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("package_id")
)
sa.Table("cc_dar_packages", metadata,
    sa.Column("main_package_id", sa.String(length=64), nullable=False),
    sa.Column("package_id", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("main_package_id", "package_id")
)
sa.Table("cc_dars", metadata,
    sa.Column("main_package_id", sa.String(length=64), nullable=False),
    sa.Column("description", sa.String(length=255), nullable=False),
    sa.Column("name", sa.String(length=255), nullable=False),
    sa.Column("version", sa.String(length=255), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
    sa.Column("uploaded_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("main_package_id")
)
sa.Table("cc_lapi_completions", metadata,
    sa.Column("offset", sa.BigInteger(), nullable=False),
    sa.Column("request_key", sa.String(length=128), nullable=False),
    sa.Column("command_id", sa.String(length=255), nullable=False),
    sa.Column("user_id", sa.String(length=255), nullable=False),
    sa.Column("act_as", sa.Text(), nullable=False),
    sa.Column("submission_id", sa.String(length=255), nullable=False),
    sa.Column("update_id", sa.String(length=128), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=False),
    sa.Column("status_message", sa.Text(), nullable=False),
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("record_time", sa.BigInteger(), nullable=False),
    sa.Column("deduplication_duration", sa.BigInteger(), nullable=True),
    sa.Column("deduplication_offset", sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint("offset"),
    sa.UniqueConstraint("request_key")
)
sa.Table("cc_lapi_identity_provider_configs", metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("identity_provider_id", sa.String(length=255), nullable=False),
    sa.Column("issuer", sa.Text(), nullable=False),
    sa.Column("jwks_url", sa.Text(), nullable=False),
    sa.Column("is_deactivated", sa.Boolean(), nullable=False),
    sa.Column("audience", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("identity_provider_id")
)
sa.Table("cc_lapi_party_records", metadata,
    sa.Column("party", sa.String(length=512), nullable=False),
    sa.Column("identity_provider_id", sa.String(length=255), nullable=True),
    sa.Column("annotations", sa.Text(), nullable=False),
    sa.Column("resource_version", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("party")
)
sa.Table("cc_lapi_user_annotations", metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("user_internal_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=512), nullable=False),
    sa.Column("val", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("user_internal_id", "name")
)
sa.Index("ix_cc_lapi_user_annotations_user_internal_id", metadata.tables["cc_lapi_user_annotations"].c.user_internal_id)
sa.Table("cc_lapi_user_rights", metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("user_internal_id", sa.Integer(), nullable=False),
    sa.Column("user_right", sa.Integer(), nullable=False),
    sa.Column("for_party", sa.String(length=512), nullable=True),
    sa.Column("granted_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id")
)
sa.Index("ix_cc_lapi_user_rights_user_internal_id", metadata.tables["cc_lapi_user_rights"].c.user_internal_id)
sa.Table("cc_lapi_users", metadata,
    sa.Column("internal_id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("user_id", sa.String(length=128), nullable=False),
    sa.Column("primary_party", sa.String(length=512), nullable=True),
    sa.Column("identity_provider_id", sa.String(length=255), nullable=True),
    sa.Column("is_deactivated", sa.Boolean(), nullable=False),
    sa.Column("resource_version", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("internal_id"),
    sa.UniqueConstraint("user_id")
)
sa.Table("cc_ledger_updates", metadata,
    sa.Column("offset", sa.BigInteger(), nullable=False),
    sa.Column("update_id", sa.String(length=128), nullable=False),
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("record_time", sa.BigInteger(), nullable=False),
    sa.Column("command_id", sa.String(length=255), nullable=False),
    sa.Column("submitter", sa.Text(), nullable=False),
    sa.Column("events", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("offset"),
    sa.UniqueConstraint("update_id")
)
sa.Index("cc_ledger_updates_by_command", metadata.tables["cc_ledger_updates"].c.command_id)
sa.Table("cc_mediator_sequencer_connections", metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("connections", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("id")
)
sa.Table("cc_mediator_verdicts", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("request_id", sa.BigInteger(), nullable=False),
    sa.Column("verdict", sa.String(length=16), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("decided_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "request_id")
)
sa.Table("cc_member_cursors", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("timestamp", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id")
)
sa.Table("cc_node_identity", metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("identifier", sa.String(length=255), nullable=False),
    sa.Column("private_key", sa.LargeBinary(), nullable=False),
    sa.Column("fingerprint", sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint("id")
)
sa.Table("cc_participant_pruning", metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("pruned_up_to", sa.BigInteger(), nullable=True),
    sa.Column("internally_pruned_up_to", sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint("id")
)
sa.Table("cc_pruning_schedule", metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("cron", sa.String(length=255), nullable=False),
    sa.Column("max_duration", sa.BigInteger(), nullable=False),
    sa.Column("retention", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id")
)
sa.Table("cc_repair_updates", metadata,
    sa.Column("offset", sa.BigInteger(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("workflow_id", sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint("offset")
)
sa.Table("cc_replica_lease", metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("holder", sa.String(length=255), nullable=False),
    sa.Column("expires_at", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id")
)
sa.Table("cc_resource_limits", metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("max_inflight_validation_requests", sa.Integer(), nullable=True),
    sa.Column("max_submission_rate", sa.Integer(), nullable=True),
    sa.Column("max_submission_burst_factor", sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint("id")
)
sa.Table("cc_schema_meta", metadata,
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("value", sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint("key")
)
sa.Table("cc_sequenced_events", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("timestamp", sa.BigInteger(), nullable=False),
    sa.Column("sender", sa.String(length=512), nullable=False),
    sa.Column("message_id", sa.String(length=128), nullable=False),
    sa.Column("batch", sa.LargeBinary(), nullable=False),
    sa.Column("recipients", sa.Text(), nullable=False),
    sa.Column("cost", sa.BigInteger(), nullable=False),
    sa.Column("error", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("synchronizer_id", "timestamp")
)
sa.Table("cc_sequencer_acknowledgements", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("member", sa.String(length=512), nullable=False),
    sa.Column("timestamp", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "member")
)
sa.Table("cc_sequencer_disabled_members", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("member", sa.String(length=512), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "member")
)
sa.Table("cc_sequencer_lower_bound", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("timestamp", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id")
)
sa.Table("cc_synchronizer_connections", metadata,
    sa.Column("alias", sa.String(length=255), nullable=False),
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("sequencers", sa.Text(), nullable=False),
    sa.Column("trust_threshold", sa.Integer(), nullable=False),
    sa.Column("connected", sa.Boolean(), nullable=False),
    sa.Column("priority", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("alias")
)
sa.Table("cc_synchronizers", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("name", sa.String(length=255), nullable=False),
    sa.Column("static_parameters", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id")
)
sa.Table("cc_topology_transactions", metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("mapping_code", sa.String(length=64), nullable=False),
    sa.Column("mapping_key", sa.String(length=512), nullable=False),
    sa.Column("serial", sa.Integer(), nullable=False),
    sa.Column("operation", sa.String(length=16), nullable=False),
    sa.Column("mapping", sa.Text(), nullable=False),
    sa.Column("signatures", sa.Text(), nullable=False),
    sa.Column("is_proposal", sa.Boolean(), nullable=False),
    sa.Column("sequenced", sa.BigInteger(), nullable=False),
    sa.Column("valid_from", sa.BigInteger(), nullable=False),
    sa.Column("valid_until", sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint("id")
)
sa.Index("ix_cc_topology_transactions_synchronizer_id", metadata.tables["cc_topology_transactions"].c.synchronizer_id)
sa.Table("cc_topup_submissions", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("member", sa.String(length=512), nullable=False),
    sa.Column("serial", sa.Integer(), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("max_sequencing_time", sa.BigInteger(), nullable=False),
    sa.Column("sequencer", sa.String(length=512), nullable=False),
    sa.Column("signature", sa.LargeBinary(), nullable=False),
    sa.Column("sequenced", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "member", "serial", "amount", "max_sequencing_time", "sequencer")
)
sa.Table("cc_traffic_consumed", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("member", sa.String(length=512), nullable=False),
    sa.Column("sequencing_timestamp", sa.BigInteger(), nullable=False),
    sa.Column("extra_traffic_consumed", sa.BigInteger(), nullable=False),
    sa.Column("base_traffic_remainder", sa.BigInteger(), nullable=False),
    sa.Column("last_consumed_cost", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "member")
)
sa.Table("cc_traffic_purchased", metadata,
    sa.Column("synchronizer_id", sa.String(length=255), nullable=False),
    sa.Column("member", sa.String(length=512), nullable=False),
    sa.Column("serial", sa.Integer(), nullable=False),
    sa.Column("extra_traffic_purchased", sa.BigInteger(), nullable=False),
    sa.Column("sequencing_timestamp", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("synchronizer_id", "member", "serial")
)


# Canton's user management migration gives every participant this user with the ParticipantAdmin right.
DEFAULT_ADMIN_USER = "participant_admin"
PARTICIPANT_ADMIN_RIGHT = 1


def seed_default_admin_user(bind: sa.Connection) -> None:
    """``participant_admin`` with the ParticipantAdmin right, as the users table is created."""
    users, rights = metadata.tables["cc_lapi_users"], metadata.tables["cc_lapi_user_rights"]
    result = bind.execute(
        users.insert().values(user_id=DEFAULT_ADMIN_USER, primary_party=None, identity_provider_id=None, is_deactivated=False, resource_version=0, created_at=0)
    )
    assert result.inserted_primary_key is not None
    internal_id = result.inserted_primary_key[0]
    bind.execute(rights.insert().values(user_internal_id=internal_id, user_right=PARTICIPANT_ADMIN_RIGHT, for_party=None, granted_at=0))


def create_missing(bind: sa.Connection) -> list[str]:
    """(adopting a store of the layout before Alembic) Create the tables and indexes of this revision
    the store lacks, as that layout's every start did; the users table comes with ``participant_admin``.
    Returns the tables created."""
    inspector = sa.inspect(bind)
    existing = set(inspector.get_table_names())
    created = [table.name for table in metadata.sorted_tables if table.name not in existing]
    metadata.create_all(bind, tables=[metadata.tables[name] for name in created], checkfirst=False)
    for table in metadata.sorted_tables:
        if table.name in created:
            continue
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(bind)
    if "cc_lapi_users" in created:
        seed_default_admin_user(bind)
    return created


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind, checkfirst=False)
    seed_default_admin_user(bind)


def downgrade() -> None:
    metadata.drop_all(op.get_bind(), checkfirst=False)
