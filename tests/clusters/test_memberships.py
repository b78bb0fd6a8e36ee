"""Which clusters served which zone when: kept in the registry across add, edit, remove and an
id taken again, and made from the clusters of a registry older than the history."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from broadcast.clusters.registry import ClusterRegistry, Membership, UnknownCluster

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_add_remove_and_readd_keep_each_period(tmp_path: Path) -> None:
    registry = ClusterRegistry(tmp_path / "registry.sqlite3")
    registry.add("cho", name="Cụm loa chợ", zone="to-1", password_hash="x", now=T0)
    registry.add("dinh", name="Cụm loa đình", zone="to-1", password_hash="x", now=T0)
    registry.remove("cho", now=T0 + timedelta(days=1))
    registry.add(
        "cho", name="Cụm loa chợ mới", zone="to-2", password_hash="y", now=T0 + timedelta(days=2)
    )

    found = registry.memberships()

    assert found == [
        Membership("cho", "to-1", "Cụm loa chợ", T0, T0 + timedelta(days=1)),
        Membership("dinh", "to-1", "Cụm loa đình", T0),
        Membership("cho", "to-2", "Cụm loa chợ mới", T0 + timedelta(days=2)),
    ]
    first = found[0]
    assert first.covers(T0) and first.covers(T0 + timedelta(hours=23))
    assert not first.covers(T0 + timedelta(days=1)) and not first.covers(T0 - timedelta(seconds=1))


def test_a_registry_without_history_gets_one_from_its_clusters(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    with sqlite3.connect(path) as db:  # the table as the registry made it before
        db.executescript(
            "CREATE TABLE clusters (id TEXT PRIMARY KEY, name TEXT NOT NULL, zone TEXT NOT NULL,"
            " created_at TEXT NOT NULL, username TEXT NOT NULL, password_hash TEXT NOT NULL,"
            " removed_at TEXT);"
        )
        db.execute(
            "INSERT INTO clusters VALUES ('cho', 'Cụm loa chợ', 'to-1', ?, 'cho', 'x', ?)",
            (T0.isoformat(), (T0 + timedelta(days=3)).isoformat()),
        )
        db.execute(
            "INSERT INTO clusters VALUES ('dinh', 'Cụm loa đình', 'to-1', ?, 'dinh', 'x', NULL)",
            ((T0 + timedelta(days=1)).isoformat(),),
        )
    db.close()

    registry = ClusterRegistry(path)
    ClusterRegistry(path)  # opened again: nothing copied twice

    assert registry.memberships() == [
        Membership("cho", "to-1", "Cụm loa chợ", T0, T0 + timedelta(days=3)),
        Membership("dinh", "to-1", "Cụm loa đình", T0 + timedelta(days=1)),
    ]


def test_edit_moves_and_renames_with_the_history_kept(tmp_path: Path) -> None:
    registry = ClusterRegistry(tmp_path / "registry.sqlite3")
    registry.add("cho", name="Cụm loa chợ", zone="to-1", password_hash="x", now=T0)
    moved_at = T0 + timedelta(days=1)

    moved = registry.edit("cho", zone="to-2", now=moved_at)
    renamed = registry.edit("cho", name="Cụm loa chợ mới", now=moved_at + timedelta(hours=1))

    assert (moved.zone, moved.name, moved.password_hash) == ("to-2", "Cụm loa chợ", "x")
    assert renamed == registry.get("cho")
    assert (renamed.zone, renamed.name, renamed.created_at) == ("to-2", "Cụm loa chợ mới", T0)
    assert registry.memberships() == [
        Membership("cho", "to-1", "Cụm loa chợ", T0, moved_at),
        Membership("cho", "to-2", "Cụm loa chợ mới", moved_at),
    ]


def test_edit_refuses_an_unknown_or_removed_cluster(tmp_path: Path) -> None:
    registry = ClusterRegistry(tmp_path / "registry.sqlite3")
    registry.add("cho", name="Cụm loa chợ", zone="to-1", password_hash="x", now=T0)
    registry.remove("cho", now=T0 + timedelta(hours=1))
    before = registry.memberships()
    for cluster in ("cho", "dinh"):
        with pytest.raises(UnknownCluster):
            registry.edit(cluster, zone="to-2", now=T0 + timedelta(hours=2))
    assert registry.memberships() == before
