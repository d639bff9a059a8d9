"""The translation store: every translated chunk kept in SQLite under the cache folder, so that
no chunk is translated twice (`db.py` the store, `keys.py` what a chunk is stored under).

A layer beside the engines and inputs: it knows strings and keys, not models or documents;
the flow looks chunks up before translating and puts each batch's results in as it is done.
"""

from translate.store.db import STORE_NAME, TranslationStore, open_store, store_path
from translate.store.keys import chunk_key, context_key

__all__ = ["STORE_NAME", "TranslationStore", "chunk_key", "context_key", "open_store", "store_path"]
