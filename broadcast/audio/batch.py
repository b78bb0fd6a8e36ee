"""Rendering every script of the project, the manifest update and pruning.

Cache hits are settled in this process (a warm pass synthesizes nothing and starts no
workers); the rest is rendered in worker processes when there is more than one to do, since
synthesis and loudness work are CPU-bound and espeak-ng allows one call at a time per process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.audio.cache import cache_write_problem, is_cache_file
from broadcast.audio.manifest import MANIFEST_NAME, AudioManifest
from broadcast.audio.reading import TextReader, reading_function
from broadcast.audio.render import (
    Renderer,
    RenderJob,
    RenderOutcome,
    RenderResult,
    TextJob,
    job_for,
)
from broadcast.clock import Clock, SystemClock
from broadcast.config.tts import TtsSettings
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script
from broadcast.tts.chain import EngineChain, build_chain

DEFAULT_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class RenderSummary:
    results: list[RenderResult] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)  # file names removed by --prune
    manifest_problem: str | None = None  # the manifest could not be saved (Vietnamese)

    def count(self, outcome: RenderOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def fell_back(self) -> int:
        return sum(1 for r in self.results if r.fell_back)

    @property
    def failed(self) -> list[RenderResult]:
        return [r for r in self.results if r.outcome is RenderOutcome.FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed and self.manifest_problem is None

    def seconds(self, outcome: RenderOutcome) -> float:
        return sum(r.duration_seconds or 0.0 for r in self.results if r.outcome is outcome)


def render_all(
    paths: ProjectPaths,
    settings: TtsSettings,
    scripts: Sequence[Script],
    *,
    chain: EngineChain | None = None,
    reader: TextReader | None = None,
    clock: Clock | None = None,
    workers: int | None = 1,
    prune: bool = False,
    progress: Callable[[RenderResult], None] | None = None,
) -> RenderSummary:
    """Render every script (from cache when nothing changed) and rewrite the manifest.

    ``workers=None`` uses every processor; a custom ``chain`` always renders in-process.
    Scripts no longer given lose their manifest entry; ``prune`` then deletes their files.
    """
    read, memo = reading_function(paths, settings.region, reader)
    clock = clock or SystemClock(DEFAULT_TIMEZONE)
    manifest = AudioManifest.load(paths)
    renderer = Renderer(
        paths.audio_cache_dir, settings, chain or build_chain(settings), clock, manifest
    )
    jobs = [job_for(script, read) for script in scripts]
    results: dict[str, RenderResult] = {}
    to_render: list[RenderJob] = []
    for job in jobs:
        hit = renderer.lookup(job)
        if hit is None:
            to_render.append(job)
        else:
            results[job.script_id] = hit
            if progress:
                progress(hit)
    workers = workers or os.cpu_count() or 1
    if chain is None and workers > 1 and len(to_render) > 1:
        rendered = _render_in_workers(paths, settings, clock, to_render, workers, manifest)
    else:
        rendered = map(renderer.render, to_render)
    for result in rendered:
        results[result.script_id] = result
        if progress:
            progress(result)
    ordered = [results[job.script_id] for job in jobs]
    previous = manifest.entries
    # A script that failed this time (disk full, every engine down) keeps its last good audio
    # on the air; the failure is recorded beside it, and a later pass tries again.
    manifest.entries = {
        r.script_id: r.entry or previous[r.script_id]
        for r in ordered
        if r.entry is not None or r.script_id in previous
    }
    manifest.failures = {r.script_id: "; ".join(r.problems) for r in ordered if not r.entry}
    summary = RenderSummary(ordered)
    try:
        manifest.save()
    except OSError as exc:  # the manifest on disk stays as it was: the audio it names airs
        summary.manifest_problem = cache_write_problem(manifest.cache_dir, exc, MANIFEST_NAME)
        return summary
    if memo:
        memo.save()
    if prune:
        summary.pruned = prune_cache(manifest)
    return summary


def render_script(
    paths: ProjectPaths,
    settings: TtsSettings,
    script: Script,
    *,
    chain: EngineChain | None = None,
    reader: TextReader | None = None,
    clock: Clock | None = None,
) -> RenderResult:
    """Render one script (e.g. for ``preview``) and update only its manifest entry."""
    read, _ = reading_function(paths, settings.region, reader)
    manifest = AudioManifest.load(paths)
    renderer = Renderer(
        paths.audio_cache_dir,
        settings,
        chain or build_chain(settings),
        clock or SystemClock(DEFAULT_TIMEZONE),
        manifest,
    )
    result = renderer.render(job_for(script, read))
    if result.entry is not None:
        manifest.entries[script.id] = result.entry
        manifest.failures.pop(script.id, None)
    else:  # its last good audio, if any, stays on the air (as in ``render_all``)
        manifest.failures[script.id] = "; ".join(result.problems)
    manifest.save()
    return result


def prune_cache(manifest: AudioManifest) -> list[str]:
    """Delete cache files no manifest entry points to; returns their names."""
    wanted = {entry.file for entry in manifest.entries.values()} | {MANIFEST_NAME}
    removed: list[str] = []
    if not manifest.cache_dir.is_dir():
        return removed
    for path in sorted(manifest.cache_dir.iterdir()):
        if path.is_file() and is_cache_file(path) and path.name not in wanted:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


# -- worker processes -----------------------------------------------------------------------

_worker: Renderer | None = None


def _start_worker(
    cache_dir: Path, settings: TtsSettings, clock: Clock, known: AudioManifest
) -> None:
    global _worker
    _worker = Renderer(cache_dir, settings, build_chain(settings), clock, known)


def _render_job(job: RenderJob) -> RenderResult:
    if _worker is None:
        raise RuntimeError("the worker process was not started by _start_worker")
    return _worker.render(job)


def _render_in_workers(
    paths: ProjectPaths,
    settings: TtsSettings,
    clock: Clock,
    jobs: list[RenderJob],
    workers: int,
    manifest: AudioManifest,
) -> Iterator[RenderResult]:
    # "spawn" behaves the same on Linux, Windows and macOS, and never copies a parent
    # holding espeak-ng's global state mid-call.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(paths.audio_cache_dir, settings, clock, manifest),
    ) as pool:
        yield from pool.map(_render_job, jobs)


def render_text(
    paths: ProjectPaths,
    settings: TtsSettings,
    text: str,
    *,
    chain: EngineChain | None = None,
    reader: TextReader | None = None,
    clock: Clock | None = None,
) -> RenderResult:
    """Ad-hoc text (``broadcast say``) through the same pipeline; not entered in the manifest."""
    read, _ = reading_function(paths, settings.region, reader)
    renderer = Renderer(
        paths.audio_cache_dir,
        settings,
        chain or build_chain(settings),
        clock or SystemClock(DEFAULT_TIMEZONE),
        AudioManifest.load(paths),
    )
    job = TextJob("say", read("", text), voice=None, speed=1.0)
    return renderer.render(job)
