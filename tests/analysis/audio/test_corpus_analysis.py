"""The analysis on real music: ten public corpus tracks (tests/corpus.py), first 60 s of each."""

from __future__ import annotations

import pytest

from analysis.audio.analyze import AnalysisConfig, AnalysisResult, ModelSet, analyze_file
from analysis.audio.other_features import other_features
from tests.analysis.audio.same_analysis import assert_same_analysis
from tests.corpus import CORPUS_TRACKS, public_relpaths

# 60 s keep the ten tracks quick to analyse and still hold 20 patches each.
CAPPED = AnalysisConfig(tag_models=("msd", "mtt"), max_duration_seconds=60.0, threads=2)


@pytest.fixture(scope="module")
def corpus_models(musicnn_model_paths) -> ModelSet:
    return ModelSet.load(model_dir=musicnn_model_paths["msd"].parent, config=CAPPED)


@pytest.fixture(scope="module")
def corpus_analyses(corpus_dir, corpus_models) -> dict[str, AnalysisResult]:
    """relpath -> analysis of each of the ten tracks."""
    return {
        track.relpath: analyze_file(corpus_dir / track.relpath, models=corpus_models, config=CAPPED)
        for track in CORPUS_TRACKS
    }


def _feature(analyses, style: str, name: str, *, with_mtt: bool) -> list[float]:
    """`name` of each track of `style`, from MSD+MTT tags or, recomputed, from MSD tags alone."""
    values = []
    for track in CORPUS_TRACKS:
        if track.style == style:
            analysis = analyses[track.relpath]
            mtt_tags = analysis.mtt_tags if with_mtt else None
            features = other_features(msd_tags=analysis.msd_tags, mtt_tags=mtt_tags, signal=analysis.signal)
            values.append(features.as_dict()[name])
    return values


def test_corpus_test_tracks_are_all_public():
    assert {track.relpath for track in CORPUS_TRACKS} <= public_relpaths()


def test_orchestral_tracks_top_msd_tags_are_not_hip_hop(corpus_analyses):
    for track in CORPUS_TRACKS:
        if track.style == "orchestral":
            top_labels = [mood.split(":")[0] for mood in corpus_analyses[track.relpath].mood_vector.split(",")]
            assert "Hip-Hop" not in top_labels, track.relpath


@pytest.mark.parametrize("with_mtt", [True, False], ids=["msd+mtt", "msd"])
def test_metal_tracks_are_more_aggressive_than_orchestral_ones(corpus_analyses, with_mtt):
    metal = _feature(corpus_analyses, "rock-metal", "aggressive", with_mtt=with_mtt)
    orchestral = _feature(corpus_analyses, "orchestral", "aggressive", with_mtt=with_mtt)

    assert min(metal) > max(orchestral)


@pytest.mark.parametrize("with_mtt", [True, False], ids=["msd+mtt", "msd"])
def test_electronic_tracks_are_more_danceable_than_orchestral_ones(corpus_analyses, with_mtt):
    electronic = _feature(corpus_analyses, "electronic", "danceable", with_mtt=with_mtt)
    orchestral = _feature(corpus_analyses, "orchestral", "danceable", with_mtt=with_mtt)

    assert min(electronic) > max(orchestral)


def test_corpus_analysis_is_deterministic(corpus_dir, corpus_models, corpus_analyses):
    for track in (CORPUS_TRACKS[0], CORPUS_TRACKS[4], CORPUS_TRACKS[7]):
        again = analyze_file(corpus_dir / track.relpath, models=corpus_models, config=CAPPED)
        first = corpus_analyses[track.relpath]

        assert_same_analysis(again, first)
