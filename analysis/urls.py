"""Analysis routes: starting analysis and cleaning (AudioMuse-AI compatible), and the Cleaning page."""

from django.urls import path

from analysis import api, views

urlpatterns = [
    path("api/analysis/start", api.analysis_start, name="analysis-start"),
    path("api/cleaning/start", api.cleaning_start, name="cleaning-start"),
    path("cleaning", views.cleaning, name="cleaning"),
]
