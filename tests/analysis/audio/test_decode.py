"""decode_audio: reference parity, every container/codec we expect, and every failure mode."""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import librosa
import numpy as np
import pytest
import soundfile

from analysis.audio.decode import DECODER_PYAV, DECODER_SOUNDFILE, DecodedAudio, decode_audio
from analysis.audio.errors import (
    AudioDecodeError,
    AudioTimeoutError,
    AudioTooShortError,
    EmptyAudioError,
    SilentAudioError,
)
from tests.shared_data import REFERENCE_DIR

TONE_HZ = 440.0


@pytest.fixture(scope="module")
def decode_reference_dir() -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"musicnn reference files not found at {REFERENCE_DIR}")
    return REFERENCE_DIR


def _tone(*, sample_rate: int, seconds: float, channels: int = 2) -> np.ndarray:
    """[shape=(channels, n)] float32 sine at TONE_HZ, amplitude 0.3."""
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    tone = (0.3 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
    return np.tile(tone, (channels, 1))


def _write_with_pyav(
    path: Path,
    *,
    codec: str,
    container_format: str | None = None,
    sample_rate: int = 44100,
    seconds: float = 4.0,
    options: dict[str, str] | None = None,
    bit_rate: int | None = None,
) -> Path:
    """Encode a stereo tone with the FFmpeg bundled in the av wheel."""
    audio = _tone(sample_rate=sample_rate, seconds=seconds)
    with av.open(str(path), mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=sample_rate, layout="stereo", options=options or {})
        if bit_rate:
            stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(audio, format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        # Without timestamps the Ogg muxer writes granule positions that
        # libsndfile reads as a 0.26-s stream.
        frame.pts = 0
        frame.time_base = fractions.Fraction(1, sample_rate)
        encoder_format = stream.codec_context.codec.audio_formats[0].name
        resampler = av.AudioResampler(
            format=encoder_format,
            layout="stereo",
            rate=sample_rate,
            frame_size=stream.codec_context.frame_size or None,
        )
        for chunk in resampler.resample(frame) + resampler.resample(None):
            container.mux(stream.encode(chunk))
        container.mux(stream.encode(None))
    return path


def _dominant_frequency(decoded: DecodedAudio) -> float:
    spectrum = np.abs(np.fft.rfft(decoded.samples * np.hanning(decoded.samples.size)))
    return float(np.argmax(spectrum) * decoded.sample_rate / decoded.samples.size)


def _has_encoder(codec: str) -> bool:
    try:
        av.Codec(codec, "w")
    except av.codec.codec.UnknownCodecError:
        return False
    return True


# -- reference parity -----------------------------------------------------------


@pytest.mark.parametrize("clip", ["sweep_clicks", "pink_noise"])
def test_decode_reference_wav_equals_librosa_load_exactly(decode_reference_dir, clip):
    reference = np.load(decode_reference_dir / "musicnn" / f"{clip}.npz")["audio_16k"]

    decoded = decode_audio(decode_reference_dir / "audio" / f"{clip}.wav")

    assert decoded.decoder == DECODER_SOUNDFILE
    assert decoded.samples.dtype == np.float32
    np.testing.assert_array_equal(decoded.samples, reference)


def test_decode_reference_mp3_matches_librosa_load(decode_reference_dir):
    reference = np.load(decode_reference_dir / "musicnn" / "minuet.npz")["audio_16k"]

    decoded = decode_audio(decode_reference_dir / "audio" / "minuet.mp3")

    assert decoded.decoder == DECODER_SOUNDFILE
    assert decoded.samples.shape == reference.shape
    # Same libsndfile, same soxr: measured max abs difference 0.0.
    assert np.max(np.abs(decoded.samples - reference)) <= 1e-6
    assert decoded.source_duration_seconds == pytest.approx(50.3, abs=0.1)


def test_decode_stereo_44k_wav_equals_librosa_load(tmp_path):
    rng = np.random.default_rng(7)
    stereo = (0.2 * rng.standard_normal((44100 * 4, 2))).astype(np.float32)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, stereo, 44100, subtype="PCM_24")

    decoded = decode_audio(path)

    expected, _ = librosa.load(path, sr=16000)
    np.testing.assert_array_equal(decoded.samples, expected)
    assert decoded.source_sample_rate == 44100


# -- every format ----------------------------------------------------------------

# (file name, encoder, container, encoder sample rate, decoder expected to read it)
FORMATS = [
    ("tone.wav", "pcm_s16le", None, 44100, DECODER_SOUNDFILE),
    ("tone.flac", "flac", None, 44100, DECODER_SOUNDFILE),
    ("tone.mp3", "mp3", None, 44100, DECODER_SOUNDFILE),
    ("vorbis.ogg", "vorbis", None, 44100, DECODER_SOUNDFILE),
    ("opus.ogg", "libopus", "ogg", 48000, DECODER_SOUNDFILE),
    ("tone.opus", "libopus", None, 48000, DECODER_SOUNDFILE),
    ("aac.m4a", "aac", None, 44100, DECODER_PYAV),
    ("alac.m4a", "alac", None, 44100, DECODER_PYAV),
    ("tone.wma", "wmav2", "asf", 44100, DECODER_PYAV),
]


@pytest.mark.parametrize(
    ("file_name", "codec", "container_format", "sample_rate", "expected_decoder"),
    FORMATS,
    ids=[spec[0] for spec in FORMATS],
)
def test_decode_every_format_gives_4s_mono_16k_tone(
    tmp_path, file_name, codec, container_format, sample_rate, expected_decoder
):
    if not _has_encoder(codec):
        pytest.skip(f"the av wheel bundles no {codec} encoder, so no {file_name} can be made")
    path = _write_with_pyav(
        tmp_path / file_name,
        codec=codec,
        container_format=container_format,
        sample_rate=sample_rate,
        # FFmpeg's native Vorbis encoder is flagged experimental; wmav2 needs a bit rate.
        options={"strict": "experimental"} if codec == "vorbis" else None,
        bit_rate=128000 if codec == "wmav2" else None,
    )

    decoded = decode_audio(path)

    assert decoded.decoder == expected_decoder
    assert decoded.sample_rate == 16000
    assert decoded.samples.ndim == 1
    # Encoder delay and padding (AAC: 1024+ samples) add a few tens of ms.
    assert decoded.duration_seconds == pytest.approx(4.0, abs=0.1)
    assert _dominant_frequency(decoded) == pytest.approx(TONE_HZ, abs=2.0)


def test_decode_truncated_mp3_decodes_what_it_can_or_raises_decode_error(tmp_path):
    whole = _write_with_pyav(tmp_path / "whole.mp3", codec="mp3", seconds=8.0)
    truncated = tmp_path / "truncated.mp3"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    try:
        decoded = decode_audio(truncated)
    except AudioDecodeError:
        return
    assert 3.5 < decoded.duration_seconds < 4.5


def test_decode_truncated_flac_falls_back_to_pyav_and_keeps_the_readable_part(tmp_path):
    # libsndfile gives up ("lost sync") at the cut; FFmpeg skips the broken
    # packet and keeps the frames before it.
    whole = _write_with_pyav(tmp_path / "whole.flac", codec="flac", seconds=8.0)
    truncated = tmp_path / "truncated.flac"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    decoded = decode_audio(truncated)

    assert decoded.decoder == DECODER_PYAV
    assert 3.5 < decoded.duration_seconds < 4.5


def test_decode_truncated_m4a_without_index_raises_decode_error(tmp_path):
    whole = _write_with_pyav(tmp_path / "whole.m4a", codec="aac")
    truncated = tmp_path / "truncated.m4a"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(AudioDecodeError, match="pyav"):
        decode_audio(truncated)


@pytest.mark.parametrize("file_name", ["long.wav", "long.m4a"])
def test_decode_stops_at_max_duration(tmp_path, file_name):
    codec = "pcm_s16le" if file_name.endswith(".wav") else "aac"
    path = _write_with_pyav(tmp_path / file_name, codec=codec, seconds=10.0)

    decoded = decode_audio(path, max_duration_seconds=5.0)

    assert decoded.samples.size == 5 * 16000
    assert decoded.source_duration_seconds == pytest.approx(10.0, abs=0.1)


# -- failures ----------------------------------------------------------------------


def test_decode_silent_wav_raises_silent_audio_error(tmp_path):
    path = tmp_path / "silence.wav"
    soundfile.write(path, np.zeros(16000 * 5, dtype=np.float32), 16000)

    with pytest.raises(SilentAudioError):
        decode_audio(path)


def test_decode_dithered_silence_raises_silent_audio_error(tmp_path):
    # +-1 LSB of 16-bit dither: peak 3e-5, RMS about -95 dBFS.
    dither = np.random.default_rng(3).integers(-1, 2, 16000 * 5).astype(np.int16)
    path = tmp_path / "dither.wav"
    soundfile.write(path, dither, 16000)

    with pytest.raises(SilentAudioError):
        decode_audio(path)


def test_decode_random_bytes_named_mp3_raises_decode_error(tmp_path):
    path = tmp_path / "noise.mp3"
    path.write_bytes(np.random.default_rng(0).bytes(50_000))

    with pytest.raises(AudioDecodeError):
        decode_audio(path)


def test_decode_missing_file_raises_decode_error(tmp_path):
    with pytest.raises(AudioDecodeError, match="no such file"):
        decode_audio(tmp_path / "missing.flac")


def test_decode_two_second_file_raises_too_short(tmp_path):
    path = tmp_path / "short.wav"
    soundfile.write(path, _tone(sample_rate=16000, seconds=2.0, channels=1)[0], 16000)

    with pytest.raises(AudioTooShortError):
        decode_audio(path)


def test_decode_wav_without_samples_raises_empty_audio_error(tmp_path):
    path = tmp_path / "empty.wav"
    soundfile.write(path, np.zeros(0, dtype=np.float32), 16000)

    with pytest.raises(EmptyAudioError):
        decode_audio(path)


def test_decode_float_wav_with_nan_raises_decode_error(tmp_path):
    samples = _tone(sample_rate=16000, seconds=4.0, channels=1)[0]
    samples[100] = np.nan
    path = tmp_path / "nan.wav"
    soundfile.write(path, samples, 16000, subtype="FLOAT")

    with pytest.raises(AudioDecodeError, match="NaN"):
        decode_audio(path)


def test_decode_past_deadline_raises_retryable_timeout(tmp_path):
    path = _write_with_pyav(tmp_path / "tone.m4a", codec="aac")

    with pytest.raises(AudioTimeoutError) as raised:
        decode_audio(path, timeout_seconds=1e-9)
    assert raised.value.retryable


def test_decode_rejects_max_duration_shorter_than_one_patch(tmp_path):
    with pytest.raises(ValueError, match="max_duration_seconds"):
        decode_audio(tmp_path / "any.wav", max_duration_seconds=2.0)


def test_decoded_audio_is_frozen_and_read_only(tmp_path):
    path = tmp_path / "tone.wav"
    soundfile.write(path, _tone(sample_rate=16000, seconds=4.0, channels=1)[0], 16000)

    decoded = decode_audio(path)

    with pytest.raises(AttributeError):
        decoded.sample_rate = 8000
    with pytest.raises(ValueError):
        decoded.samples[0] = 1.0


@pytest.mark.parametrize("body", [b'{"error": "Not found"}', b"<html><body>404 Not Found</body></html>" * 20])
def test_a_decode_error_names_the_file_but_not_its_folder(tmp_path, body):
    path = tmp_path / "work" / "audiomuse-1a2b3c.mp3"  # as a download lands in TEMP_DIR
    path.parent.mkdir()
    path.write_bytes(body)

    with pytest.raises(AudioDecodeError) as raised:
        decode_audio(path)

    assert str(tmp_path) not in str(raised.value)
    assert path.name in str(raised.value)
