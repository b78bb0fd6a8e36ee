"""Render speed with espeak-ng only: the sample folder and a generated corpus of 1,000 scripts.

Prints characters per second, real-time factor (audio seconds per wall second) and the warm
pass time. Targets: cold >= 500x real time end to end (normalize, synthesize, assemble,
loudness, write); warm pass over 1,000 scripts <= 2 s. Runs in a temporary folder.
"""

from __future__ import annotations

import random
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


def _measure(label: str, paths: ProjectPaths) -> None:
    started = time.perf_counter()
    scripts = load_folder(paths).scripts
    loaded = time.perf_counter() - started
    characters = sum(s.characters for s in scripts)
    started = time.perf_counter()
    cold = render_all(paths, SETTINGS, scripts, workers=None)
    cold_seconds = time.perf_counter() - started
    audio = sum(r.duration_seconds or 0 for r in cold.results)
    started = time.perf_counter()
    warm = render_all(paths, SETTINGS, scripts, workers=None)
    warm_seconds = time.perf_counter() - started
    failed = len(cold.failed) + len(warm.failed)
    print(f"{label}: {len(scripts)} scripts, {characters:,} characters, {audio / 3600:.2f} h audio")
    print(f"  reading the folder   {loaded:8.2f} s (not part of render)")
    print(
        f"  cold render          {cold_seconds:8.2f} s  {characters / cold_seconds:10,.0f} chars/s"
        f"  {audio / cold_seconds:7.0f}x real time  (target >= 500x)"
    )
    print(
        f"  warm render          {warm_seconds:8.2f} s  from cache: "
        f"{sum(1 for r in warm.results if r.outcome == 'cached')}  (target <= 2 s per 1,000)"
    )
    if failed:
        print(f"  FAILED: {failed} scripts")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-render-") as temp:
        root = Path(temp)
        sample = _project(root, "sample")
        shutil.copytree(REPOSITORY / "scripts_vi", sample.scripts_dir, dirs_exist_ok=True)
        _measure("sample (scripts_vi/)", sample)
        corpus = _project(root, "corpus")
        rng = random.Random(2026)
        for index in range(CORPUS_SIZE):
            file = corpus.scripts_dir / f"{index // 100:02d}" / f"ban-tin-{index:04d}.txt"
            file.parent.mkdir(exist_ok=True)
            file.write_text(_corpus_script(rng, index), encoding="utf-8")
        _measure(f"generated corpus ({CORPUS_SIZE} scripts)", corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
