"""`manage.py build_models`: convert the shipped musicnn checkpoints to ONNX in MODEL_DIR."""

import time

from django.core.management.base import BaseCommand, CommandError

from analysis.audio.errors import ModelError
from analysis.audio.model_build import DEFAULT_VARIANTS, build_musicnn_models, models_present
from common.config import setting


class Command(BaseCommand):
    help = "Build the musicnn ONNX models (MSD and MTT) into MODEL_DIR; skips current ones."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even if current models exist.")
        parser.add_argument("--if-missing", action="store_true", help="Say nothing when the models are current.")

    def handle(self, *args, force=False, if_missing=False, **options):
        model_dir = setting("MODEL_DIR")
        if not force and models_present(model_dir, variants=DEFAULT_VARIANTS):
            if not if_missing:
                self.stdout.write(f"Models are current in {model_dir}")
            return
        self.stdout.write(f"Building musicnn ONNX models into {model_dir} ...")
        started = time.monotonic()
        try:
            paths = build_musicnn_models(model_dir, variants=DEFAULT_VARIANTS, force=force)
        except ModelError as exc:
            raise CommandError(f"{exc}; reinstall with 'make up' (the musicnn package holds the weights)") from None
        except OSError as exc:
            raise CommandError(f"cannot write models to {model_dir}: {exc.strerror}; check MODEL_DIR") from None
        for path in paths:
            self.stdout.write(f"  {path.name}: {path.stat().st_size / 1e6:.1f} MB")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s")
