"""``broadcast demo``: the main job on the project folder, end to end, ending by itself.

Check the scripts and the timetable, render the audio offline, then on a rehearsal copy of the
ward (``demo_out/ward/``: a fresh clone has nothing approved, and the ward's own scripts and
log are never touched) show the approval chain — the board approves all scripts but one and
edits one after approving it — today's plan with the two left out and why, a rehearsal of
today's programs (slots moved to start within seconds, each item cut to a short excerpt), its
log, and the chain of one aired script (``trace``). Beside the wired zones one IP zone is heard
through a real Mosquitto and a ``broadcast receiver`` process on this PC (``demo_ip``; left out,
saying why, where Mosquitto is not installed). The rehearsal goes into WAV files under
``demo_out/`` unless the technician asks for the loudspeakers (``--to-speakers``): on the
broadcast PC a demo must never sound in the street by surprise — nor, even when asked, inside
the quiet hours (``run --rehearsal`` holds those items back).
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.project import Project, load_project
from broadcast.config import load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.schedule.labels import day_label

ORDER = 1
DEMO_FOLDER = "demo_out"
WAV_FOLDER = "wav"  # under DEMO_FOLDER: the rehearsal's sound unless --to-speakers
EXCERPT_SECONDS = 3.0
DEMO_COMMENT = "Đồng ý phát (chạy thử)"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="chạy thử toàn bộ quy trình trên mẫu của thư mục dự án",
        description="Chạy thử toàn bộ quy trình: kiểm tra kịch bản và lịch phát, tạo âm thanh "
        "(không cần mạng), rồi trên một bản sao của phường trong demo_out/ward/: ban biên tập "
        "duyệt bài (để một bài chờ duyệt, sửa một bài sau khi duyệt), xem lịch phát hôm nay "
        "(hôm nay không có chương trình thì ngày gần nhất có), phát diễn tập các chương trình "
        "của ngày đó (dời giờ để bắt đầu ngay, mỗi bài phát vài giây đầu), in nhật ký phát "
        "và chuỗi bằng chứng của một bài đã phát. Kịch bản và "
        "nhật ký thật của phường không bị đụng tới. Mặc định buổi diễn tập chỉ ghi âm thanh ra "
        "tệp WAV trong demo_out/wav/, không phát ra loa. Bên cạnh các khu vực loa, một cụm loa "
        "IP chạy thử ngay trên máy này (máy chủ MQTT Mosquitto và bộ thu broadcast receiver) "
        "phát cùng giây, ghi ra demo_out/wav-ip/; máy chưa cài Mosquitto thì bỏ qua phần này.",
    )
    parser.add_argument(
        "--to-speakers",
        action="store_true",
        help="air the rehearsal through the configured sound cards (default: WAV files only); "
        "inside the quiet hours nothing sounds unless --ignore-quiet-hours",
    )
    parser.add_argument(
        "--ignore-quiet-hours",
        action="store_true",
        help="with --to-speakers, play on the loudspeakers even inside the quiet hours",
    )
    parser.set_defaults(handler=run_demo)


def _heading(text: str, explained: str | None = None) -> None:
    """A step's heading, then what it shows (for someone seeing the program for the first time)."""
    print(f"\n=== {text} ===", flush=True)
    if explained:
        print(explained, flush=True)


def _sound_notice(paths: ProjectPaths) -> None:
    """Say plainly where the rehearsal's sound will go: asked of the sink ``run`` will use."""
    from broadcast.sinks.protocol import ZoneSpeakers
    from broadcast.sinks.spec import FALLBACK_FOLDER, station_sink

    project = load_project(paths)
    if project is None:
        return  # ``run`` says why it cannot start
    speakers = list(ZoneSpeakers.all_from(project.config.zones).values())
    answers = station_sink(None, paths).health(speakers)
    to_files = [h for h in answers if h.to_file]
    silent = [h for h in answers if not h.playable]
    if to_files:
        folder = paths.relative(paths.data_dir / FALLBACK_FOLDER)
        print(
            "CHÚ Ý: không phát ra loa được ở "
            + ", ".join(f"{h.zone_id} ({h.problem})" for h in to_files)
            + f". Âm thanh của các khu vực này được ghi ra tệp WAV trong {folder}/.",
            flush=True,
        )
    for health in silent:
        print(f"CHÚ Ý: khu vực {health.zone_id} không phát được: {health.problem}.", flush=True)
    if not to_files and not silent:
        print("Âm thanh phát ra card âm thanh đã cấu hình cho từng khu vực.", flush=True)


