"""The shared cache on Redis (settings.REDIS_URL), which fails open.

Everything kept in the cache (pages, charts, PDFs, the analysis) can be drawn again from the
database: the cache only saves time. So while Redis cannot be reached, the cache answers as an
empty one (every read a miss, every write dropped) and the servers draw from the database,
slower but never with an error. After a failure, a worker leaves Redis alone for
RETRY_SECONDS, so that a request pays for at most one failed attempt, and no request waits on a
Redis that does not answer longer than the socket timeout (settings.CACHES).

The counters that protect accounts (the login lockout, the password-reset limits) are not kept
here: they stay in the database, where they hold while Redis is down.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _fail_open(answer):
    """Run the cache method; while Redis is unreachable, return `answer(args, kwargs)`."""

    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            if time.monotonic() < self.down_until:
                return answer(args, kwargs)
            try:
                result = method(self, *args, **kwargs)
            except UNREACHABLE as error:
                if not self.failing:
                    logger.warning("Cache unreachable, serving from the database: %r", error)
                self.failing = True
                self.down_until = time.monotonic() + RETRY_SECONDS
                return answer(args, kwargs)
            if self.failing:
                logger.warning("Cache reachable again")
                self.failing = False
            return result

        return call

    return decorate


def _nothing(args, kwargs):
    return None


def _false(args, kwargs):
    return False


def _empty(args, kwargs):
    return {}


def _default(args, kwargs):
    """What `get(key, default=None)` answers for a miss."""
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class OneClientPerPool(RedisCacheClient):
    """Django's Redis client, which makes a new redis.Redis for each cache call; this one keeps
    one per connection pool. Making one sets up its 170 or so reply handlers, which cost a
    cached page about as much as its read from Redis. A redis.Redis may be shared: each command
    takes a connection from the pool and gives it back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache; while Redis is unreachable, an empty cache that keeps nothing."""

    failing = False
    down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerPool

    get = _fail_open(_default)(RedisCache.get)
    get_many = _fail_open(_empty)(RedisCache.get_many)
    has_key = _fail_open(_false)(RedisCache.has_key)
    add = _fail_open(_false)(RedisCache.add)
    set = _fail_open(_nothing)(RedisCache.set)
    set_many = _fail_open(lambda args, kwargs: [])(RedisCache.set_many)
    touch = _fail_open(_false)(RedisCache.touch)
    delete = _fail_open(_false)(RedisCache.delete)
    delete_many = _fail_open(_nothing)(RedisCache.delete_many)
    clear = _fail_open(_nothing)(RedisCache.clear)

    def reachable(self) -> bool:
        """Whether Redis answers now (the health endpoint asks), whatever the last failure."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE:
            return False
