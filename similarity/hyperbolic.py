"""The hyperbolic view of the library (similarity.engine.hyperbolic): fitted from the stored embeddings,
held by every process, asked for similar / roots / niche songs and browsed as a small tree."""

from __future__ import annotations

import atexit
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from similarity import selectors
from similarity.config import SimilarityConfig
from similarity.derived import DerivedKind, DerivedModelManager
from similarity.engine.filters import cap_per_artist, drop_same_songs
from similarity.engine.hyperbolic import (
    MAX_LIMIT,
    HyperbolicError,
    HyperbolicMode,
    HyperbolicModel,
    fit_hyperbolic_model,
    hyperbolic_model_from_bytes,
    hyperbolic_model_to_bytes,
    hyperbolic_neighbours,
    hyperbolic_tree,
)
from similarity.engine.songs import Pick
from similarity.errors import InvalidSimilarityRequest, TrackNotFound
from similarity.library import SongLibrary

ROOT_NODE_ID = "root"
# Candidates read per wanted song before copies and the artist cap are removed.
POOL_PER_RESULT = 4
TREE_NAME = "Hyperbolic Explorer"


class HyperbolicView:
    """A loaded hyperbolic model and, built on first use, its tree (one per model version)."""

    def __init__(self, model: HyperbolicModel) -> None:
        self.model = model

    def __len__(self) -> int:
        return len(self.model)

    @property
    def tree_built(self) -> bool:
        return "tree" in self.__dict__

    @functools.cached_property
    def tree(self) -> dict[str, dict[str, Any]]:
        """node id -> node, ``root`` first: a folder of the most general songs, each song a node of its own."""
        roots = hyperbolic_tree(self.model)
        details = selectors.track_details(item_ids=_tree_item_ids(roots))
        nodes: dict[str, dict[str, Any]] = {}
        root_items = [_tree_node(node, details=details, nodes=nodes) for node in roots]
        nodes[ROOT_NODE_ID] = _folder(ROOT_NODE_ID, TREE_NAME, root_items)
        return nodes


def _tree_item_ids(nodes: list[dict]) -> Iterable[str]:
    for node in nodes:
        yield node["item_id"]
        yield from _tree_item_ids(node["children"])


def _tree_node(node: dict, *, details: dict, nodes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The summary a parent lists; the node itself (with its own items) is stored in ``nodes``."""
    track = details.get(node["item_id"])
    title, author = (track.title, track.author) if track else ("", "")
    children = [_tree_node(child, details=details, nodes=nodes) for child in node["children"]]
    summary = {
        "id": node["item_id"],
        "name": f"{title} - {author}" if author else title,
        "type": "folder" if children else "track",
        "item_id": node["item_id"],
        "title": title,
        "author": author,
        "hyperbolic_radius": round(node["radius"], 6),
        "distance": round(node["distance"], 6),
        "children_count": len(children),
    }
    nodes[node["item_id"]] = {**summary, "items": children}
    return summary


def _folder(node_id: str, name: str, items: list[dict]) -> dict[str, Any]:
    return {"id": node_id, "name": name, "type": "folder", "children_count": len(items), "items": items}


def hyperbolic_model_fit_from_db() -> HyperbolicModel | None:
    """Every analysed track placed in the ball; None when fewer than two are analysed."""
    embeddings = selectors.all_embeddings()
    if len(embeddings.item_ids) < 2:
        return None
    return fit_hyperbolic_model(embeddings=embeddings.vectors, track_ids=embeddings.item_ids)


HYPERBOLIC_MODEL = DerivedKind(
    name="hyperbolic",
    fit=hyperbolic_model_fit_from_db,
    to_bytes=hyperbolic_model_to_bytes,
    load=lambda data: HyperbolicView(hyperbolic_model_from_bytes(data)),
    not_ready_message="The hyperbolic model is not fitted yet: run an analysis first.",
)
hyperbolic_models = DerivedModelManager(HYPERBOLIC_MODEL)
atexit.register(hyperbolic_models.close)


def hyperbolic_mode(text: str) -> HyperbolicMode:
    """``similar`` (also for an empty mode), ``roots`` or ``niche``, any case; otherwise a 400."""
    try:
        return HyperbolicMode(text.strip().lower() or HyperbolicMode.SIMILAR)
    except ValueError:
        raise InvalidSimilarityRequest('Invalid "mode"; use "similar", "roots" or "niche".') from None


@dataclass(frozen=True)
class HyperbolicAnswer:
    rows: list[dict]
    seed_radius: float


def hyperbolic_similar(
    *, item_id: str, mode: HyperbolicMode, limit: int, radial_spread: float, config: SimilarityConfig
) -> HyperbolicAnswer:
    """Song rows (``distance`` is the Poincaré distance to the seed, plus ``hyperbolic_radius``), best first,
    without copies of one song and with at most MAX_SONGS_PER_ARTIST per artist, as similar_tracks.

    IndexNotReady (503) before the model is fitted; TrackNotFound for a seed the model does not hold.
    """
    model = hyperbolic_models.current().model
    try:
        seed_index = model.index_of(item_id)
    except HyperbolicError:
        raise TrackNotFound(f"Track {item_id} was not found or is not analysed") from None
    pool = min(limit * POOL_PER_RESULT, MAX_LIMIT)
    found = hyperbolic_neighbours(model, seed_index=seed_index, mode=mode, limit=pool, radial_spread=radial_spread)
    library = SongLibrary.current(config)
    candidates = library.songs([item_id, *(model.item_ids[index] for index in found.indices)])
    seed_signature = [song.signature for song in candidates[:1] if song.item_id == item_id]
    kept = cap_per_artist(
        drop_same_songs([song for song in candidates if song.item_id != item_id], taken=seed_signature),
        cap=config.max_songs_per_artist,
    )[:limit]
    position = {model.item_ids[index]: rank for rank, index in enumerate(found.indices)}
    picks = [Pick(song.item_id, float(found.distances[position[song.item_id]])) for song in kept]
    rows = [
        {**row, "hyperbolic_radius": round(float(found.radii[position[row["item_id"]]]), 6)}
        for row in library.rows(picks, top_n_moods=config.top_n_moods)
    ]
    return HyperbolicAnswer(rows=rows, seed_radius=round(found.seed_radius, 6))


def hyperbolic_tree_node(*, node_id: str) -> dict[str, Any]:
    """The tree node ``node_id`` (``root`` when empty) with its items; TrackNotFound for an unknown one."""
    nodes = hyperbolic_models.current().tree
    node = nodes.get(node_id or ROOT_NODE_ID)
    if node is None:
        raise TrackNotFound(f"No hyperbolic tree node {node_id!r}")
    return node
