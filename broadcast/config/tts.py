"""The ``tts:`` section of ``schedules.yaml``: engines, voices, pauses, chime and loudness.

Every setting has a default, so a file without the section renders with gTTS first and
espeak-ng as the offline fallback, at -16 LUFS and at most -1 dBTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

from broadcast import yamlsource
from broadcast.diagnostics import DiagnosticCollector
from broadcast.tts.espeak_engine import EspeakSettings
from broadcast.tts.gtts_engine import GttsSettings
from broadcast.tts.piper_engine import PiperSettings
from broadcast.tts.registry import ENGINE_NAMES, ENGINES, ONLINE_ENGINES

REGIONS = ("north", "south")
BUILTIN_CHIME: Literal["builtin"] = "builtin"
NO_CHIME = "none"


@dataclass(frozen=True)
class PauseSettings:
    after_title_ms: int = 700
    sentence_ms: int = 350
    paragraph_ms: int = 800
    around_chime_ms: int = 500


@dataclass(frozen=True)
class LoudnessSettings:
    target_lufs: float = -16.0
    true_peak_dbtp: float = -1.0


@dataclass(frozen=True)
class TtsSettings:
    engines: tuple[str, ...] = ("gtts", "espeak")  # preferred first; later ones are fallbacks
    region: str = "north"  # reading of numbers and words, passed to the normalizer
    espeak: EspeakSettings = field(default_factory=EspeakSettings)
    gtts: GttsSettings = field(default_factory=GttsSettings)
    piper: PiperSettings = field(default_factory=PiperSettings)
    pauses: PauseSettings = field(default_factory=PauseSettings)
    repeat: bool = False  # read the whole message again after "xin nhắc lại"
    chime: Path | Literal["builtin"] | None = BUILTIN_CHIME
    outro: Path | None = None
    loudness: LoudnessSettings = field(default_factory=LoudnessSettings)

    def offline(self) -> TtsSettings:
        """These settings without the engines that need the network (espeak-ng if none is
        left): for a PC known to be offline, and for emergencies that cannot wait."""
        engines = tuple(e for e in self.engines if e not in ONLINE_ENGINES) or ("espeak",)
        return replace(self, engines=engines)

    def engine_settings(self, name: str) -> object:
        """The ``tts.<name>`` settings engine ``name`` is built from (``None``: no such engine;
        building it then says so)."""
        return {"espeak": self.espeak, "gtts": self.gtts, "piper": self.piper}.get(name)


_KNOWN = (
    "engines",
    "region",
    "espeak",
    "gtts",
    "piper",
    "pauses",
    "repeat",
    "chime",
    "outro",
    "loudness",
)


def parse_tts(
    section: yamlsource.Located | None, home: Path, collector: DiagnosticCollector
) -> TtsSettings:
    """Validate ``tts:``; problems go to ``collector`` and the default stays for that setting."""
    if section is None or section.is_null:
        return TtsSettings()
    values: dict[str, Any] = {}  # Any: each reader returns its own setting's type
    with collector.guard():
        keys = section.mapping("tts")
        collector.extend(yamlsource.unknown_keys(section, _KNOWN, "tts"))
        readers = {
            "engines": _engines,
            "region": lambda v: _choice(v, REGIONS, "tts.region"),
            "espeak": lambda v: _espeak(v, collector),
            "gtts": lambda v: _gtts(v, collector),
            "piper": lambda v: _piper(v, home, collector),
            "pauses": lambda v: _pauses(v, collector),
            "repeat": lambda v: v.boolean("tts.repeat"),
            "chime": lambda v: _chime(v, home),
            "outro": lambda v: None if v.is_null else project_file(v, home, "tts.outro"),
            "loudness": lambda v: _loudness(v, collector),
        }
        for name, value in keys.items():
            if name in readers:
                with collector.guard():
                    values[name] = readers[name](value)
        piper = values.get("piper", PiperSettings())
        if "piper" in values.get("engines", ()) and piper.voice_path is None:
            collector.add(
                keys["engines"].diagnostic(
                    "piper_without_voice",
                    "tts.engines có piper nhưng chưa ghi tts.piper.voice_path (tệp giọng .onnx)",
                )
            )
    return replace(TtsSettings(), **values)


def project_file(value: yamlsource.Located, home: Path, what: str) -> Path:
    """An existing file inside the project folder, written relative to it.

    Absolute paths, ``..`` and symlinks leading out are refused: the configuration must not
    make the station read arbitrary files of the machine.
    """
    written = value.text(what).strip()
    relative = PurePosixPath(written.replace("\\", "/"))
    home = home.resolve()
    resolved = (home / relative).resolve()
    escapes = relative.is_absolute() or bool(PureWindowsPath(written).drive)
    if escapes or ".." in relative.parts or not resolved.is_relative_to(home):
        raise value.fail(
            "path_outside_project",
            f'{what}: "{written}" nằm ngoài thư mục dự án; hãy chép tệp vào trong thư mục này '
            "và ghi đường dẫn tính từ thư mục dự án",
        )
    if not resolved.is_file():
        raise value.fail("missing_file", f'{what}: không tìm thấy tệp "{written}"')
    return resolved


def _choice(value: yamlsource.Located, allowed: tuple[str, ...], what: str) -> str:
    chosen = value.text(what).strip().lower()
    if chosen not in allowed:
        listed = ", ".join(allowed)
        raise value.fail("unknown_choice", f'{what}: "{chosen}" không hợp lệ; chọn: {listed}')
    return chosen


def _engines(value: yamlsource.Located) -> tuple[str, ...]:
    names = tuple(_choice(item, ENGINE_NAMES, "tts.engines") for item in value.items("tts.engines"))
    if len(set(names)) != len(names):
        raise value.fail("duplicate_engine", "tts.engines: mỗi bộ đọc chỉ được ghi một lần")
    return names


def _positive(value: yamlsource.Located, what: str, maximum: float) -> float:
    number = value.number(what)
    if not 0 < number <= maximum:
        raise value.fail("out_of_range", f"{what} phải lớn hơn 0 và không quá {maximum:g}")
    return number


def _subsection(
    value: yamlsource.Located, known: tuple[str, ...], what: str, collector: DiagnosticCollector
) -> dict[str, yamlsource.Located]:
    """The keys of a nested mapping; a warning for each key that is not in ``known``."""
    keys = value.mapping(what)
    collector.extend(yamlsource.unknown_keys(value, known, what))
    return keys


def _espeak(value: yamlsource.Located, collector: DiagnosticCollector) -> EspeakSettings:
    keys = _subsection(value, ("voice", "speed"), "tts.espeak", collector)
    defaults = EspeakSettings()
    voices = ENGINES["espeak"].voices
    voice = (
        _choice(keys["voice"], voices, "tts.espeak.voice") if "voice" in keys else defaults.voice
    )
    speed = _positive(keys["speed"], "tts.espeak.speed", 3.0) if "speed" in keys else defaults.speed
    return EspeakSettings(voice=voice, speed=speed)


def _gtts(value: yamlsource.Located, collector: DiagnosticCollector) -> GttsSettings:
    keys = _subsection(value, ("tld", "timeout", "retries"), "tts.gtts", collector)
    defaults = GttsSettings()
    tld = keys["tld"].text("tts.gtts.tld").strip().lstrip(".") if "tld" in keys else defaults.tld
    timeout = (
        _positive(keys["timeout"], "tts.gtts.timeout", 120.0)
        if "timeout" in keys
        else defaults.timeout_seconds
    )
    retries = (
        keys["retries"].integer("tts.gtts.retries", minimum=0)
        if "retries" in keys
        else defaults.retries
    )
    return GttsSettings(tld=tld, timeout_seconds=timeout, retries=retries)


def _piper(value: yamlsource.Located, home: Path, collector: DiagnosticCollector) -> PiperSettings:
    keys = _subsection(value, ("voice_path", "speed"), "tts.piper", collector)
    defaults = PiperSettings()
    voice_path = defaults.voice_path
    if "voice_path" in keys:
        voice_path = project_file(keys["voice_path"], home, "tts.piper.voice_path")
        if voice_path.suffix != ".onnx":
            raise keys["voice_path"].fail(
                "not_a_piper_voice", "tts.piper.voice_path phải là tệp giọng đọc .onnx"
            )
    speed = _positive(keys["speed"], "tts.piper.speed", 3.0) if "speed" in keys else defaults.speed
    return PiperSettings(voice_path=voice_path, speed=speed)


def _pauses(value: yamlsource.Located, collector: DiagnosticCollector) -> PauseSettings:
    known = tuple(PauseSettings.__dataclass_fields__)
    keys = _subsection(value, known, "tts.pauses", collector)
    chosen = {
        name: keys[name].integer(f"tts.pauses.{name}", minimum=0) for name in known if name in keys
    }
    return PauseSettings(**chosen)


def _chime(value: yamlsource.Located, home: Path) -> Path | Literal["builtin"] | None:
    if value.is_null:
        return None
    written = value.text("tts.chime").strip()
    if written.lower() == BUILTIN_CHIME:
        return BUILTIN_CHIME
    if written.lower() == NO_CHIME:
        return None
    return project_file(value, home, "tts.chime")


def _loudness(value: yamlsource.Located, collector: DiagnosticCollector) -> LoudnessSettings:
    keys = _subsection(value, ("target_lufs", "true_peak_dbtp"), "tts.loudness", collector)
    target = LoudnessSettings.target_lufs
    if "target_lufs" in keys:
        target = keys["target_lufs"].number("tts.loudness.target_lufs")
        if not -40 <= target <= -5:
            raise keys["target_lufs"].fail(
                "out_of_range", "tts.loudness.target_lufs phải trong khoảng -40 đến -5 LUFS"
            )
    peak = LoudnessSettings.true_peak_dbtp
    if "true_peak_dbtp" in keys:
        peak = keys["true_peak_dbtp"].number("tts.loudness.true_peak_dbtp")
        if not -12 <= peak <= 0:
            raise keys["true_peak_dbtp"].fail(
                "out_of_range", "tts.loudness.true_peak_dbtp phải trong khoảng -12 đến 0 dBTP"
            )
    return LoudnessSettings(target_lufs=target, true_peak_dbtp=peak)
