from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"

    def ready(self) -> None:
        # Imported once the models are loaded: registers the analysis job and cleaning with scheduling.
        from analysis import jobs

        jobs.register()
