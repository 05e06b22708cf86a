"""Analyse one track: the single entry point the analysis jobs call.

The track is decoded once. One streaming pass then walks its STFT in chunks of
``chunk_patches`` patches (melspec.iter_spectrogram_chunks): each chunk's power
spectrogram is computed once and feeds both the signal features (through
features.SignalFeatureAccumulator) and the mel patches that the musicnn models
run on. Besides the decoded samples (64 kB per second of audio), memory holds
one chunk (16 patches, 48 s of audio: ~40 MB of spectrograms and their
temporaries) plus a few numbers per STFT frame, so a 60-minute track needs
little more than a 3-minute one beyond its samples.
Track-level values are means over patches.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from analysis.audio.decode import decode_audio
from analysis.audio.errors import AudioTooShortError, ModelError
from analysis.audio.features import SignalFeatureAccumulator, SignalFeatures
from analysis.audio.inference import DEFAULT_BATCH_SIZE, MusicnnModel
from analysis.audio.labels import MSD_LABELS, MTT_LABELS
from analysis.audio.melspec import SAMPLE_RATE, iter_spectrogram_chunks
from analysis.audio.model_build import FORMAT_METADATA_KEY, VARIANT_METADATA_KEY, musicnn_model_path
from analysis.audio.other_features import other_features

TAG_MODEL_CHOICES = (("msd",), ("msd", "mtt"))

# A worker normally holds one ModelSet; a few more cover a model file rebuilt
# while the process runs, without keeping every old session alive.
_MAX_CACHED_MODEL_SETS = 4
_MODEL_SETS: dict[tuple, ModelSet] = {}
_MODEL_SETS_LOCK = threading.Lock()


@dataclass(frozen=True)
class AnalysisConfig:
    """Every knob of the analysis as a plain value, named after its setting.

    The defaults are what bench/analysis.py recommends on a 2-core machine:
    MSD alone (MSD+MTT costs 1.6-2x the time) and one patch per ONNX run
    (larger batches are no faster on CPU and cost ~38 MB per patch per model).

    max_duration_seconds (AUDIO_MAX_DURATION): seconds analysed from the start.
    load_timeout_seconds (AUDIO_LOAD_TIMEOUT): limit on decoding one file.
    top_n_moods (TOP_N_MOODS): MSD tags kept in ``mood_vector``.
    tempo_min_bpm, tempo_max_bpm (TEMPO_MIN_BPM/MAX): tempo folding range.
    energy_min_dbfs, energy_max_dbfs (ENERGY_MIN/MAX): RMS dBFS mapped to energy 0 and 1.
    tag_models (ANALYSIS_TAG_MODELS): ("msd",) or ("msd", "mtt").
    batch_size (ANALYSIS_BATCH_SIZE): patches per ONNX run.
    embedding_model_path, prediction_model_path (EMBEDDING_/PREDICTION_MODEL_PATH):
        third-party files replacing the built MSD model.
    chunk_patches: patches per streaming chunk (16 = 48 s; bounds memory, not a setting).
    threads: ONNX Runtime threads per session; None = the CPUs this process may use.
    """

    max_duration_seconds: float = 600.0
    load_timeout_seconds: float = 120.0
    top_n_moods: int = 5
    tempo_min_bpm: float = 60.0
    tempo_max_bpm: float = 200.0
    energy_min_dbfs: float = -40.0
    energy_max_dbfs: float = -6.0
    tag_models: tuple[str, ...] = ("msd",)
    batch_size: int = DEFAULT_BATCH_SIZE
    embedding_model_path: Path | None = None
    prediction_model_path: Path | None = None
    chunk_patches: int = 16
    threads: int | None = None

    def __post_init__(self) -> None:
        if tuple(self.tag_models) not in TAG_MODEL_CHOICES:
            raise ValueError(f"tag_models must be ('msd',) or ('msd', 'mtt'), got {self.tag_models!r}")
        for name in ("top_n_moods", "batch_size", "chunk_patches"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


class PatchModel(Protocol):
    """What the analysis needs of a model: inference.MusicnnModel.predict."""

    def predict(self, patches: np.ndarray, *, batch_size: int) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(frozen=True, eq=False)
class ModelSet:
    """The models one worker process uses for every track, and their version string.

    msd: MSD model (or the user's AudioMuse-AI / Essentia files): embedding + MSD tags.
    mtt: MTT model (MTT tags only), or None when the config asks for MSD alone.
    version: e.g. "musicnn-msd+mtt-v1"; changes whenever the models' output can
        change (model set, converter graph format, third-party file contents), so
        stored analyses can be recognised as stale.
    """

    msd: PatchModel
    mtt: PatchModel | None
    version: str

    @classmethod
    def load(cls, *, model_dir: Path, config: AnalysisConfig) -> ModelSet:
        """Open the models ``config`` asks for, once per process.

        Later calls for the same files (path, size, modification time) and thread
        count return the same ModelSet, so a Celery worker process creates each
        InferenceSession once. Raises ModelError for missing or unsuitable files.
        """
        files = _ModelFiles.resolve(model_dir=Path(model_dir), config=config)
        key = (files.identity(), config.threads)
        with _MODEL_SETS_LOCK:
            model_set = _MODEL_SETS.get(key)
            if model_set is None:
                model_set = _open_model_set(files, threads=config.threads)
                if len(_MODEL_SETS) >= _MAX_CACHED_MODEL_SETS:
                    _MODEL_SETS.pop(next(iter(_MODEL_SETS)))
                _MODEL_SETS[key] = model_set
        return model_set


@dataclass(frozen=True)
class _ModelFiles:
    """Which files make up a model set: built ones in model_dir, or the user's."""

    msd_embedding: Path
    msd_prediction: Path | None
    msd_external: bool
    mtt: Path | None

    @classmethod
    def resolve(cls, *, model_dir: Path, config: AnalysisConfig) -> _ModelFiles:
        external = config.embedding_model_path is not None or config.prediction_model_path is not None
        return cls(
            msd_embedding=Path(config.embedding_model_path or musicnn_model_path(model_dir, "msd")),
            msd_prediction=Path(config.prediction_model_path) if config.prediction_model_path else None,
            msd_external=external,
            mtt=musicnn_model_path(model_dir, "mtt") if "mtt" in config.tag_models else None,
        )

    def identity(self) -> tuple:
        paths = (self.msd_embedding, self.msd_prediction, self.mtt)
        return tuple(_file_identity(path) for path in paths if path is not None)


def _file_identity(path: Path) -> tuple[str, int, int, int]:
    """What changes when a model file is rebuilt (written elsewhere and renamed into place)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ModelError(f"model file not found: {path}") from exc
    return str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns


def _open_model_set(files: _ModelFiles, *, threads: int | None) -> ModelSet:
    msd = MusicnnModel(files.msd_embedding, prediction_model_path=files.msd_prediction, threads=threads)
    mtt = MusicnnModel(files.mtt, threads=threads) if files.mtt is not None else None
    tokens, formats = [], set()
    if files.msd_external:
        external = [path for path in (files.msd_embedding, files.msd_prediction) if path is not None]
        tokens.append(f"msd.ext-{_files_digest(external)}")
    else:
        tokens.append("msd")
        formats.add(_built_model_format(msd, variant="msd", path=files.msd_embedding))
    if mtt is not None:
        tokens.append("mtt")
        formats.add(_built_model_format(mtt, variant="mtt", path=files.mtt))
    if len(formats) > 1:
        raise ModelError(f"the models were built by different converter versions {sorted(formats)}: run build_models")
    suffix = f"-v{formats.pop()}" if formats else ""
    return ModelSet(msd=msd, mtt=mtt, version=f"musicnn-{'+'.join(tokens)}{suffix}")


def _built_model_format(model: MusicnnModel, *, variant: str, path: Path | None) -> str:
    """The converter's graph format of one of our built models, after checking its variant."""
    found = model.metadata.get(VARIANT_METADATA_KEY)
    if found != variant:
        raise ModelError(f"{path}: expected a built musicnn '{variant}' model, found variant {found!r}")
    return model.metadata.get(FORMAT_METADATA_KEY, "0")


def _files_digest(paths: list[Path]) -> str:
    """First 8 hex digits of the SHA-256 of the files' contents, in order."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as model_file:
            for block in iter(lambda: model_file.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:8]


@dataclass(frozen=True, eq=False)
class PatchPredictions:
    """Model outputs for consecutive 2.976-s patches of a track.

    embeddings: np.ndarray [shape=(k, 200), dtype=float32], MSD embeddings.
    msd_tags, mtt_tags: np.ndarray [shape=(k, 50), dtype=float32], probabilities
    in label order (mtt_tags None when MTT is not run).
    """

    embeddings: np.ndarray
    msd_tags: np.ndarray
    mtt_tags: np.ndarray | None


@dataclass(frozen=True)
class StageTimings:
    """Wall-clock seconds spent in each stage of one analysis.

    decode: reading and resampling the file. features: STFT, mel, log-mel
    patches and signal features. inference: the ONNX model runs.
    """

    decode_seconds: float
    features_seconds: float
    inference_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.decode_seconds + self.features_seconds + self.inference_seconds


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Everything the analysis learns about one track.

    embedding: np.ndarray [shape=(200,), dtype=float32, read-only], mean of the patch embeddings.
    msd_tags / mtt_tags: label -> mean patch probability, in label order (mtt None when not run).
    mood_vector: top ``top_n_moods`` MSD tags, "rock:0.546,pop:0.520,...".
    tempo: BPM folded into the tempo range. energy: 0..1 (energy_dbfs mapped
    through the energy range); energy_dbfs: RMS level in dBFS. key: "C".."B";
    scale: "major" or "minor". other_features: danceable, aggressive, happy,
    party, relaxed, sad, each 0..1 (see other_features.py).
    duration_seconds: audio analysed; patch_count: 2.976-s patches run.
    signal: every signal feature measured (pulse clarity, DFA, ...).
    """

    embedding: np.ndarray = field(repr=False)
    msd_tags: dict[str, float] = field(repr=False)
    mtt_tags: dict[str, float] | None = field(repr=False)
    mood_vector: str
    tempo: float
    energy: float
    energy_dbfs: float
    key: str
    scale: str
    other_features: dict[str, float]
    duration_seconds: float
    patch_count: int
    model_version: str
    timings: StageTimings
    signal: SignalFeatures = field(repr=False)

    def to_dict(self) -> dict:
        """Plain JSON-serialisable values (the embedding as a list of floats)."""
        return {
            "embedding": [float(value) for value in self.embedding],
            "msd_tags": self.msd_tags,
            "mtt_tags": self.mtt_tags,
            "mood_vector": self.mood_vector,
            "tempo": self.tempo,
            "energy": self.energy,
            "energy_dbfs": self.energy_dbfs,
            "key": self.key,
            "scale": self.scale,
            "other_features": self.other_features,
            "duration_seconds": self.duration_seconds,
            "patch_count": self.patch_count,
            "model_version": self.model_version,
            "timings": {
                "decode_seconds": self.timings.decode_seconds,
                "features_seconds": self.timings.features_seconds,
                "inference_seconds": self.timings.inference_seconds,
            },
        }


def analyze_file(
    path: str | Path,
    *,
    models: ModelSet,
    config: AnalysisConfig,
    on_patches: Callable[[PatchPredictions], None] | None = None,
) -> AnalysisResult:
    """Analyse the first ``config.max_duration_seconds`` of one audio file.

    ``on_patches``, when given, sees every chunk's patch-level outputs as they
    are computed (parity checks, debugging); the track values are their means.
    Raises AudioError subclasses (undecodable, silent, too short, timeout, model).
    """
    clock = _StageClock()
    with clock.stage("decode"):
        decoded = decode_audio(
            path,
            sample_rate=SAMPLE_RATE,
            max_duration_seconds=config.max_duration_seconds,
            timeout_seconds=config.load_timeout_seconds,
        )
    means, signal = _analyse_samples(decoded.samples, models=models, config=config, clock=clock, on_patches=on_patches)
    msd_tags = dict(zip(MSD_LABELS, means.msd_tags.tolist(), strict=True))
    mtt_tags = None if means.mtt_tags is None else dict(zip(MTT_LABELS, means.mtt_tags.tolist(), strict=True))
    return AnalysisResult(
        embedding=means.embedding,
        msd_tags=msd_tags,
        mtt_tags=mtt_tags,
        mood_vector=mood_vector(msd_tags, top_n=config.top_n_moods),
        tempo=signal.tempo_bpm,
        energy=signal.energy,
        energy_dbfs=signal.energy_dbfs,
        key=signal.key,
        scale=signal.scale,
        other_features=other_features(msd_tags=msd_tags, mtt_tags=mtt_tags, signal=signal).as_dict(),
        duration_seconds=decoded.duration_seconds,
        patch_count=means.count,
        model_version=models.version,
        timings=clock.timings(),
        signal=signal,
    )


def mood_vector(tags: Mapping[str, float], *, top_n: int) -> str:
    """The ``top_n`` most probable tags as "label:0.546,label:0.520" (3 decimals, ties in label order)."""
    ranked = sorted(tags.items(), key=lambda item: -item[1])[:top_n]
    return ",".join(f"{label}:{probability:.3f}" for label, probability in ranked)


@dataclass(frozen=True, eq=False)
class _PatchMeans:
    embedding: np.ndarray  # [200] float32, read-only
    msd_tags: np.ndarray  # [50] float64
    mtt_tags: np.ndarray | None  # [50] float64
    count: int


class _PatchSums:
    """Running float64 sums of patch outputs, so nothing per patch is kept."""

    def __init__(self) -> None:
        self.count = 0
        self._embedding = np.zeros(0)
        self._msd = np.zeros(0)
        self._mtt: np.ndarray | None = None

    def add(self, predictions: PatchPredictions) -> None:
        if not self.count:
            self._embedding = np.zeros(predictions.embeddings.shape[1])
            self._msd = np.zeros(predictions.msd_tags.shape[1])
            self._mtt = None if predictions.mtt_tags is None else np.zeros(predictions.mtt_tags.shape[1])
        self.count += len(predictions.embeddings)
        self._embedding += np.sum(predictions.embeddings, axis=0, dtype=np.float64)
        self._msd += np.sum(predictions.msd_tags, axis=0, dtype=np.float64)
        if self._mtt is not None and predictions.mtt_tags is not None:
            self._mtt += np.sum(predictions.mtt_tags, axis=0, dtype=np.float64)

    def means(self) -> _PatchMeans:
        if not self.count:
            raise AudioTooShortError("the audio holds no complete 2.976-s analysis patch")
        embedding = (self._embedding / self.count).astype(np.float32)
        embedding.setflags(write=False)
        mtt = None if self._mtt is None else self._mtt / self.count
        return _PatchMeans(embedding=embedding, msd_tags=self._msd / self.count, mtt_tags=mtt, count=self.count)


def _analyse_samples(
    samples: np.ndarray,
    *,
    models: ModelSet,
    config: AnalysisConfig,
    clock: _StageClock,
    on_patches: Callable[[PatchPredictions], None] | None,
) -> tuple[_PatchMeans, SignalFeatures]:
    """The streaming pass: each STFT chunk feeds the features and the models, then is dropped."""
    accumulator = SignalFeatureAccumulator(
        sample_rate=SAMPLE_RATE,
        tempo_min_bpm=config.tempo_min_bpm,
        tempo_max_bpm=config.tempo_max_bpm,
        energy_min_dbfs=config.energy_min_dbfs,
        energy_max_dbfs=config.energy_max_dbfs,
    )
    sums = _PatchSums()
    chunks = iter_spectrogram_chunks(samples, chunk_patches=config.chunk_patches, sample_rate=SAMPLE_RATE)
    for chunk in clock.timed_iteration(chunks, stage="features"):
        with clock.stage("features"):
            accumulator.add(samples=samples, first_frame=chunk.first_frame, power=chunk.power, mel=chunk.mel)
        if not len(chunk.patches):
            continue
        with clock.stage("inference"):
            predictions = predict_patches(chunk.patches, models=models, batch_size=config.batch_size)
        sums.add(predictions)
        if on_patches is not None:
            on_patches(predictions)
    with clock.stage("features"):
        signal = accumulator.result(samples=samples)
    return sums.means(), signal


def predict_patches(patches: np.ndarray, *, models: ModelSet, batch_size: int) -> PatchPredictions:
    """Run every model of the set on patches [shape=(k, 187, 96)] of log-mel."""
    embeddings, msd_tags = models.msd.predict(patches, batch_size=batch_size)
    mtt_tags = None
    if models.mtt is not None:
        _, mtt_tags = models.mtt.predict(patches, batch_size=batch_size)
    return PatchPredictions(embeddings=embeddings, msd_tags=msd_tags, mtt_tags=mtt_tags)


class _StageClock:
    """Adds up wall-clock seconds per analysis stage."""

    def __init__(self) -> None:
        self._seconds = {"decode": 0.0, "features": 0.0, "inference": 0.0}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._seconds[name] += time.perf_counter() - started

    def timed_iteration(self, iterator: Iterator, *, stage: str) -> Iterator:
        """Yield from ``iterator``, counting the time spent producing each item under ``stage``."""
        while True:
            with self.stage(stage):
                item = next(iterator, _END)
            if item is _END:
                return
            yield item

    def timings(self) -> StageTimings:
        return StageTimings(
            decode_seconds=self._seconds["decode"],
            features_seconds=self._seconds["features"],
            inference_seconds=self._seconds["inference"],
        )


_END = object()
