"""A local-memory cache that keeps values as they are, for values never changed in place."""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class ImmutableLocMemCache(LocMemCache):
    """Django's local-memory cache without the pickling, for bytes, str and frozen tuples.

    LocMemCache pickles each value so that a caller changing a mutable value cannot change what
    is cached. The dashboard keeps 4 MB bodies as bytes, which cannot be changed; unpickling
    made a fresh 4 MB copy on every request (~2 ms of a 10 ms page, docs/performance.md). Here
    the cached object itself is returned. Only for values that are immutable all the way down.
    """

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        raise NotImplementedError("ImmutableLocMemCache holds no counters")
