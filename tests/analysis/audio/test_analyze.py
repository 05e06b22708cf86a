"""analyze_file end to end: known answers, parity with the reference taggrams, streaming, versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.audio import melspec
from analysis.audio.analyze import (
    AnalysisConfig,
    AnalysisResult,
    ModelSet,
    PatchPredictions,
    analyze_file,
    mood_vector,
)
from analysis.audio.errors import AudioDecodeError, AudioTooShortError, ModelError, SilentAudioError
from analysis.audio.labels import MSD_LABELS, MTT_LABELS
from analysis.audio.melspec import PATCH_FRAMES, SAMPLE_RATE

from . import synthetic
from .same_analysis import assert_same_analysis

MSD_ONLY = AnalysisConfig(tag_models=("msd",), threads=2)
MSD_AND_MTT = AnalysisConfig(tag_models=("msd", "mtt"), threads=2)
# Reference README: end-to-end taggram tolerances (decoder, resampler and float16 flips).
WAV_TAG_ATOL = 5e-4
MP3_TAG_ATOL = 1e-3


@pytest.fixture(scope="module")
def model_dir(musicnn_model_paths) -> Path:
    return musicnn_model_paths["msd"].parent


@pytest.fixture(scope="module")
def msd_models(model_dir) -> ModelSet:
    return ModelSet.load(model_dir=model_dir, config=MSD_ONLY)


@pytest.fixture(scope="module")
def both_models(model_dir) -> ModelSet:
    return ModelSet.load(model_dir=model_dir, config=MSD_AND_MTT)


def _analyze_samples(tmp_path: Path, samples: np.ndarray, *, models: ModelSet) -> AnalysisResult:
    path = synthetic.write_wav(tmp_path / "synthetic.wav", samples)
    return analyze_file(path, models=models, config=MSD_ONLY)


# -- known answers on synthetic audio -----------------------------------------------


def test_click_track_at_120_bpm_analyses_at_120_bpm(tmp_path, msd_models):
    analysis = _analyze_samples(tmp_path, synthetic.click_track(bpm=120.0, seconds=12.0), models=msd_models)

    assert analysis.tempo == pytest.approx(120.0, abs=2.0)


def test_sustained_a_major_chord_analyses_as_a_major(tmp_path, msd_models):
    analysis = _analyze_samples(tmp_path, synthetic.chord(midi_notes=[57, 61, 64], seconds=6.0), models=msd_models)

    assert (analysis.key, analysis.scale) == ("A", "major")


def test_c_minor_chord_analyses_as_minor(tmp_path, msd_models):
    analysis = _analyze_samples(tmp_path, synthetic.chord(midi_notes=[60, 63, 67], seconds=6.0), models=msd_models)

    assert analysis.scale == "minor"


def test_silence_raises_silent_audio_error(tmp_path, msd_models):
    with pytest.raises(SilentAudioError):
        _analyze_samples(tmp_path, np.zeros(SAMPLE_RATE * 5, dtype=np.float32), models=msd_models)


def test_random_bytes_named_mp3_raise_decode_error(tmp_path, msd_models):
    path = tmp_path / "not-audio.mp3"
    path.write_bytes(np.random.default_rng(3).bytes(50_000))

    with pytest.raises(AudioDecodeError):
        analyze_file(path, models=msd_models, config=MSD_ONLY)


def test_two_second_file_raises_too_short(tmp_path, msd_models):
    with pytest.raises(AudioTooShortError):
        _analyze_samples(tmp_path, synthetic.noise(amplitude=0.1, seconds=2.0), models=msd_models)


# -- what a AnalysisResult holds ---------------------------------------------------


def test_track_analysis_holds_means_moods_features_and_timings(tmp_path, both_models):
    patches: list[PatchPredictions] = []
    path = synthetic.write_wav(tmp_path / "noise.wav", synthetic.noise(amplitude=0.1, seconds=10.0))

    analysis = analyze_file(path, models=both_models, config=MSD_AND_MTT, on_patches=patches.append)

    assert analysis.patch_count == 3 and analysis.duration_seconds == pytest.approx(10.0)
    assert analysis.embedding.shape == (200,) and analysis.embedding.dtype == np.float32
    assert not analysis.embedding.flags.writeable
    np.testing.assert_allclose(analysis.embedding, patches[0].embeddings.mean(axis=0), rtol=1e-6, atol=1e-6)
    assert list(analysis.msd_tags) == list(MSD_LABELS) and list(analysis.mtt_tags) == list(MTT_LABELS)
    assert analysis.msd_tags["rock"] == pytest.approx(float(patches[0].msd_tags[:, 0].mean()), abs=1e-7)
    assert len(analysis.mood_vector.split(",")) == MSD_AND_MTT.top_n_moods
    assert set(analysis.other_features) == {"danceable", "aggressive", "happy", "party", "relaxed", "sad"}
    assert all(0.0 <= value <= 1.0 for value in analysis.other_features.values())
    assert analysis.energy_dbfs == pytest.approx(-20.0, abs=0.1)
    assert min(vars(analysis.timings).values()) > 0


def test_msd_only_analysis_has_no_mtt_tags(tmp_path, msd_models):
    analysis = _analyze_samples(tmp_path, synthetic.noise(amplitude=0.1, seconds=4.0), models=msd_models)

    assert analysis.mtt_tags is None
    assert all(0.0 <= value <= 1.0 for value in analysis.other_features.values())


def test_mood_vector_keeps_the_top_tags_with_three_decimals():
    tags = {"rock": 0.5461, "pop": 0.52, "jazz": 0.1, "sad": 0.52}

    assert mood_vector(tags, top_n=3) == "rock:0.546,pop:0.520,sad:0.520"


def test_analysing_the_same_file_twice_gives_identical_results(tmp_path, both_models):
    path = synthetic.write_wav(tmp_path / "chord.wav", synthetic.chord(midi_notes=[60, 64, 67], seconds=7.0))

    first, second = (analyze_file(path, models=both_models, config=MSD_AND_MTT) for _ in range(2))

    assert_same_analysis(first, second)
    assert first.mood_vector == second.mood_vector


# -- parity with the original TensorFlow pipeline, through the streaming path --------


@pytest.mark.parametrize(("clip", "atol"), [("sweep_clicks.wav", WAV_TAG_ATOL), ("pink_noise.wav", WAV_TAG_ATOL)])
def test_streamed_patch_tags_match_reference_taggram_for_wavs(reference_dir, references, both_models, clip, atol):
    _assert_streamed_tags_match(reference_dir, references, both_models, clip=clip, atol=atol)


def test_streamed_patch_tags_match_reference_taggram_for_mp3(reference_dir, references, both_models):
    _assert_streamed_tags_match(reference_dir, references, both_models, clip="minuet.mp3", atol=MP3_TAG_ATOL)


def _assert_streamed_tags_match(reference_dir, references, models, *, clip: str, atol: float) -> None:
    # Chunks of 5 patches: the minuet's 16 patches cross three chunk boundaries.
    config = AnalysisConfig(tag_models=("msd", "mtt"), chunk_patches=5, threads=2)
    patches: list[PatchPredictions] = []

    analysis = analyze_file(reference_dir / "audio" / clip, models=models, config=config, on_patches=patches.append)

    reference = references[clip.split(".")[0]]
    for variant in ("msd", "mtt"):
        streamed = np.concatenate([getattr(chunk, f"{variant}_tags") for chunk in patches])
        np.testing.assert_allclose(streamed, reference[f"{variant}_taggram"], rtol=0, atol=atol, err_msg=variant)
    track_msd = np.array(list(analysis.msd_tags.values()))
    np.testing.assert_allclose(track_msd, reference["msd_taggram"].mean(axis=0), rtol=0, atol=atol)


# -- streaming keeps memory at one chunk ----------------------------------------------


class _RecordingModel:
    """A stand-in model that records how many patches each call receives."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, patches: np.ndarray, *, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        self.calls.append(len(patches))
        means = patches.mean(axis=(1, 2))[:, np.newaxis]
        return np.repeat(means, 200, axis=1), np.repeat(1 / (1 + np.exp(-means)), 50, axis=1)


