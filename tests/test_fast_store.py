"""The hot paths' prepared statements (store.fast) on SQLite and PostgreSQL: what they write is what
SQLAlchemy reads back, a transaction is all or nothing, a constraint violation reaches the caller as
SQLAlchemy's error (the storage stays up) and a database that went away fails the storage as a Core
statement would."""

from __future__ import annotations

import pytest
from conftest import PG_HOST, PG_PORT, PG_USER
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from canton_console.store import fast
from canton_console.store import schema as s
from canton_console.store.storage import Storage, StorageSpec, StorageUnavailable


def _update(offset: int, update_id: str) -> dict:
    return {
        "offset": offset,  # a column name the SQL must quote
        "update_id": update_id,
        "synchronizer_id": "da::1",
        "record_time": 10 + offset,
        "command_id": "",
        "submitter": "[]",
        "events": "[]",
    }


def _contract(cid: str) -> dict:
    return {
        "contract_id": cid,
        "synchronizer_id": "da::1",
        "template_id": "T",
        "arguments": "{}",
        "signatories": "[]",
        "observers": "[]",
        "created_offset": 1,
        "archived_offset": None,
    }


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request, tmp_path):
    if request.param == "sqlite":
        store = Storage(StorageSpec.sqlite(tmp_path / "fast.db"))
    else:
        database = request.getfixturevalue("pg_databases")("fast")
        url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
        store = Storage(StorageSpec("postgres", url, None, f"postgres database '{database}'"))
    yield store
    store.close()


def _offsets(storage: Storage) -> list[int]:
    with storage.read() as conn:
        return list(conn.execute(select(s.LedgerUpdateRow.offset).order_by(s.LedgerUpdateRow.offset)).scalars())


def test_rows_written_with_prepared_statements_read_back_through_sqlalchemy(storage):
    with fast.transaction(storage) as conn:
        conn.insert(s.LedgerUpdateRow, [_update(1, "a"), _update(2, "b")])
        conn.insert(s.ContractRow, [_contract("c1")])
    with storage.read() as c:
        rows = c.execute(select(s.LedgerUpdateRow.__table__).order_by(s.LedgerUpdateRow.offset)).mappings().all()
    assert [(r["offset"], r["update_id"], r["record_time"]) for r in rows] == [(1, "a", 11), (2, "b", 12)]
    with fast.read(storage) as conn:
        assert conn.execute(f"SELECT contract_id, archived_offset FROM cc_contracts WHERE contract_id = {conn.mark}", ["c1"]).fetchall() == [("c1", None)]


def test_a_constraint_violation_reaches_the_caller_and_nothing_of_the_transaction_is_stored(storage):
    with fast.transaction(storage) as conn:
        conn.insert(s.LedgerUpdateRow, [_update(1, "a")])
    with pytest.raises(IntegrityError):
        with fast.transaction(storage) as conn:
            conn.insert(s.LedgerUpdateRow, [_update(2, "b")])
            conn.insert(s.LedgerUpdateRow, [_update(1, "again")])
    assert _offsets(storage) == [1]
    assert storage.failure is None  # a bug of ours, not an outage: the store stays up
    with fast.transaction(storage) as conn:  # and takes the next transaction
        conn.insert(s.LedgerUpdateRow, [_update(2, "b")])
    assert _offsets(storage) == [1, 2]


def test_only_contracts_not_stored_yet_are_inserted(storage):
    with fast.transaction(storage) as conn:
        conn.insert(s.ContractRow, [_contract("c1")])
    with fast.transaction(storage) as conn:
        there = conn.insert_new(s.ContractRow, [_contract("c1"), _contract("c2")], "contract_id")
    assert [row["contract_id"] for row in there] == ["c1"]
    with storage.read() as c:
        assert sorted(c.execute(select(s.ContractRow.contract_id)).scalars()) == ["c1", "c2"]


def test_core_statements_share_the_prepared_statements_transaction(storage):
    with pytest.raises(IntegrityError):
        with fast.transaction(storage, core=True) as conn:
            assert conn.core is not None
            conn.insert(s.LedgerUpdateRow, [_update(1, "a")])
            conn.core.execute(s.LedgerUpdateRow.__table__.insert(), [_update(1, "twice")])
    assert _offsets(storage) == []


def test_a_sqlite_store_that_became_unreadable_fails_the_storage(tmp_path):
    storage = Storage(StorageSpec.sqlite(tmp_path / "fast.db"))
    try:
        storage.engine.dispose()  # type: ignore[union-attr]
        (tmp_path / "fast.db").write_bytes(b"not a database any more" * 200)
        with pytest.raises(StorageUnavailable):
            with fast.transaction(storage) as conn:
                conn.insert(s.LedgerUpdateRow, [_update(1, "a")])
        assert storage.failure is not None
        with pytest.raises(StorageUnavailable):  # failed: no statement reaches the database
            with fast.read(storage):
                pass
    finally:
        storage.close()
