"""factory_boy factories for the core rows."""

import factory
import numpy as np
from django.contrib.auth import get_user_model
from django.utils import timezone

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track, TrackAnalysis
from playlists.models import Playlist, PlaylistEntry, PlaylistOrigin
from scheduling.models import TaskStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    item_id = factory.Sequence(lambda n: f"{n:032x}")
    server_type = "local"
    title = factory.Sequence(lambda n: f"Song {n}")
    author = factory.Sequence(lambda n: f"Artist {n % 7}")
    album = factory.Sequence(lambda n: f"Album {n % 5}")
    album_artist = factory.SelfAttribute("author")
    duration = 180.0
    year = 2001


class TrackAnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackAnalysis

    track = factory.SubFactory(TrackFactory)
    tempo = 120.0
    key = "A"
    scale = "major"
    energy = 0.5
    moods = factory.LazyFunction(lambda: {"rock": 0.6, "pop": 0.3})
    other_features = factory.LazyFunction(lambda: {"danceable": 0.5})
    model_version = "test-1"
    analysed_at = factory.LazyFunction(timezone.now)


class EmbeddingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Embedding

    track = factory.SubFactory(TrackFactory)
    vector = factory.LazyFunction(lambda: np.random.default_rng().normal(size=EMBEDDING_DIMENSIONS))
    model_version = "test-1"


class TaskStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskStatus

    task_id = factory.Faker("uuid4")
    task_type = "main_analysis"


class PlaylistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playlist

    name = factory.Sequence(lambda n: f"Playlist {n}")
    origin = PlaylistOrigin.MANUAL


class PlaylistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaylistEntry

    playlist = factory.SubFactory(PlaylistFactory)
    track = factory.SubFactory(TrackFactory)
    position = factory.Sequence(lambda n: n)
