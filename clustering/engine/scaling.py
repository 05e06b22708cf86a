"""Small libraries: playlist sizes and cluster counts shrink with the number of tracks.

With the defaults (40..100 clusters, playlists of at least 20 songs) a library
of a few hundred tracks would be cut into clusters of 3-8 songs and then
every one of them filtered away. The rule, for ``n`` tracks clustered per run
(the stratified sample; the whole library when it is small) and ``N`` wanted
playlists (TOP_N_PLAYLISTS, or its default 10 when 0 = "all"):

    min playlist size = min(MIN_PLAYLIST_SIZE_FOR_TOP_N, max(3, n // (4 * N)))
    most clusters     = max(2, n // (2 * min playlist size))

Every cluster-count range (K-Means, GMM, Spectral) keeps its maximum when it is
below "most clusters", otherwise it becomes ``most clusters``, and its minimum
is lowered to at most half the new maximum (but not below 2). DBSCAN's
``min_samples`` range is capped at the minimum playlist size. So clusters
average at least twice the minimum size, and about 4 N tracks per playlist
are available before the minimum binds. Large libraries are unchanged: with
the defaults the rule changes nothing from 4000 tracks per run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from clustering.engine.defaults import SMALLEST_PLAYLIST_SIZE, TOP_N_PLAYLISTS, ClusteringConfig


@dataclass(frozen=True)
class LibraryScaling:
    """What the rule gave for one library; ``rule`` is the explanation the UI shows."""

    tracks_per_run: int
    min_playlist_size: int
    num_clusters: tuple[int, int]
    gmm_n_components: tuple[int, int]
    spectral_n_clusters: tuple[int, int]
    dbscan_min_samples: tuple[int, int]
    scaled_down: bool
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def library_scaling(*, tracks_per_run: int, config: ClusteringConfig) -> LibraryScaling:
    """Apply the module's rule to ``config`` for ``tracks_per_run`` tracks."""
    search, post = config.search, config.postprocessing
    wanted = post.top_n_playlists or TOP_N_PLAYLISTS
    min_size = min(post.min_playlist_size_for_top_n, max(SMALLEST_PLAYLIST_SIZE, tracks_per_run // (4 * wanted)))
    most_clusters = max(2, tracks_per_run // (2 * min_size))
    ranges = {
        name: _capped_cluster_range(getattr(search, name), most=most_clusters)
        for name in ("num_clusters", "gmm_n_components", "spectral_n_clusters")
    }
    low, high = search.dbscan_min_samples
    min_samples = (min(low, max(2, min_size)), min(high, max(2, min_size)))
    scaled_down = min_size != post.min_playlist_size_for_top_n or any(
        ranges[name] != getattr(search, name) for name in ranges
    )
    rule = (
        f"{tracks_per_run} tracks per run, {wanted} playlists wanted: playlists of at least "
        f"min({post.min_playlist_size_for_top_n}, max({SMALLEST_PLAYLIST_SIZE}, {tracks_per_run} // (4 x {wanted}))) "
        f"= {min_size} songs, at most max(2, {tracks_per_run} // (2 x {min_size})) = {most_clusters} clusters"
    )
    return LibraryScaling(
        tracks_per_run=tracks_per_run,
        min_playlist_size=min_size,
        dbscan_min_samples=min_samples,
        scaled_down=scaled_down,
        rule=rule,
        **ranges,
    )


def scaled_config(config: ClusteringConfig, *, scaling: LibraryScaling) -> ClusteringConfig:
    """``config`` with the scaled ranges and minimum playlist size."""
    search = dataclasses.replace(
        config.search,
        num_clusters=scaling.num_clusters,
        gmm_n_components=scaling.gmm_n_components,
        spectral_n_clusters=scaling.spectral_n_clusters,
        dbscan_min_samples=scaling.dbscan_min_samples,
    )
    post = dataclasses.replace(config.postprocessing, min_playlist_size_for_top_n=scaling.min_playlist_size)
    return dataclasses.replace(config, search=search, postprocessing=post)


def _capped_cluster_range(bounds: tuple[int, int], *, most: int) -> tuple[int, int]:
    low, high = bounds
    if high <= most:
        return (low, high)
    return (min(low, max(2, most // 2)), most)
