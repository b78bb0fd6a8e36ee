"""Names that tie ``schedules.yaml`` and the scripts together, checked once both are loaded.

Loading the configuration never looks at ``scripts_vi/``, so a named script (``script: ID``)
and the zones and topics written in scripts are checked here, by whoever holds both.
"""

from __future__ import annotations

from collections.abc import Sequence

from broadcast import yamlsource
from broadcast.config import Config
from broadcast.config.model import NamedScriptSegment
from broadcast.diagnostics import Diagnostic, Severity
from broadcast.scripts.metadata import EMERGENCY_IN_SCRIPT
from broadcast.scripts.model import Priority, Script


def check_script_references(config: Config, scripts: Sequence[Script]) -> list[Diagnostic]:
    """Errors for named scripts that do not exist; warnings for unknown zones and topics.

    A script none of whose zones exists is left to ``scripts_without_zones``: the errors here
    make the daemon refuse ``schedules.yaml``, and that one is the script's fault.
    """
    found = []
    ids = {script.id for script in scripts}
    for program in config.programs.values():
        for segment in program.segments:
            if isinstance(segment, NamedScriptSegment) and segment.script_id not in ids:
                hint = yamlsource.did_you_mean(segment.script_id, ids)
                found.append(
                    Diagnostic(
                        config.source,
                        segment.line,
                        None,
                        "unknown_script",
                        f'chương trình "{program.id}": không có bài "{segment.script_id}" '
                        f"trong scripts_vi/{hint}",
                    )
                )
    for script in scripts:
        unknown = _unknown_zones(config, script)
        if len(unknown) < len(script.zones or ()):
            found.extend(
                _script_problem(
                    script,
                    "unknown_zone",
                    f"{config.unknown_zone_message(zone)}; bài sẽ không phát ở đó",
                    Severity.WARNING,
                )
                for zone in unknown
            )
        if config.topics and script.topic and script.topic not in config.topics:
            found.append(_unknown_topic(config, script))
    return found


def scripts_without_zones(config: Config, scripts: Sequence[Script]) -> list[Diagnostic]:
    """An error for each script that names zones, none of which exists: it would air nowhere.
    Lists the zone and group ids the board can use."""
    found = []
    for script in scripts:
        unknown = _unknown_zones(config, script)
        if unknown and len(unknown) == len(script.zones or ()):
            named = ", ".join(f'"{zone}"{config.zone_hint(zone)}' for zone in unknown)
            found.append(
                _script_problem(
                    script,
                    "no_known_zone",
                    f"không khu vực nào của bài có trong {config.source} ({named}): bài sẽ không "
                    f"được phát ở đâu. {_known_zones(config)}",
                )
            )
    return found


def emergencies_without_approval(config: Config, scripts: Sequence[Script]) -> list[Diagnostic]:
    """An error for each script that makes itself an emergency where texts are not approved
    (``approval`` off): it would air inside quiet hours and first in every slot, set by anyone
    who can drop a file. Named at the line that says so, when the reader found one."""
    if config.approval.required:
        return []
    found = []
    for script in scripts:
        if script.priority is not Priority.EMERGENCY:
            continue
        marked = next((d for d in script.warnings if d.code == EMERGENCY_IN_SCRIPT), None)
        found.append(
            Diagnostic(
                script.source,
                marked.line if marked else None,
                None,
                EMERGENCY_IN_SCRIPT,
                f"kịch bản ghi mức ưu tiên khẩn cấp nhưng {config.source} không bật duyệt bài "
                "(approval: required): bài khẩn cấp phát cả trong giờ yên tĩnh và trước mọi bài "
                "khác nên phải được duyệt; bỏ mức khẩn cấp (viết priority: ưu tiên) hoặc bật "
                "duyệt bài. Tin khẩn của kỹ thuật viên: broadcast announce --priority emergency",
            )
        )
    return found


def _unknown_zones(config: Config, script: Script) -> list[str]:
    return [zone for zone in script.zones or () if config.zone_reference(zone) is None]


def _known_zones(config: Config) -> str:
    zones = ", ".join(config.zone_ids) or "(chưa có)"
    groups = f"; nhóm: {', '.join(config.zone_groups)}" if config.zone_groups else ""
    return f"Khu vực dùng được: {zones}{groups}"


def _unknown_topic(config: Config, script: Script) -> Diagnostic:
    topic = script.topic or ""
    close = yamlsource.closest(topic, config.topics)
    hint = f' Có phải ý bạn là "{close}"?' if close else ""
    topics = ", ".join(f"{key} ({name})" for key, name in config.topics.items())
    return _script_problem(
        script,
        "unknown_topic",
        f'chủ đề "{topic}" không có trong {config.source}; bài chỉ được chọn ở chương trình '
        f"không lọc chủ đề.{hint} Các chủ đề: {topics}",
        Severity.WARNING,
    )


def _script_problem(
    script: Script, code: str, message: str, severity: Severity = Severity.ERROR
) -> Diagnostic:
    return Diagnostic(script.source, None, None, code, message, severity)