def test_streaming_never_holds_more_than_one_chunk_of_patches(tmp_path, monkeypatch):
    chunk_patches = 4
    seconds = 120.0  # 40 patches: ten chunks
    path = synthetic.write_wav(tmp_path / "long.wav", synthetic.noise(amplitude=0.1, seconds=seconds))
    stft_frames: list[int] = []
    real_power_spectrogram = melspec.power_spectrogram

    def recording_power_spectrogram(samples, **kwargs):
        power = real_power_spectrogram(samples, **kwargs)
        stft_frames.append(power.shape[1])
        return power

    monkeypatch.setattr(melspec, "power_spectrogram", recording_power_spectrogram)
    model = _RecordingModel()
    models = ModelSet(msd=model, mtt=_RecordingModel(), version="test")
    config = AnalysisConfig(tag_models=("msd", "mtt"), chunk_patches=chunk_patches, max_duration_seconds=seconds)

    analysis = analyze_file(path, models=models, config=config)

    assert analysis.patch_count == 40 == sum(model.calls)
    assert max(model.calls) == chunk_patches
    assert len(stft_frames) == 11 and max(stft_frames) == chunk_patches * PATCH_FRAMES  # ten chunks and the tail


# -- the model set ----------------------------------------------------------------------


def test_model_version_names_the_models_and_their_graph_format(msd_models, both_models):
    assert msd_models.version == "musicnn-msd-v1"
    assert both_models.version == "musicnn-msd+mtt-v1"


