"""What analysis tells the apps above it, without importing them.

``library_changed`` is sent, synchronously, after tracks' embeddings were
added or removed (every REBUILD_INDEX_BATCH_SIZE albums, at the end of an
analysis, after cleaning). Receivers bring their derived data up to date
(the similarity index); when the sender continues, that work is done.
"""

from django.dispatch import Signal

# Sent with: reason (str): "analysis" or "cleaning".
library_changed = Signal()
