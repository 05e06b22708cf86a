"""Song alchemy over the loaded index: inputs to centroids, candidates, subtract filter, sampling, 2-D picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from similarity import artists, selectors
from similarity.config import SimilarityConfig
from similarity.engine.alchemy import centroid, project_2d, sample_by_temperature, split_by_subtract
from similarity.engine.artists import ArtistComponent, artist_components
from similarity.engine.filters import cap_per_artist
from similarity.engine.similar import SimilarRules, prefilter
from similarity.engine.songs import Metric, Pick, Song, distances_to, stack_vectors
from similarity.errors import IndexNotReady, InvalidSimilarityRequest, TrackNotFound
from similarity.library import SongLibrary

# Inputs per request: a blend of more says nothing new, and each costs a lookup.
MAX_ALCHEMY_ITEMS = 100
POOL_PER_RESULT = 4
MAX_POOL_PER_RESULT = 20


@dataclass(frozen=True)
class AlchemyItem:
    """One input: a song id or an artist name, added or subtracted."""

    id: str
    subtract: bool
    is_artist: bool


@dataclass(frozen=True)
class AlchemyInput:
    """A resolved input: its direction and, for a song, the song itself; for an artist, its name,
    its id on the media server and its mixture components (see similarity.artists)."""

    item: AlchemyItem
    vector: np.ndarray
    song: Song | None
    artist: str = ""
    artist_id: str = ""
    components: tuple[ArtistComponent, ...] = ()


@dataclass(frozen=True)
class AlchemyResult:
    inputs: tuple[AlchemyInput, ...]
    results: tuple[Pick, ...]  # distance to the add centroid
    filtered_out: tuple[Pick, ...]  # distance to the add centroid
    # "add_centroid", "subtract_centroid", input index "input:<i>", artist components "input:<i>:<c>", item ids
    points_2d: dict[str, np.ndarray]
    projection: str


def run_alchemy(
    *,
    library: SongLibrary,
    items: Sequence[AlchemyItem],
    n: int,
    temperature: float,
    subtract_distance: float,
    rng: np.random.Generator,
    config: SimilarityConfig,
) -> AlchemyResult:
    """Songs near the mean of the added inputs and away from the subtracted ones (module docstring of the engine)."""
    if not any(not item.subtract for item in items):
        raise InvalidSimilarityRequest("Alchemy needs at least one song or artist to ADD")
    artists = _artists(items)
    artist_ids = selectors.artists_item_ids(artists=[name for name, _, _ in artists.values()])
    # One query for every input song and every song of the input artists.
    song_ids = [item.id for item in items if not item.is_artist]
    library.songs([*song_ids, *(item_id for ids in artist_ids.values() for item_id in ids)])
    inputs = tuple(_resolve(item, library=library, artist_ids=artist_ids, artists=artists) for item in items)
    add_centroid = centroid(np.stack([i.vector for i in inputs if not i.item.subtract]))
    subtracted = [i.vector for i in inputs if i.item.subtract]
    subtract_centroid = centroid(np.stack(subtracted)) if subtracted else None
    kept, removed = _candidates(
        library=library,
        inputs=inputs,
        add_centroid=add_centroid,
        subtract_centroid=subtract_centroid,
        subtract_distance=subtract_distance,
        n=n,
        config=config,
    )
    to_add = distances_to(stack_vectors(kept, dimensions=len(add_centroid)), add_centroid, metric=Metric.ANGULAR)
    chosen = sample_by_temperature(to_add, n=n, temperature=temperature, rng=rng)
    results = tuple(Pick(kept[i].item_id, float(to_add[i])) for i in chosen)
    filtered_out = tuple(_picks_near(removed, add_centroid))
    points, method = _project(inputs, add_centroid, subtract_centroid, results, filtered_out, library=library)
    return AlchemyResult(inputs, results, filtered_out, points, method)


def _artists(items: Sequence[AlchemyItem]) -> dict[str, tuple[str, str, tuple[ArtistComponent, ...]]]:
    """Artist item id (a name or the media server's artist id) -> (name, server id, components)."""
    wanted = [item.id for item in items if item.is_artist]
    if not wanted:
        return {}
    directory = artists.artist_directories.current()
    try:
        model = artists.artist_models.current()
    except IndexNotReady:
        model = None  # fitted after each index rebuild; until then an artist is the mean of its songs
    found = {}
    for given in wanted:
        key = directory.resolve(given)
        if key is None:
            found[given] = (given, given, ())
            continue
        has_components = model is not None and key in model
        components = artist_components(model, artist_key=key) if has_components else ()
        found[given] = (key, directory.artist_ids.get(key, key), components)
    return found


def _resolve(
    item: AlchemyItem, *, library: SongLibrary, artist_ids: dict[str, list[str]], artists: dict
) -> AlchemyInput:
    if not item.is_artist:
        song = library.song(item.id)
        return AlchemyInput(item=item, vector=song.vector, song=song)
    name, server_id, components = artists[item.id]
    songs = library.songs(artist_ids.get(name.lower(), []))
    if not songs:
        raise TrackNotFound(f"Artist {item.id} has no analysed tracks")
    vector = centroid(stack_vectors(songs))
    return AlchemyInput(item=item, vector=vector, song=None, artist=name, artist_id=server_id, components=components)


def _candidates(
    *,
    library: SongLibrary,
    inputs: Sequence[AlchemyInput],
    add_centroid: np.ndarray,
    subtract_centroid: np.ndarray | None,
    subtract_distance: float,
    n: int,
    config: SimilarityConfig,
) -> tuple[list[Song], list[Song]]:
    """(kept, removed by the subtract filter); the pool grows until n are kept or it reaches its cap."""
    rules = SimilarRules(duplicates=config.duplicate_rule(), max_per_artist=config.max_songs_per_artist)
    chosen = [i.song for i in inputs if i.song is not None]
    pool, max_pool = POOL_PER_RESULT * n + len(chosen), min(len(library), MAX_POOL_PER_RESULT * n + len(chosen))
    while True:
        candidates = prefilter(library.nearest(add_centroid, min(pool, max_pool)), rules=rules, chosen=chosen)
        split = split_by_subtract(candidates, subtract_centroid=subtract_centroid, min_distance=subtract_distance)
        # The artist cap counts only songs that stay: a removed song must not use up its artist's places.
        kept = cap_per_artist(split.kept, cap=rules.max_per_artist)
        if len(kept) >= n or pool >= max_pool:
            return kept, list(split.removed)
        pool *= 2


def _picks_near(songs: Sequence[Song], target: np.ndarray) -> list[Pick]:
    distances = distances_to(stack_vectors(songs, dimensions=len(target)), target, metric=Metric.ANGULAR)
    return [Pick(song.item_id, float(d)) for song, d in zip(songs, distances, strict=True)]


def _project(
    inputs: Sequence[AlchemyInput],
    add_centroid: np.ndarray,
    subtract_centroid: np.ndarray | None,
    results: Sequence[Pick],
    filtered_out: Sequence[Pick],
    *,
    library: SongLibrary,
) -> tuple[dict[str, np.ndarray], str]:
    """2-D coordinates of everything the plot shows, from one projection so they share axes."""
    keys = [f"input:{position}" for position in range(len(inputs))] + ["add_centroid"]
    vectors = [i.vector for i in inputs] + [add_centroid]
    for position, entry in enumerate(inputs):
        keys += [f"input:{position}:{number}" for number in range(len(entry.components))]
        vectors += [component.mean.astype(np.float32) for component in entry.components]
    if subtract_centroid is not None:
        keys.append("subtract_centroid")
        vectors.append(subtract_centroid)
    songs = library.songs([pick.item_id for pick in (*results, *filtered_out)])
    keys += [song.item_id for song in songs]
    vectors += [song.vector for song in songs]
    projection = project_2d(np.stack(vectors))
    return dict(zip(keys, projection.points, strict=True)), projection.method