def test_model_set_is_loaded_once_per_process(model_dir, msd_models):
    assert ModelSet.load(model_dir=model_dir, config=MSD_ONLY) is msd_models


def test_model_set_reloads_a_rebuilt_file(tmp_path, model_dir):
    shutil.copy(model_dir / "musicnn_msd.onnx", tmp_path / "musicnn_msd.onnx")
    first = ModelSet.load(model_dir=tmp_path, config=MSD_ONLY)

    shutil.copy(model_dir / "musicnn_msd.onnx", tmp_path / "musicnn_msd.onnx.new")
    (tmp_path / "musicnn_msd.onnx.new").replace(tmp_path / "musicnn_msd.onnx")

    assert ModelSet.load(model_dir=tmp_path, config=MSD_ONLY) is not first


def test_external_msd_file_gets_a_content_version(tmp_path, model_dir):
    external = shutil.copy(model_dir / "musicnn_msd.onnx", tmp_path / "msd-musicnn-1.onnx")
    config = AnalysisConfig(tag_models=("msd", "mtt"), embedding_model_path=Path(external), threads=1)

    models = ModelSet.load(model_dir=model_dir, config=config)

    assert models.version.startswith("musicnn-msd.ext-") and models.version.endswith("+mtt-v1")
    assert len(models.version.split("+")[0]) == len("musicnn-msd.ext-") + 8


def test_model_of_the_wrong_variant_is_rejected(tmp_path, model_dir):
    shutil.copy(model_dir / "musicnn_mtt.onnx", tmp_path / "musicnn_msd.onnx")

    with pytest.raises(ModelError, match="expected a built musicnn 'msd' model"):
        ModelSet.load(model_dir=tmp_path, config=MSD_ONLY)


def test_missing_model_raises_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        ModelSet.load(model_dir=tmp_path, config=MSD_ONLY)


@pytest.mark.parametrize("tag_models", [("mtt",), ("mtt", "msd"), ("msd", "clap"), ()])
def test_config_rejects_unknown_tag_model_sets(tag_models):
    with pytest.raises(ValueError, match="tag_models"):
        AnalysisConfig(tag_models=tag_models)
