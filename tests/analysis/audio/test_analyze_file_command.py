"""`manage.py analyze_file`: a readable report, JSON, and one-line errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from . import synthetic


@pytest.fixture
def configured(settings, musicnn_model_paths):
    settings.MODEL_DIR = musicnn_model_paths["msd"].parent
    settings.ANALYSIS_TAG_MODELS = ["msd", "mtt"]
    return settings


def test_command_prints_moods_tempo_key_and_timings(tmp_path, configured):
    path = synthetic.write_wav(tmp_path / "clicks.wav", synthetic.click_track(bpm=120.0, seconds=8.0))
    output = io.StringIO()

    call_command("analyze_file", str(path), stdout=output)

    report = output.getvalue()
    for heading in ("moods", "tempo", "key", "energy", "other", "mtt tags", "timings"):
        assert f"  {heading} " in report
    assert "musicnn-msd+mtt-v1" in report


def test_command_prints_json(tmp_path, configured):
    path = synthetic.write_wav(tmp_path / "chord.wav", synthetic.chord(midi_notes=[57, 61, 64], seconds=5.0))
    output = io.StringIO()

    call_command("analyze_file", str(path), "--json", stdout=output)

    analysis = json.loads(output.getvalue())
    assert (analysis["key"], analysis["scale"]) == ("A", "major")
    assert len(analysis["embedding"]) == 200 and len(analysis["mtt_tags"]) == 50


def test_undecodable_file_is_a_one_line_command_error(tmp_path, configured):
    path = tmp_path / "broken.mp3"
    path.write_bytes(b"\x00" * 4096)

    with pytest.raises(CommandError) as raised:
        call_command("analyze_file", str(path), stdout=io.StringIO())

    assert str(raised.value).startswith("broken.mp3: ") and "\n" not in str(raised.value)


def test_missing_models_say_how_to_build_them(tmp_path, settings):
    settings.MODEL_DIR = tmp_path
    path = synthetic.write_wav(tmp_path / "noise.wav", synthetic.noise(amplitude=0.1))

    with pytest.raises(CommandError, match="build_models"):
        call_command("analyze_file", str(path), stdout=io.StringIO())
