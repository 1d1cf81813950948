"""A bounded store of rendered copies, shared by the kept pages (app/web/pagecache.py) and the
kept parts of pages (app/web/fragments.py)."""

import threading
import time
from collections import OrderedDict


class KeptCopies:
    """At most `size` copies, the least recently used dropped first; a copy older than the
    age its reader allows is dropped when read."""

    def __init__(self, size: int):
        self.size = size
        self._copies: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, max_age: float):
        with self._lock:
            entry = self._copies.get(key)
            if entry is None:
                return None
            kept_at, copy = entry
            if time.monotonic() - kept_at > max_age:
                del self._copies[key]
                return None
            self._copies.move_to_end(key)
            return copy

    def put(self, key, copy) -> None:
        with self._lock:
            self._copies[key] = (time.monotonic(), copy)
            self._copies.move_to_end(key)
            while len(self._copies) > self.size:
                self._copies.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()

    def __len__(self) -> int:
        return len(self._copies)
