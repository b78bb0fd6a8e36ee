"""Render speed with espeak-ng only: the sample folder and a generated corpus of 1,000 scripts.

Prints characters per second, real-time factor (audio seconds per wall second) and the warm
pass time. Targets: cold >= 500x real time end to end (normalize, synthesize, assemble,
loudness, write); warm pass over 1,000 scripts <= 2 s. Runs in a temporary folder.

Other work on the machine slows the wall clock, so CPU time (this process and its workers) is
printed as well; audio seconds per CPU second is what one core delivers, load or not.

    .venv/bin/python -m bench.render [--workers 1 2 all] [--runs N] [--scripts N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from broadcast.audio.batch import render_all
from broadcast.config.tts import TtsSettings
from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder

REPOSITORY = Path(__file__).resolve().parent.parent
CORPUS_SIZE = 1000
CORPUS_CHARACTERS = 1500
SETTINGS = TtsSettings(engines=("espeak",))

SENTENCES = [
    "Từ ngày {d}/{m}/2026, UBND phường tiếp nhận hồ sơ trực tuyến mức độ 4 qua Cổng DVC quốc gia.",
    "Bộ phận một cửa làm việc từ 7h30 đến 11h30 và từ 13h30 đến 17h00, sáng thứ 7 vẫn mở cửa.",
    "Lệ phí đăng ký hộ kinh doanh là {n}.000 đồng, nộp trực tuyến được giảm 50%.",
    "Mọi thắc mắc xin gọi đường dây nóng 0237.3852.{n} trong giờ hành chính.",
    "Trong quý {q}, phường đã giải quyết {n} hồ sơ, tỷ lệ đúng hạn đạt 98,5%.",
    "Bà con nhớ mang theo thẻ căn cước hoặc tài khoản VNeID mức độ 2 khi đến làm thủ tục.",
    "Chuyển đổi số giúp người dân tiết kiệm thời gian, công sức và chi phí đi lại.",
    "Tổ dân phố số {q} phối hợp với trạm y tế tổ chức tiêm chủng cho trẻ dưới 5 tuổi.",
]


def _corpus_script(rng: random.Random, index: int) -> str:
    paragraphs, paragraph, length = [], [], 0
    while length < CORPUS_CHARACTERS:
        sentence = rng.choice(SENTENCES).format(
            d=rng.randint(1, 28), m=rng.randint(1, 12), n=rng.randint(100, 999), q=rng.randint(1, 4)
        )
        paragraph.append(sentence)
        length += len(sentence) + 1
        if len(paragraph) == 4:
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    paragraphs.append(" ".join(paragraph))
    body = "\n\n".join(p for p in paragraphs if p)
    return f"Bản tin cải cách hành chính số {index}\n\n{body}\n"


def _project(root: Path, name: str) -> ProjectPaths:
    home = root / name
    (home / "scripts_vi").mkdir(parents=True)
    (home / "schedules.yaml").write_text("tts:\n  engines: [espeak]\n", encoding="utf-8")
    return ProjectPaths(home)


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the render workers)."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(function):
    wall, cpu = time.perf_counter(), _cpu_seconds()
    result = function()
    return result, time.perf_counter() - wall, _cpu_seconds() - cpu


def _measure(label: str, paths: ProjectPaths, workers: list[int | None], runs: int) -> None:
    scripts, loaded, _ = _timed(lambda: load_folder(paths).scripts)
    characters = sum(s.characters for s in scripts)
    print(f"{label}: {len(scripts)} scripts, {characters:,} characters")
    print(f"  reading the folder {loaded:8.2f} s (not part of render)")
    for count in workers:
        for run in range(1, runs + 1):
            # Truly cold: no audio, no manifest, no memo of normalized texts.
            shutil.rmtree(paths.audio_cache_dir, ignore_errors=True)
            load = os.getloadavg()[0]
            cold, cold_wall, cold_cpu = _timed(
                lambda n=count: render_all(paths, SETTINGS, scripts, workers=n)
            )
            warm, warm_wall, warm_cpu = _timed(
                lambda n=count: render_all(paths, SETTINGS, scripts, workers=n)
            )
            audio = sum(r.duration_seconds or 0 for r in cold.results)
            hits = sum(1 for r in warm.results if r.outcome == "cached")
            name = count or f"all ({os.cpu_count()})"
            print(f"  workers {name}, run {run} ({audio / 3600:.2f} h audio, load {load:.1f}):")
            print(
                f"    cold {cold_wall:8.2f} s wall {cold_cpu:8.2f} s CPU"
                f"  {characters / cold_wall:9,.0f} chars/s  {audio / cold_wall:6.0f}x real time"
                f" (target >= 500x)  {audio / cold_cpu:6.0f}x per CPU second"
            )
            print(
                f"    warm {warm_wall:8.2f} s wall {warm_cpu:8.2f} s CPU  from cache: {hits}"
                f"  (target <= 2 s per 1,000)"
            )
            failed = len(cold.failed) + len(warm.failed)
            if failed:
                print(f"    FAILED: {failed} scripts")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers",
        nargs="+",
        default=["all"],
        help="worker processes for each measurement: numbers or 'all' (default: all)",
    )
    parser.add_argument("--runs", type=int, default=1, help="cold and warm passes per setting")
    parser.add_argument("--scripts", type=int, default=CORPUS_SIZE, help="size of the corpus")
    arguments = parser.parse_args()
    arguments.workers = [None if w == "all" else int(w) for w in arguments.workers]
    return arguments


def main() -> int:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as temp:
        root = Path(temp)
        sample = _project(root, "sample")
        shutil.copytree(REPOSITORY / "scripts_vi", sample.scripts_dir, dirs_exist_ok=True)
        _measure("sample (scripts_vi/)", sample, arguments.workers, arguments.runs)
        corpus = _project(root, "corpus")
        rng = random.Random(2026)
        for index in range(arguments.scripts):
            file = corpus.scripts_dir / f"{index // 100:02d}" / f"ban-tin-{index:04d}.txt"
            file.parent.mkdir(exist_ok=True)
            file.write_text(_corpus_script(rng, index), encoding="utf-8")
        label = f"generated corpus ({arguments.scripts} scripts)"
        _measure(label, corpus, arguments.workers, arguments.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
