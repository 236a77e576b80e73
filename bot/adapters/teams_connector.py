"""The bot's messages to the Bot Connector: one activity posted (or, with an id, updated) per
call, on one aiohttp session kept open.

The SDK's `App.send` does the same two REST calls through its httpx client, costing about four
times the CPU of aiohttp's for each (at 200 Teams users, a tenth of the bot's CPU went there). The
activity is the SDK's own model, sent as the SDK would send it; a refusal or a lost connection
is raised as the httpx error the SDK raises (and the SDK's calls this adapter still makes raise),
so the adapter handles either the same way.
"""

import urllib.request
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp
import httpx
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.models.account import Account, ConversationAccount
from microsoft_teams.apps.app import USER_AGENT

# As long as a reply waits for the Connector at most (the SDK's client waits without end).
TIMEOUT = aiohttp.ClientTimeout(total=60, sock_connect=10)


class Connector:
    """Posts the bot's activities to conversations, with the bot's token from `token(scope)`."""

    def __init__(self, *, bot_id: str, token: Callable[[str], Awaitable[str]], scope: str) -> None:
        self._bot = Account(id=bot_id)
        self._token = token
        self._scope = scope
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}  # by scheme and host: the proxy to use

    async def send(self, conversation: str, activity: MessageActivityInput, *, service_url: str) -> str:
        """Creates the activity in the conversation, or updates the one whose id it carries;
        returns its id. Raises httpx.HTTPStatusError for a refusal, httpx.TransportError when
        the Connector could not be reached."""
        activity.from_ = self._bot
        activity.conversation = ConversationAccount(id=conversation)
        url = f"{service_url.rstrip('/')}/v3/conversations/{conversation}/activities"
        method, url = ("PUT", f"{url}/{activity.id}") if activity.id else ("POST", url)
        headers = {"Authorization": f"Bearer {await self._token(self._scope)}", "User-Agent": USER_AGENT}
        body = activity.model_dump(by_alias=True, exclude_none=True, mode="json")
        try:
            async with self._open().request(method, url, json=body, headers=headers, proxy=self._proxy(url)) as answer:
                content = await answer.read()
                if answer.status >= 400:
                    raise _refused(method, url, answer, content)
                found = await answer.json(content_type=None) if content else {}
        except (aiohttp.ClientError, TimeoutError) as error:
            raise httpx.TransportError(f"the Bot Connector could not be reached ({type(error).__name__})") from error
        return str(found.get("id", "")) if isinstance(found, dict) else ""

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    def _proxy(self, url: str) -> str | None:
        """Returns the proxy the environment names for a URL (HTTPS_PROXY, NO_PROXY), read once
        for each service: aiohttp's trust_env reads it, and ~/.netrc, in a thread for every call."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self._proxies:
            proxies = urllib.request.getproxies_environment()
            bypass = urllib.request.proxy_bypass(parts.hostname or "")
            self._proxies[origin] = None if bypass else proxies.get(parts.scheme)
        return self._proxies[origin]


def _refused(method: str, url: str, answer: aiohttp.ClientResponse, content: bytes) -> httpx.HTTPStatusError:
    """Returns the error the SDK's client raises for a refusal, with the status and headers
    (Retry-After) the adapter reads."""
    request = httpx.Request(method, url)
    headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in ("content-encoding", "content-length")]
    response = httpx.Response(answer.status, headers=headers, content=content, request=request)
    return httpx.HTTPStatusError(f"the Bot Connector answered {answer.status}", request=request, response=response)
