"""``--sink`` values: the sound card (default) or ``file:DIR`` for WAV files."""

from __future__ import annotations

from pathlib import Path

from broadcast.paths import ProjectPaths
from broadcast.sinks.protocol import AudioSink

FILE_PREFIX = "file:"
FALLBACK_FOLDER = "fallback_wav"  # under the data folder: zones whose device is missing
SINK_HELP = "where the sound goes: the sound card (default) or file:DIR for one WAV per zone"


def sink_from_spec(spec: str | None, realtime: bool = True) -> AudioSink:
    """``None`` or ``"sound"``: PortAudio; ``"file:DIR"``: ``FileSink(DIR)``.

    ``ValueError`` (message in Vietnamese) for anything else.
    """
    # Imported on use: the sinks pull in numpy/scipy, too slow for every command-line start.
    from broadcast.sinks.file import FileSink
    from broadcast.sinks.portaudio import SoundDeviceSink

    if spec is None or spec == "sound":
        return SoundDeviceSink()
    if spec.startswith(FILE_PREFIX) and spec[len(FILE_PREFIX) :].strip():
        return FileSink(Path(spec[len(FILE_PREFIX) :]).expanduser(), realtime=realtime)
    raise ValueError(f'--sink "{spec}" không hợp lệ: dùng "sound" hoặc "file:THƯ_MỤC"')


def station_sink(spec: str | None, paths: ProjectPaths) -> AudioSink:
    """The daemon's one sink: WAV files only for ``file:DIR``; otherwise the sound card, with
    WAV files under the data folder for zones whose device is missing and that allow it."""
    from broadcast.sinks.fallback import FallbackSink
    from broadcast.sinks.file import FileSink

    sink = sink_from_spec(spec, realtime=True)
    if isinstance(sink, FileSink):
        return sink
    return FallbackSink(sink, FileSink(paths.data_dir / FALLBACK_FOLDER, realtime=True))
