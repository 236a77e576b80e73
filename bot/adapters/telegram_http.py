"""python-telegram-bot's calls to the Bot API over aiohttp.

PTB's own httpx client spends more CPU on each call than the bot spends on the update: its pool
checks every open connection on every request. A tap costs two calls (answer the tap, turn the
question into the next one), and polling one more now and then, so that cost is much of the bot's.
"""

import asyncio
import itertools
import logging
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.adapters.proxy import proxy_for

log = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds, as PTB's default client
MEDIA_TIMEOUT = 20.0  # for uploads, as PTB's
POLL_RETRY_WAITS = (0.5, 1.0, 2.0)  # seconds before each new try of getUpdates; the last repeats
_DEFAULT = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """Sends PTB's requests through one aiohttp session with up to `connections` kept open."""

    def __init__(self, connections: int, timeout: float = TIMEOUT) -> None:
        self._connections, self._timeout = connections, timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # by host, from HTTPS_PROXY and NO_PROXY

    @property
    def read_timeout(self) -> float:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        uploads = bool(request_data and request_data.contains_files)
        timeout = aiohttp.ClientTimeout(
            total=_given(write_timeout, MEDIA_TIMEOUT if uploads else 0) + _given(read_timeout, self._timeout),
            connect=_given(connect_timeout, self._timeout),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:  # never reached the Bot API: safe to try again
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error
        except TimeoutError as error:  # sent, and not answered in time: it may well have been done
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        """Returns the proxy for the Bot API's host, looked up once: aiohttp's trust_env would look
        in the environment and read ~/.netrc, in a thread, on every call."""
        host = urlsplit(url).netloc
        if host not in self._proxies:
            self._proxies[host] = proxy_for(url)
        return self._proxies[host]


def _given(value, default: float) -> float:
    return default if value is None or isinstance(value, _DEFAULT) else value


def _body(request_data: RequestData | None) -> dict[str, str] | aiohttp.FormData | None:
    """Returns the parameters as a form, as multipart when files go with them."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


class PollingRequest(AiohttpRequest):
    """getUpdates' requests. While the Bot API is unreachable or answers with a server error, the
    request tries again here, one log line a try, waiting at most 2 s between tries, so polling
    notices within seconds that the Bot API is back. A timeout goes to the polling loop, which
    tries again at once; stopping it cancels the wait."""

    def __init__(self) -> None:
        super().__init__(1)

    async def do_request(self, url, method, request_data=None, *args, **kwargs) -> tuple[int, bytes]:
        for attempt in itertools.count(1):
            try:
                status, body = await super().do_request(url, method, request_data, *args, **kwargs)
            except TimedOut:
                raise
            except NetworkError as error:
                failure = type(error.__cause__ or error).__name__  # never its text: the URL holds the token
            else:
                if status < 500:
                    if attempt > 1:
                        log.info("telegram polling: the Bot API answers again")
                    return status, body
                failure = f"HTTP {status}"
            wait = POLL_RETRY_WAITS[min(attempt, len(POLL_RETRY_WAITS)) - 1]
            log.warning("telegram polling: %s (try %d); trying again in %gs", failure, attempt, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")
