"""espeak-ng, offline, through the library bundled in the ``espeakng-loader`` wheel (ctypes).

No system package is needed on Linux, Windows or macOS. The C library keeps global state
(one voice, one callback), so every call goes through one process-wide lock.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass

import espeakng_loader
import numpy as np

from broadcast.tts.engine import EngineFacts, Speech, SpokenPiece, SynthesisError, joined_text
from broadcast.tts.turns import TurnLock

VOICES = ("vi", "vi-vn-x-central", "vi-vn-x-south")
NORMAL_WORDS_PER_MINUTE = 145  # ~14 characters a second of Vietnamese, a calm broadcast pace

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_RATE = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EE_OK = 0
_MIN_WPM, _MAX_WPM = 80, 450  # espeak-ng's accepted range

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Library:
    """The loaded library, initialized once; calls must hold ``lock``."""

    lock = TurnLock()  # in turn: a long text never starves a short one (an emergency)
    _instance: _Library | None = None

    def __init__(self) -> None:
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Initialize.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise SynthesisError("không khởi động được espeak-ng")
        self.sample_rate = rate
        self.chunks: list[np.ndarray] = []
        # ctypes frees a callback object that nothing references; the library would then call
        # freed memory. Keeping it on this long-lived object prevents that.
        self.callback = _SYNTH_CALLBACK(self._collect)
        self.lib.espeak_SetSynthCallback(self.callback)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0 = continue synthesis

    @classmethod
    def get(cls) -> _Library:
        with cls.lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance


@dataclass(frozen=True)
class EspeakSettings:
    voice: str = "vi"  # one of ``VOICES``
    speed: float = 1.0


DEFAULTS = EspeakSettings()


class EspeakEngine:
    name = "espeak"

    def __init__(self, settings: EspeakSettings = DEFAULTS):
        self.default_voice = settings.voice
        self.speed = settings.speed

    def voice_for(self, requested: str | None) -> str:
        return requested if requested in VOICES else self.default_voice

    def synthesize(self, pieces: Sequence[SpokenPiece], voice: str, speed: float) -> Speech:
        text = joined_text(pieces)
        if not text:
            raise SynthesisError("không có chữ nào để đọc")
        library = _Library.get()
        wpm = round(NORMAL_WORDS_PER_MINUTE * self.speed * speed)
        encoded = text.encode("utf-8") + b"\0"
        with library.lock:
            library.chunks = []
            if library.lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise SynthesisError(f'espeak-ng không có giọng "{voice}"')
            library.lib.espeak_SetParameter(_RATE, min(max(wpm, _MIN_WPM), _MAX_WPM), 0)
            status = library.lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            chunks, library.chunks = library.chunks, []
        if status != _EE_OK or not chunks:
            raise SynthesisError(f"espeak-ng không tạo được âm thanh (mã lỗi {status})")
        samples = np.concatenate(chunks).astype(np.float32) / 32768.0
        return Speech(samples, library.sample_rate)


FACTS = EngineFacts(
    name="espeak", online=False, voices=VOICES, settings=EspeakSettings, build=EspeakEngine
)
