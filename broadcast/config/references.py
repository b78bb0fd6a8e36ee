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
from broadcast.scripts.model import Script


def check_script_references(config: Config, scripts: Sequence[Script]) -> list[Diagnostic]:
    """Errors for named scripts that do not exist; warnings for unknown zones and topics."""
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
        for zone in script.zones or ():
            if config.zone_reference(zone) is None:
                found.append(
                    Diagnostic(
                        script.source,
                        None,
                        None,
                        "unknown_zone",
                        f"{config.unknown_zone_message(zone)}; bài sẽ không phát ở đó",
                        Severity.WARNING,
                    )
                )
        if config.topics and script.topic and script.topic not in config.topics:
            hint = yamlsource.did_you_mean(script.topic, config.topics)
            found.append(
                Diagnostic(
                    script.source,
                    None,
                    None,
                    "unknown_topic",
                    f'chủ đề "{script.topic}" không có trong {config.source}{hint}; '
                    "bài chỉ được chọn ở chương trình không lọc chủ đề",
                    Severity.WARNING,
                )
            )
    return found