def _command(paths: ProjectPaths, *argv: str) -> int:
    """Run another subcommand exactly as typed on the command line, on ``paths``."""
    from broadcast.cli import build_parser

    args = build_parser().parse_args(list(argv))
    return int(args.handler(args, paths))


def _board_approves(ward: ProjectPaths, project: Project | None, day: RehearsedDay) -> int:
    """On the copy, the board approves every script but one, then edits an approved one."""
    from broadcast.cli.demo_ward import ADDED_SENTENCE, add_sentence, choose

    if project is None:
        return EXIT_INPUT_ERRORS
    settings = project.config.approval
    if not settings.required:
        print(
            "schedules.yaml ghi approval: off (hoặc không ghi): không cần duyệt, mọi kịch bản "
            "hợp lệ đều được phát.",
            flush=True,
        )
        return EXIT_OK
    choice = choose(project, day.day or project.clock.now().date())
    if not choice.approved:
        return EXIT_OK
    approver = settings.approvers[0]
    print(
        f"{approver} (người duyệt đầu tiên trong approvers:) duyệt {len(choice.approved)} bài; "
        "mỗi lần duyệt được ghi vào nhật ký cùng mã băm của nội dung được duyệt.",
        flush=True,
    )
    status = _command(
        ward, "approve", *choice.approved, "--by", approver, "--comment", DEMO_COMMENT
    )
    if choice.pending:
        print(f"\nĐể chờ duyệt (chưa duyệt): {choice.pending}", flush=True)
    if settings.listen:
        print(
            "schedules.yaml bắt buộc nghe thử (listen: true): bài đã duyệt chỉ được phát sau "
            "khi nghe thử bằng broadcast preview, nên buổi diễn tập không phát bài nào.",
            flush=True,
        )
    if choice.edited is not None:
        add_sentence(ward.home, choice.edited)
        print(
            f"Sửa sau khi duyệt: {choice.edited.id} — ban biên tập thêm câu "
            f'"{ADDED_SENTENCE}" vào {choice.edited.source}. Bài trở về bản nháp, phải '
            "duyệt lại mới được phát.",
            flush=True,
        )
    return status


def _approval_required(paths: ProjectPaths) -> bool:
    """Whether the ward asks for approval; a broken configuration is for ``check`` to say."""
    try:
        return load_config(paths).approval.required
    except InputError:
        return False


@dataclass(frozen=True)
class RehearsedDay:
    """The day whose programs the demo plans and rehearses (``None``: today's), how its
    headings name it, and why it is not today."""

    day: date | None = None
    name: str = "hôm nay"
    why: str | None = None

    def options(self, flag: str) -> list[str]:
        return [] if self.day is None else [flag, self.day.isoformat()]


def _rehearsed_day(project: Project | None) -> RehearsedDay:
    """Today, or the nearest day with a program when today has none: a demo run on a Sunday
    with a Monday-to-Saturday timetable rehearses Monday's programs, and says so."""
    from broadcast.cli.demo_ward import LOOK_AHEAD_DAYS, rehearsal_day

    if project is None:  # ``check`` has said why
        return RehearsedDay()
    today = project.clock.now().date()
    day = rehearsal_day(project)
    if day == today:
        return RehearsedDay(day)
    why = (
        f"Hôm nay ({day_label(today)}) lịch không có chương trình nào: buổi diễn tập dùng "
        f"chương trình của {day_label(day)}, ngày gần nhất có phát (trong {LOOK_AHEAD_DAYS} "
        "ngày tới)."
    )
    return RehearsedDay(day, day_label(day), why)


