"""``broadcast demo`` shows one IP zone: on its copy of the ward, a real Mosquitto and a
``broadcast receiver`` process play the rehearsal beside the wired zones, into WAV files, and
the receiver's rows come back into the rehearsal's log with its own timestamps. A rehearsal of
the ward itself never plans the ward's clusters. (Without Mosquitto the demo runs all the same
and says why its IP zone is left out: ``tests/daemon/test_demo_approval.py``.)
"""

from __future__ import annotations

import re

import pytest

from broadcast.cli.demo_ip import CLUSTER_ID, IP_WAV_FOLDER, RECEIVER_FOLDER
from broadcast.cli.demo_ip_ward import ZONE_ID, IpZonePorts, WardNotEditable, add_ip_zone
from broadcast.clusters.registry import ClusterFiles
from broadcast.config import load_config
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.rehearsal import Rehearsal, rehearsal_paths
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome, PlayLog
from broadcast.processes import process_alive
from broadcast.sinks.file import FileSink
from tests.clusters.station_ward import IP_SECTION, ip_zone_yaml
from tests.daemon.daemon_project import make_project, rows, ward_now, zone_yaml
from tests.daemon.test_demo_approval import demo, ward


def pids(said: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"\(tiến trình (\d+)\)", said)]


@pytest.mark.slow  # the whole demo as a subprocess, with its broker and receiver processes
def test_the_demo_plays_its_ip_zone_beside_the_wired_zones(tmp_path):
    paths = ward(tmp_path / "ward")
    said = demo(paths)

    section = said[said.index("6. Cụm loa IP") : said.index("7. Phát diễn tập")]
    assert f"Cụm loa {CLUSTER_ID}" in section and "broadcast clusters add" in section
    assert "Mosquitto (tiến trình" in section and "broadcast receiver --config" in section
    assert len(pids(section)) == 2
    assert not any(process_alive(pid) for pid in pids(section))  # both ended with the demo

    home = paths.home / "demo_out"
    rehearsed = rehearsal_paths(ProjectPaths(home / "ward"))
    aired = rows(rehearsed)
    ip_rows = [row for row in aired if row.airing.zone == ZONE_ID]
    wired = [row for row in aired if row.airing.zone == "pho-2"]
    assert ip_rows and wired
    assert all(row.outcome is Outcome.PLAYED and row.to_file for row in ip_rows)
    assert all((row.output or "").startswith(f"cụm loa IP {CLUSTER_ID}") for row in ip_rows)
    # the same scripts and audio, under the same approvals, at the same seconds as the wired zone
    by_script = {row.airing.script_id: row for row in wired}
    assert {row.airing.script_id for row in ip_rows} == set(by_script)
    for row in ip_rows:
        twin = by_script[row.airing.script_id]
        assert row.airing.approval_id == twin.airing.approval_id is not None
        assert row.airing.audio_hash == twin.airing.audio_hash
        assert row.started_at and twin.started_at
        assert abs((row.started_at - twin.started_at).total_seconds()) < 3.0

    # the receiver's own log: every row the station stored, with the receiver's timestamps
    receiver_data = home / RECEIVER_FOLDER / "data"
    own = ProjectPaths(receiver_data, data_override=receiver_data)
    with PlayLog.open_for_reading(own) as log:
        played = {(r.airing.script_id, r.started_at, r.ended_at) for r in log.attempts()}
    assert {(r.airing.script_id, r.started_at, r.ended_at) for r in ip_rows} <= played
    assert len(list((home / IP_WAV_FOLDER).glob("*.wav"))) >= len(ip_rows)

    with PlayLog.open_for_reading(rehearsed) as log:
        assert log.verify().ok  # the chain holds the ingested rows
    printed_log = said[said.index("8. Nhật ký phát") : said.index("9. Chuỗi bằng chứng")]
    assert printed_log.count(f"cụm loa IP {CLUSTER_ID}") == len(ip_rows)
    assert f"{len(ip_rows)} dòng" in said

    # the ward's own timetable never gets the demo's zone nor its broker
    assert "ip_clusters" not in paths.schedules_file.read_text(encoding="utf-8")
    assert not ClusterFiles.under(paths.data_dir).root.exists()


def test_the_copy_gets_the_ip_zone_in_slots_that_name_their_zones(tmp_path):
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "file", [1]), zone_yaml("pho-2", "file", [2])],
        {}, {"sang": ward_now()}, slot_zones="pho-1",
    )  # fmt: skip
    before = paths.schedules_file.read_text(encoding="utf-8")
    add_ip_zone(paths, IpZonePorts(18830, 18090))
    config = load_config(paths)
    assert [slot.zones for slot in config.slots] == [("pho-1", ZONE_ID)]
    assert config.ip_clusters is not None and config.ip_clusters.broker_port == 18830
    assert next(z for z in config.zones if z.id == ZONE_ID).is_ip
    after = paths.schedules_file.read_text(encoding="utf-8")
    # every line kept as written (comments too) but the slot's zones
    assert set(before.splitlines()) - set(after.splitlines()) == {"    zones: [pho-1]"}
    assert f"    zones: [pho-1, {ZONE_ID}]" in after.splitlines()

    with pytest.raises(WardNotEditable):  # a second time: the zone is taken; file unchanged
        add_ip_zone(paths, IpZonePorts(18831, 18091))
    assert paths.schedules_file.read_text(encoding="utf-8") == after


def test_a_rehearsal_plans_only_clusters_of_its_own(tmp_path):
    paths = make_project(tmp_path, [zone_yaml("pho-2", "file", [1]), ip_zone_yaml("cum-1")], {}, {})
    with paths.schedules_file.open("a", encoding="utf-8") as schedules:
        schedules.write(
            IP_SECTION.format(ward="long-anh", broker=1, audio=2, heartbeat=5, silent=30)
        )
    ward_clusters = ClusterFiles.under(paths.data_dir)
    ward_clusters.root.mkdir(parents=True)
    ward_clusters.registry.touch()  # the ward's clusters, registered
    rehearsal = rehearsal_paths(paths)
    options = DaemonOptions(console_log=None, rehearsal=Rehearsal(), render_ahead=False)

    daemon = BroadcastDaemon(rehearsal, FileSink(tmp_path / "wav"), options=options)
    assert daemon.ip_station is None  # the ward's clusters keep the real plan
    daemon.log.close()

    own = ClusterFiles.under(rehearsal.data_dir)
    own.root.mkdir(parents=True)
    own.registry.touch()  # the demo's clusters, on its own broker
    daemon = BroadcastDaemon(rehearsal, FileSink(tmp_path / "wav"), options=options)
    assert daemon.ip_station is not None
    assert daemon.ip_station.rows_wait_seconds > 0  # its log is printed once their rows came
    daemon.log.close()
