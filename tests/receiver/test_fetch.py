"""Audio by hash over real HTTP on loopback: resumed, checked, never a bad file in the cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadcast.clusters.messages import AudioRef
from broadcast.receiver.fetch import (
    BAD_AUDIO,
    DISK_FULL,
    NETWORK,
    NOT_FOUND,
    PART_SUFFIX,
    AudioCache,
    FetchProblem,
    fetch_audio,
)
from tests.receiver.conftest import AudioServer
from tests.support.full_disk import fill, mounted_tmpfs


def test_fetches_by_hash_into_the_cache(audio_server: AudioServer, tmp_path: Path):
    ref = audio_server.add(0.5)
    cache = AudioCache(tmp_path / "cache")
    path = fetch_audio(audio_server.url, ref, cache)
    assert path == cache.path(ref.sha256)
    assert cache.load(ref.sha256) is not None
    assert cache.size().items == 1
    fetch_audio(audio_server.url, ref, cache)  # already there: no second request
    assert len(audio_server.requests) == 1


def test_a_cut_download_resumes_from_its_part(audio_server: AudioServer, tmp_path: Path):
    ref = audio_server.add(1.0)
    cache = AudioCache(tmp_path / "cache")
    audio_server.cut_after = 30_000
    with pytest.raises(FetchProblem) as cut:
        fetch_audio(audio_server.url, ref, cache)
    assert cut.value.code == NETWORK
    assert not cache.has(ref.sha256)  # a cut file never enters the cache
    part = cache.folder / f"{ref.sha256}{PART_SUFFIX}"
    assert 0 < part.stat().st_size < ref.bytes
    had = part.stat().st_size
    audio_server.cut_after = None
    fetch_audio(audio_server.url, ref, cache)
    assert audio_server.requests[-1][1] == f"bytes={had}-"  # only the rest was asked for
    assert cache.load(ref.sha256) is not None
    assert not part.exists()


def test_a_file_that_does_not_match_its_hash_is_dropped(audio_server: AudioServer, tmp_path: Path):
    ref = audio_server.add(0.3)
    served = audio_server.folder / f"{ref.sha256}.wav"
    data = bytearray(served.read_bytes())
    data[-1] ^= 0xFF  # the station's file altered on the way
    served.write_bytes(bytes(data))
    cache = AudioCache(tmp_path / "cache")
    with pytest.raises(FetchProblem) as bad:
        fetch_audio(audio_server.url, ref, cache)
    assert bad.value.code == BAD_AUDIO
    assert list(cache.folder.iterdir()) == []


def test_an_unknown_hash_is_not_found(audio_server: AudioServer, tmp_path: Path):
    with pytest.raises(FetchProblem) as missing:
        fetch_audio(audio_server.url, AudioRef("a" * 64, 100), AudioCache(tmp_path / "c"))
    assert missing.value.code == NOT_FOUND


def test_keep_only_drops_what_no_entry_needs(audio_server: AudioServer, tmp_path: Path):
    cache = AudioCache(tmp_path / "cache")
    kept, dropped = audio_server.add(0.2, 440), audio_server.add(0.2, 660)
    for ref in (kept, dropped):
        fetch_audio(audio_server.url, ref, cache)
    (cache.folder / f"{'b' * 64}{PART_SUFFIX}").write_bytes(b"half")
    assert cache.keep_only({kept.sha256}) == 2
    assert sorted(p.name for p in cache.folder.iterdir()) == [f"{kept.sha256}.wav"]


def test_a_full_disk_is_reported_and_leaves_no_cache_file(
    audio_server: AudioServer, tmp_path: Path
):
    ref = audio_server.add(2.0)  # 192 KB: does not fit in what is left
    with mounted_tmpfs(tmp_path / "disk", 1024 * 1024) as disk:
        cache = AudioCache(disk / "cache")
        cache.folder.mkdir()
        filler = fill(disk)
        with pytest.raises(FetchProblem) as full:
            fetch_audio(audio_server.url, ref, cache)
        assert full.value.code == DISK_FULL
        assert not cache.has(ref.sha256)
        os.unlink(filler)  # room again: the download goes on and is checked
        fetch_audio(audio_server.url, ref, cache)
        assert cache.load(ref.sha256) is not None
