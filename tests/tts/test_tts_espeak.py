from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from broadcast.tts.engine import Piece
from broadcast.tts.espeak_engine import VOICES, EspeakEngine, EspeakSettings

# Already-spoken words (what the normalizer hands engines): about 300 characters.
TEXT = (
    "Ủy ban nhân dân phường thông báo về việc tiếp nhận hồ sơ thủ tục hành chính trực tuyến "
    "mức độ bốn. Người dân có thể nộp hồ sơ tại nhà qua cổng dịch vụ công quốc gia, theo dõi "
    "tiến độ giải quyết và nhận kết quả qua dịch vụ bưu chính công ích mà không phải đến "
    "bộ phận một cửa."
)


@pytest.mark.parametrize("voice", VOICES)
def test_speech_is_audible_and_as_long_as_vietnamese_read_aloud(voice):
    speech = EspeakEngine().synthesize([Piece(TEXT)], voice, 1.0)
    rms = float(np.sqrt(np.mean(speech.samples**2)))
    assert rms > 0.05  # clearly audible, not silence or noise floor
    # Vietnamese read aloud runs about 12-16 characters a second (measured: 14-14.6).
    characters_per_second = len(TEXT) / speech.duration_seconds
    assert 12 <= characters_per_second <= 16


def test_speed_changes_the_pace():
    engine = EspeakEngine()
    normal = engine.synthesize([Piece(TEXT)], "vi", 1.0).duration_seconds
    faster = engine.synthesize([Piece(TEXT)], "vi", 1.5).duration_seconds
    assert faster < normal * 0.8


def test_concurrent_calls_each_get_their_own_audio():
    # espeak-ng varies by a few samples from run to run; mixed-up calls would differ by seconds.
    engine = EspeakEngine()
    texts = [f"Thông báo số {n}." for n in ("một", "hai mươi ba", "một trăm linh năm")] * 3
    alone = [engine.synthesize([Piece(t)], "vi", 1.0).duration_seconds for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(
            pool.map(lambda t: engine.synthesize([Piece(t)], "vi", 1.0).duration_seconds, texts)
        )
    assert together == pytest.approx(alone, abs=0.01)


def test_a_voice_espeak_lacks_falls_back_to_the_configured_one():
    engine = EspeakEngine(EspeakSettings(voice="vi-vn-x-south"))
    assert engine.voice_for("vi-vn-x-central") == "vi-vn-x-central"
    assert engine.voice_for("en-us") == "vi-vn-x-south"
    assert engine.voice_for(None) == "vi-vn-x-south"
