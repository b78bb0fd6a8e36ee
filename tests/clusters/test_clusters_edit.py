"""``broadcast clusters edit``: a cluster renamed or moved to another zone keeps its account;
the registry keeps which zone it served when (``memberships``); ``list --history`` prints it;
and a running daemon sends the cluster its new zone's plan at once."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, main
from broadcast.clusters.messages import PLAN
from broadcast.clusters.registry import ClusterFiles, ClusterRegistry, Membership
from broadcast.receiver.settings import load_settings
from tests.clusters.cli_ward import ClustersCli, ward_paths
from tests.clusters.station_ward import eventually, ip_ward, start_station


@pytest.fixture
def clusters(tmp_path: Path, capsys) -> ClustersCli:
    return ClustersCli(ward_paths(tmp_path), capsys)


@pytest.fixture
def added(clusters) -> ClusterFiles:
    """Two clusters of the market zone, as ``clusters add`` makes them."""
    assert clusters("add", "cho-1", "--name", "Cụm loa chợ", "--zone", "khu-cho")[0] == EXIT_OK
    assert clusters("add", "cho-2", "--name", "Chợ 2", "--zone", "khu-cho")[0] == EXIT_OK
    return clusters.files


def registry_of(files: ClusterFiles) -> ClusterRegistry:
    return ClusterRegistry(files.registry)


def broker_files(files: ClusterFiles) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (files.passwd, files.acl, files.mosquitto_conf)}


def test_a_move_closes_the_old_zones_period_and_keeps_the_account(added, clusters):
    registry = registry_of(added)
    before = registry.get("cho-1")
    kept_before = load_settings(added.receiver_config("cho-1"))
    broker_before = broker_files(added)

    code, out, err = clusters("edit", "cho-1", "--zone", "Bến xe")

    assert (code, err) == (EXIT_OK, "")
    assert out.startswith(
        'Đã sửa cụm loa "cho-1":\n  khu vực: khu-cho (Khu chợ) → ben-xe (Bến xe), từ '
    )
    assert "không cần cài lại hộp điều khiển, không cần nạp lại Mosquitto" in out
    assert "dòng zone:" not in out  # rows follow the zone of the station's signed plans
    assert "Chương trình phát (broadcast run) chưa chạy" in out
    after = registry.get("cho-1")
    assert (after.zone, after.name) == ("ben-xe", "Cụm loa chợ")
    assert (after.password_hash, after.created_at) == (before.password_hash, before.created_at)
    # nothing in Mosquitto's files depends on a zone: they are left as they were
    assert broker_files(added) == broker_before
    # which zone it served when: the old period closed at the instant the new one opened
    moved = [m for m in registry.memberships() if m.cluster_id == "cho-1"]
    assert [(m.zone, m.name) for m in moved] == [
        ("khu-cho", "Cụm loa chợ"),
        ("ben-xe", "Cụm loa chợ"),
    ]
    assert moved[0].since == before.created_at and moved[0].until == moved[1].since
    assert moved[1].until is None
    assert moved[0].covers(before.created_at) and not moved[0].covers(moved[1].since)
    assert f"từ {moved[1].since:%Y-%m-%d %H:%M:%S}" in out
    # the station's copy of the box's file says the new zone, the password unchanged
    kept = load_settings(added.receiver_config("cho-1"))
    assert kept.zone == "ben-xe" and kept.password == kept_before.password
    assert kept.warnings == ()
    assert "# Khu vực của đài mà cụm loa phát: Bến xe." in added.receiver_config("cho-1").read_text(
        "utf-8"
    )
    # the other cluster of the zone is untouched
    assert [(m.cluster_id, m.zone, m.until) for m in registry.memberships()][1] == (
        "cho-2",
        "khu-cho",
        None,
    )


def test_a_new_name_renames_the_current_period_only(added, clusters):
    code, out, err = clusters("edit", "cho-1", "--name", "  Cụm loa chợ Long Anh ")

    assert (code, err) == (EXIT_OK, "")
    assert out.startswith('Đã sửa cụm loa "cho-1":\n  tên: Cụm loa chợ → Cụm loa chợ Long Anh\n')
    assert "dòng zone:" not in out  # the box has nothing to change
    registry = registry_of(added)
    assert registry.get("cho-1").name == "Cụm loa chợ Long Anh"
    first = registry.memberships()[0]
    assert (first.cluster_id, first.zone, first.name, first.until) == (
        "cho-1",
        "khu-cho",
        "Cụm loa chợ Long Anh",
        None,
    )
    assert len(registry.memberships()) == 2
    text = added.receiver_config("cho-1").read_text("utf-8")
    assert text.startswith('# Cấu hình bộ thu của cụm loa IP "cho-1" (Cụm loa chợ Long Anh).\n')
    listed = clusters("list")[1].splitlines()
    assert listed[2].startswith("cho-1  Cụm loa chợ Long Anh  khu-cho")


def test_a_new_name_and_zone_together_leave_the_old_period_its_old_name(added, clusters):
    code, _, _ = clusters("edit", "cho-1", "--name", "Cụm loa bến xe", "--zone", "ben-xe")

    assert code == EXIT_OK
    moved = [m for m in registry_of(added).memberships() if m.cluster_id == "cho-1"]
    assert [(m.zone, m.name) for m in moved] == [
        ("khu-cho", "Cụm loa chợ"),
        ("ben-xe", "Cụm loa bến xe"),
    ]
    rows = json.loads(clusters("list", "--json")[1])
    assert (rows[0]["id"], rows[0]["name"], rows[0]["zone"]) == (
        "cho-1",
        "Cụm loa bến xe",
        "ben-xe",
    )


def test_history_lists_every_period_removed_clusters_included(added, clusters):
    clusters("edit", "cho-1", "--zone", "ben-xe")
    clusters("remove", "cho-2")

    code, out, err = clusters("list", "--history")

    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0].split() == ["Mã", "Tên", "Khu", "vực", "Từ", "Đến"]
    assert [line.split()[0] for line in lines[2:]] == ["cho-1", "cho-2", "cho-1"]
    assert lines[-1].endswith("nay") and not lines[2].endswith("nay")
    rows = json.loads(clusters("list", "--history", "--json")[1])
    assert [(r["cluster_id"], r["zone"], r["until"] is None) for r in rows] == [
        ("cho-1", "khu-cho", False),
        ("cho-2", "khu-cho", False),
        ("cho-1", "ben-xe", True),
    ]
    found = registry_of(added).memberships()
    assert [
        Membership(
            r["cluster_id"],
            r["zone"],
            r["name"],
            datetime.fromisoformat(r["since"]),
            datetime.fromisoformat(r["until"]) if r["until"] else None,
        )
        for r in rows
    ] == found


def test_history_of_a_ward_without_clusters(clusters):
    assert clusters("list", "--history") == (EXIT_OK, "Chưa có cụm loa IP nào.\n", "")
    assert not (clusters.paths.data_dir / "clusters").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("cho1", "--zone", "ben-xe"), 'Lỗi: không có cụm loa "cho1" (có phải "cho-1"?)'),
        (("cho-1",), "Lỗi: không có gì để sửa: cho --name TÊN-MỚI, --zone KHU-VỰC-MỚI"),
        (("cho-1", "--zone", "khu-cho"), 'Lỗi: cụm loa "cho-1" đã phát khu vực "khu-cho"\n'),
        (
            ("cho-1", "--name", "Mới", "--zone", "Khu chợ"),
            'Lỗi: cụm loa "cho-1" đã phát khu vực "khu-cho"; chỉ đổi tên thì bỏ --zone\n',
        ),
        (("cho-1", "--name", "Cụm loa chợ"), 'Lỗi: cụm loa "cho-1" đã có tên "Cụm loa chợ"\n'),
        (("cho-1", "--name", "  "), "Lỗi: tên cụm loa trống\n"),
        (
            ("cho-1", "--name", "Chợ\nzone: ben-xe"),
            "Lỗi: tên cụm loa không được có xuống dòng hay ký tự điều khiển\n",
        ),
        (
            ("cho-1", "--zone", "ben-x"),
            'Lỗi: khu vực "ben-x" không có trong schedules.yaml (có phải "ben-xe"?)',
        ),
        (
            ("cho-1", "--zone", "trung-tam"),
            'Lỗi: khu vực "trung-tam" phát qua card âm thanh của đài, không phải output: ip; '
            "các khu vực output: ip: khu-cho, ben-xe\n",
        ),
    ],
)
def test_edit_refuses_and_changes_nothing(added, clusters, argv, message):
    registry = registry_of(added)
    before = (registry.clusters(), registry.memberships())
    kept = added.receiver_config("cho-1").read_bytes()

    code, out, err = clusters("edit", *argv)

    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err.startswith(message)
    assert (registry.clusters(), registry.memberships()) == before
    assert added.receiver_config("cho-1").read_bytes() == kept


def test_a_removed_cluster_cannot_be_edited(added, clusters):
    clusters("remove", "cho-2")
    code, out, err = clusters("edit", "cho-2", "--name", "Chợ hai")
    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err.startswith('Lỗi: cụm loa "cho-2" đã bị xóa lúc ')
    assert err.endswith("thêm lại bằng: broadcast clusters add cho-2 --name … --zone …\n")


def test_add_refuses_a_name_that_would_break_the_boxs_file(clusters):
    code, out, err = clusters("add", "cho-1", "--name", "Chợ\ncluster: x", "--zone", "khu-cho")
    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err == "Lỗi: tên cụm loa không được có xuống dòng hay ký tự điều khiển\n"
    assert not (clusters.paths.data_dir / "clusters").exists()


@pytest.mark.slow
def test_the_running_daemon_sends_the_moved_cluster_its_new_zones_plan(
    tmp_path, mosquitto_broker, capsys
):
    ward = ip_ward(
        tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho", "cum-ben": "loa-ben"}
    )
    daemon = start_station(ward)
    try:
        station = daemon.ip_station
        eventually(lambda: station.published("cum-cho"), what="the first plans")
        passes = station.passes

        code = main(
            ["--home", str(ward.paths.home), "clusters", "edit", "cum-cho", "--zone", "loa-ben"]
        )

        out = capsys.readouterr().out
        assert code == EXIT_OK
        assert "Chương trình phát đang chạy đã đọc lại danh sách cụm loa" in out
        # the pass the reload started (not the hourly one) sends the new zone's entries
        eventually(lambda: station.passes > passes, what="a plan pass after the edit")
        entries = eventually(
            lambda: [
                e for e in station.published("cum-cho") if (e.airing or {}).get("zone") == "loa-ben"
            ],
            what="the new zone's plan",
        )
        assert entries
        client = ward.cluster("cum-cho", PLAN)
        try:  # the retained plan may still be the old one: the new one follows it then
            zones = [ward.opened(client.next_message(timeout=5), "cum-cho", PLAN)["zone"]]
            while zones[-1] != "loa-ben" and len(zones) < 3:
                zones.append(ward.opened(client.next_message(timeout=5), "cum-cho", PLAN)["zone"])
        finally:
            client.close()
        assert zones[-1] == "loa-ben"
        assert {c.id: c.zone for c in station.clusters(fresh=True)} == {
            "cum-cho": "loa-ben",
            "cum-ben": "loa-ben",
        }
    finally:
        daemon.stop()
