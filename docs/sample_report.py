"""Makes docs/bao-cao-mau-trang-1.png: page 1 of the sample ward's Quý IV report, as Word
writes it and LibreOffice prints it.

The sample ward (this repository's schedules.yaml, lexicon.yaml and scripts_vi/) is given a
play log as its daemon writes one: every item its timetable plans from 02/11 to 04/12/2026,
played to its end, except a day the daemon was down (18/11, logged missed) and two days when
tổ dân phố 3's amplifier failed 4 s into each item (24–25/11, partial), and one emergency
bulletin on every zone (27/11). Then ``broadcast report --period 2026-Q4 --format docx`` is run
as the officer would run it (dated today: the quarter is still open), LibreOffice converts the
document to PDF and pdftoppm makes page 1 a PNG.

Needs Debian's libreoffice-writer and poppler-utils (``deploy/system-deps.sh --test``). Run from
the project root: ``.venv/bin/python docs/sample_report.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from broadcast.config import load_config  # noqa: E402  (after the path: run as a script)
from broadcast.paths import ProjectPaths  # noqa: E402
from broadcast.playlog import Airing, Outcome, PlayLog, Reason  # noqa: E402
from broadcast.playlog.history import plan_days  # noqa: E402
from broadcast.playlog.model import BulletinRecord  # noqa: E402
from broadcast.scripts import load_folder  # noqa: E402

FIRST_DAY, LAST_DAY = date(2026, 11, 2), date(2026, 12, 4)
DAEMON_DOWN = {date(2026, 11, 18)}
AMPLIFIER_FAILED = {date(2026, 11, 24), date(2026, 11, 25)}  # tổ dân phố 3's
FAILED_ZONE = "tdp-3"
PICTURE = REPOSITORY / "docs" / "bao-cao-mau-trang-1.png"


def sample_ward(home: Path) -> ProjectPaths:
    for name in ("schedules.yaml", "lexicon.yaml"):
        shutil.copy(REPOSITORY / name, home / name)
    shutil.copytree(REPOSITORY / "scripts_vi", home / "scripts_vi")
    # The sample airs only approved scripts (approval: required); this picture is about the
    # report's figures, so the made-up log plays the timetable as planned without approvals.
    schedules = home / "schedules.yaml"
    text = schedules.read_text(encoding="utf-8")
    assert "\napproval: required\n" in text, "the sample's approval line moved"
    schedules.write_text(
        text.replace("\napproval: required\n", "\napproval: off\n"), encoding="utf-8"
    )
    return ProjectPaths(home)


def write_log(paths: ProjectPaths) -> None:
    config = load_config(paths)
    scripts = load_folder(paths).scripts
    by_id = {script.id: script for script in scripts}
    with PlayLog.open(paths) as log:
        day = FIRST_DAY
        while day <= LAST_DAY:
            for item in plan_days(config, scripts, day, log).items:
                for segment in item.segments:
                    script = by_id.get(segment.script_id or "")
                    if script is None:
                        continue  # the chime: not a broadcast
                    at = item.start + timedelta(seconds=segment.offset_seconds)
                    for zone in segment.zones:
                        airing = Airing(
                            zone=zone,
                            scheduled_at=at,
                            title=script.title,
                            script_id=script.id,
                            topic=script.topic,
                            slot_id=item.slot_id,
                            program=item.program_id,
                            planned_seconds=segment.duration_seconds,
                        )
                        _play(log, airing, day, zone)
            day += timedelta(days=1)
        _emergency(log, config.timezone, tuple(zone.id for zone in config.zones))


def _play(log: PlayLog, airing: Airing, day: date, zone: str) -> None:
    if day in DAEMON_DOWN:
        log.record_missed(airing, Reason.DAEMON_DOWN)
        return
    at = airing.scheduled_at
    started = log.start_attempt(airing, at)
    if day in AMPLIFIER_FAILED and zone == FAILED_ZONE:
        end, outcome, reason = 4.0, Outcome.PARTIAL, Reason.DEVICE_ERROR
    else:
        end, outcome, reason = airing.planned_seconds or 0.0, Outcome.PLAYED, None
    log.finish_attempt(
        started, outcome, ended_at=at + timedelta(seconds=end), aired_seconds=end, reason=reason
    )


def _emergency(log: PlayLog, timezone, zones: tuple[str, ...]) -> None:
    sent = datetime(2026, 11, 27, 15, 10, tzinfo=timezone)
    bulletin = BulletinRecord(
        "khan-cap-20261127-151000-a1b2",
        "emergency",
        sent,
        zones,
        "Cảnh báo mưa lớn, ngập úng",
        sender="can-bo-truc",
        text="Mưa lớn chiều nay, bà con không đi qua ngầm tràn.",
    )
    log.record_bulletin(bulletin)
    for zone in zones:
        airing = Airing(zone=zone, scheduled_at=sent, title=bulletin.title, planned_seconds=42.0,
                        bulletin_id=bulletin.id)  # fmt: skip
        started = log.start_attempt(airing, sent)
        log.finish_attempt(
            started, Outcome.PLAYED, ended_at=sent + timedelta(seconds=42), aired_seconds=42.0
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        home = Path(work) / "ward"
        home.mkdir()
        paths = sample_ward(home)
        write_log(paths)
        document = Path(work) / "bao-cao-2026-Q4.docx"
        command = ["report", "--period", "2026-Q4", "--format", "docx", "--out", str(document)]
        subprocess.run(
            [sys.executable, "-m", "broadcast", "--home", str(home), *command],
            check=True,
            cwd=REPOSITORY,
        )
        profile = f"-env:UserInstallation=file://{work}/lo-profile"  # not the user's own
        subprocess.run(
            ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", work,
             str(document)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        page = Path(work) / "trang"
        pdf = document.with_suffix(".pdf")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(page)],
            check=True,
        )  # fmt: skip
        shutil.copy(page.with_suffix(".png"), PICTURE)
    print(f"đã ghi {PICTURE.relative_to(REPOSITORY)}")


if __name__ == "__main__":
    main()
