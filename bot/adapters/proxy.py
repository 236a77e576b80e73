"""The outbound proxy, as HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case spellings)
name it: every platform client reaches its platform through it."""

from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

SCHEMES = {"wss": "https", "ws": "http"}  # a websocket goes through the proxy for its HTTP scheme


def proxy_for(url: str) -> str | None:
    """Returns the proxy to reach `url` through, or None to go direct (no proxy set, or NO_PROXY
    names its host)."""
    parts = urlsplit(url)
    if parts.hostname is None or proxy_bypass(parts.hostname):
        return None
    return getproxies().get(SCHEMES.get(parts.scheme, parts.scheme))