def _trace_one(ward: ProjectPaths, rehearsal: ProjectPaths, day: RehearsedDay) -> int:
    from broadcast.cli.demo_ward import first_aired

    project = load_project(ward, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    aired = first_aired(rehearsal, sorted(script.id for script in project.scripts))
    if aired is None:
        print(
            f"Buổi diễn tập không phát bài nào ({day.name} không có bài nào được phát).",
            flush=True,
        )
        return EXIT_OK
    return _command(rehearsal, "trace", aired)


def run_demo(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from broadcast.cli.demo_ip import IpZoneDemo, add_to_copy, skipped
    from broadcast.cli.demo_ward import WARD_FOLDER, copy_ward, seed_rehearsal_log
    from broadcast.daemon.rehearsal import rehearsal_paths  # the audio stack: only here

    statuses = []
    required = _approval_required(paths)
    _heading(
        "1. Kiểm tra kịch bản và lịch phát",
        "Cột Duyệt: bài nào đã được duyệt. Trên máy mới chưa bài nào được duyệt, nên chưa bài "
        "nào được phát thật cho tới khi người duyệt chạy broadcast approve."
        if required
        else None,
    )
    statuses.append(_command(paths, "check"))
    _heading("2. Tạo âm thanh (giọng đọc offline, chuẩn hóa âm lượng)")
    statuses.append(_command(paths, "render", "--offline"))
    demo = paths.home / DEMO_FOLDER
    ward = copy_ward(paths, demo / WARD_FOLDER)
    _heading(
        "3. Bản sao diễn tập của phường",
        f"Đã chép lịch phát, kịch bản và âm thanh đã tạo vào {paths.relative(ward.home)}/. Các "
        "bước sau làm trên bản sao: kịch bản và nhật ký phát thật của phường không bị đụng tới.",
    )
    ip_ports = add_to_copy(demo, ward)
    project = load_project(ward, scripts=True)
    day = _rehearsed_day(project)
    _heading("4. Ban biên tập duyệt bài (trên bản sao)")
    statuses.append(_board_approves(ward, project, day))
    _heading(
        f"5. Lịch phát {day.name} (trên bản sao)",
        "Chỉ bài đã duyệt đúng nội dung hiện tại mới được lên lịch; cuối lịch là các bài không "
        "được lên lịch và lý do."
        if required
        else None,
    )
    if day.why:
        print(day.why, flush=True)
    statuses.append(_command(ward, "plan", *day.options("--from")))
    rehearsal = rehearsal_paths(ward)
    wav_folder = demo / WAV_FOLDER
    shutil.rmtree(demo / "data", ignore_errors=True)  # the log of demos before the copy
    shutil.rmtree(wav_folder, ignore_errors=True)
    seed_rehearsal_log(ward, rehearsal)
    _heading(
        "6. Cụm loa IP: máy chủ MQTT và bộ thu",
        "Cụm loa IP nhận lịch phát có chữ ký của đài qua máy chủ MQTT, tải trước âm thanh và tự "
        "phát đúng giây theo đồng hồ của nó; nhật ký phát của nó được gửi về đài.",
    )
    ip_zone = None
    try:  # the broker and the receiver end with the rehearsal, on Ctrl+C or an error too
        if isinstance(ip_ports, str):
            skipped(ip_ports)
        else:
            ip_zone = IpZoneDemo(paths, demo, ward, rehearsal, ip_ports.broker)
            if not ip_zone.start(_command):
                ip_zone = None
        statuses.append(_rehearse(args, paths, ward, rehearsal, wav_folder, day))
    finally:
        if ip_zone is not None:
            ip_zone.stop()
    if ip_zone is not None:
        ip_zone.report()
    _heading("8. Nhật ký phát của buổi diễn tập")
    statuses.append(_command(rehearsal, "logs"))
    _heading(
        "9. Chuỗi bằng chứng của một bài đã phát",
        "Nội dung được duyệt (mã băm) → ai duyệt, lúc nào → âm thanh tạo từ nội dung đó → "
        "từng lần phát, mỗi lần ghi rõ phát theo lần duyệt nào.",
    )
    statuses.append(_trace_one(ward, rehearsal, day))
    return max(statuses)


def _rehearse(
    args: argparse.Namespace,
    paths: ProjectPaths,
    ward: ProjectPaths,
    rehearsal: ProjectPaths,
    wav_folder: Path,
    day: RehearsedDay,
) -> int:
    """The day's programs, moved to now, cut to excerpts: into WAV files unless
    --to-speakers."""
    _heading(f"7. Phát diễn tập các chương trình {day.name}")
    argv = ["run", "--offline", "--no-render", "--rehearsal", "--excerpt", str(EXCERPT_SECONDS)]
    argv += day.options("--day")
    if args.ignore_quiet_hours:
        argv.append("--ignore-quiet-hours")
    if args.to_speakers:
        _sound_notice(rehearsal)
    else:
        print(
            "Buổi diễn tập KHÔNG phát ra loa: âm thanh được ghi ra tệp WAV trong "
            f"{paths.relative(wav_folder)}/. Muốn phát ra loa: broadcast demo --to-speakers",
            flush=True,
        )
        argv += ["--sink", f"file:{wav_folder}"]
    status = _command(ward, *argv)
    if not args.to_speakers:
        written = len(list(wav_folder.glob("*.wav")))
        print(f"Đã ghi {written} tệp WAV vào {paths.relative(wav_folder)}/.", flush=True)
    return status
