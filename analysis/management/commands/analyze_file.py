"""`manage.py analyze_file PATH [--json]`: analyse one file with the configured models.

Handy to check a setup (models built, decoder working, settings sensible)
without a media server or a database.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.analyzer import analysis_config
from analysis.audio.analyze import AnalysisResult, ModelSet, analyze_file
from analysis.audio.errors import AudioError, ModelError
from common.config import setting


class Command(BaseCommand):
    help = "Analyse one audio file with the configured models and print moods, tempo, key, energy and timings."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Audio file to analyse.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the whole analysis as JSON.")

    def handle(self, *args, path, as_json=False, **options):
        config = analysis_config()
        try:
            models = ModelSet.load(model_dir=Path(setting("MODEL_DIR")), config=config)
        except ModelError as exc:
            raise CommandError(f"{exc} (run 'manage.py build_models', or check MODEL_DIR / *_MODEL_PATH)") from None
        try:
            analysis = analyze_file(path, models=models, config=config)
        except AudioError as exc:
            # Decode errors already start with the file name; the others do not.
            name, message = Path(path).name, str(exc)
            raise CommandError(message if message.startswith(f"{name}:") else f"{name}: {message}") from None
        self.stdout.write(_as_json(analysis) if as_json else _as_text(analysis, path=path))


def _as_json(analysis: AnalysisResult) -> str:
    return json.dumps(analysis.to_dict(), indent=2)


def _as_text(analysis: AnalysisResult, *, path: str) -> str:
    timings = analysis.timings
    speed = analysis.duration_seconds / timings.total_seconds if timings.total_seconds else float("inf")
    lines = [
        f"{path}",
        f"  analysed     {analysis.duration_seconds:.1f} s, {analysis.patch_count} patches, {analysis.model_version}",
        f"  moods        {analysis.mood_vector.replace(',', ', ')}",
        f"  tempo        {analysis.tempo:.1f} BPM",
        f"  key          {analysis.key} {analysis.scale}",
        f"  energy       {analysis.energy:.3f} ({analysis.energy_dbfs:.1f} dBFS)",
        "  other        " + ", ".join(f"{name} {value:.2f}" for name, value in analysis.other_features.items()),
    ]
    if analysis.mtt_tags is not None:
        top_mtt = sorted(analysis.mtt_tags.items(), key=lambda item: -item[1])[:5]
        lines.append("  mtt tags     " + ", ".join(f"{label} {value:.3f}" for label, value in top_mtt))
    lines.append(
        f"  timings      decode {timings.decode_seconds:.2f} s, features {timings.features_seconds:.2f} s, "
        f"inference {timings.inference_seconds:.2f} s ({speed:.0f}x real time)"
    )
    return "\n".join(lines)
