"""A local Microsoft Teams for tests: the Bot Connector service that a bot replies through, the
Entra token endpoint it gets its own tokens from, and the Bot Framework token issuer whose signed
tokens come with every activity sent to the bot. Keys are made afresh; tokens are real RS256 JWTs.

The server runs on a thread of its own: the SDK fetches signing keys with a blocking call, which
would wait for ever on a server sharing its event loop.
"""

import asyncio
import contextlib
import functools
import itertools
import json
import re
import ssl
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.adapters.webserver import serve

APP_ID = "3f1c6a1e-7b5d-4e6b-9a55-0c0ffee0a11d"
APP_PASSWORD = "fake-client-secret~for.tests"
TENANT = "6e1d2b7a-1c0f-4b55-8f00-4e57c0c11a11"
OTHER_TENANT = "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"
BOT_ISSUER = "https://api.botframework.com"  # what the Bot Connector signs as, as in Microsoft's cloud
BOT_SCOPE_AUDIENCE = "https://api.botframework.com"  # the audience of the tokens the bot gets
MESSAGE_LIMIT = 28_000  # bytes in one activity, about what Teams takes
PER_SECOND = 7  # messages a bot may send one conversation in a second, as Teams allows


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def _keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The issuer's and Entra's signing keys: made once a test run, as making them takes a while."""
    return _key(), _key()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return public | {"kid": kid, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}


@dataclass
class User:
    """A person in the tenant: their Entra object id and their Teams id for this bot."""

    aad: str
    tenant: str = TENANT
    teams_id: str = ""
    conversation: str = ""

    def __post_init__(self) -> None:
        self.teams_id = self.teams_id or f"29:{uuid.uuid5(uuid.NAMESPACE_OID, self.aad).hex}"
        self.conversation = self.conversation or f"a:1{uuid.uuid5(uuid.NAMESPACE_URL, self.aad).hex}"


@dataclass
class Sent:
    """An activity the bot sent (or changed) in a conversation."""

    conversation: str
    id: str
    activity: dict[str, Any]
    at: float

    @property
    def text(self) -> str:
        """The text of the activity, or of its card's text blocks."""
        return self.activity.get("text") or "\n".join(block_texts(self.card))

    @property
    def card(self) -> dict[str, Any]:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return {}

    @property
    def buttons(self) -> dict[str, dict[str, Any]]:
        return card_buttons(self.card)


def block_texts(card: dict[str, Any]) -> list[str]:
    """Returns a card's text as Teams shows it (Markdown's escapes taken off)."""
    return [
        re.sub(r"\\(.)", r"\1", b["text"]) for b in _elements(card.get("body") or []) if b.get("type") == "TextBlock"
    ]


def card_buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Returns a card's Action.Execute buttons by title (without a tick)."""
    found = {}
    for element in _elements(card.get("body") or []):
        for action in element.get("actions") or []:
            if action.get("type") == "Action.Execute":
                found[action["title"].removeprefix("✓ ")] = action
    return found


def _elements(body: list[dict[str, Any]]):
    for element in body:
        yield element
        for column in element.get("columns") or []:
            yield from _elements(column.get("items") or [])
        yield from _elements(element.get("items") or [])


@dataclass
class FakeTeams:
    """The Bot Connector, Entra and Teams' clients, for one bot registration."""

    app_id: str = APP_ID
    tls: ssl.SSLContext | None = None  # serve HTTPS with it
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) the bot called
    throttled: int = 0  # sends beyond Teams' rate that were refused with a 429
    tokens_issued: int = 0

    def __post_init__(self) -> None:
        self.signing_key, self.login_key = _keys()
        self.signing_kid, self.login_kid = uuid.uuid4().hex, uuid.uuid4().hex
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._failures: dict[str, list[tuple[int, float | None]]] = {}
        self._sends: dict[str, list[float]] = {}  # when each conversation was last sent to
        self.conversations: dict[str, dict[str, Any]] = {}  # created by the bot, by id
        self._thread: threading.Thread | None = None
        self._usual_token: tuple[str, int] | None = None  # the Connector's own, and when it expires
        self._bot_tokens: dict[str, dict[str, Any]] = {}  # the bot's tokens already checked, their claims

    # Running on a thread of its own.

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-teams", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _serve(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_get("/botframework/v1/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/botframework/v1/.well-known/keys", self._bot_keys)
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/connector/v3/conversations", self._create_conversation)
        app.router.add_post("/connector/v3/conversations/{conversation}/activities", self._create)
        app.router.add_put("/connector/v3/conversations/{conversation}/activities/{activity}", self._update)
        self._runner, self.port = await serve(app, "127.0.0.1", 0, self.tls)

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.base}/connector/"

    @property
    def login_url(self) -> str:
        return f"{self.base}/login"

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base}/botframework/v1/.well-known/openidconfiguration"

    def fail(self, kind: str, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """Makes the bot's next calls of a kind ("send", "update", "create", "token") fail."""
        with self._lock:
            self._failures.setdefault(kind, []).extend([(status, retry_after)] * times)

    def _failure(self, kind: str) -> web.Response | None:
        with self._lock:
            queued = self._failures.get(kind)
            if not queued:
                return None
            status, retry_after = queued.pop(0)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return web.json_response({"error": {"code": "Injected", "message": "fail"}}, status=status, headers=headers)

    # Entra and the Bot Framework's keys.

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": BOT_ISSUER,
                "jwks_uri": f"{self.base}/botframework/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _bot_keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [_jwk(self.signing_key, self.signing_kid)]})

    async def _token(self, request: web.Request) -> web.Response:
        self.calls.append(("POST", request.path))
        if failed := self._failure("token"):
            return failed
        form = await request.post()
        if (
            request.match_info["tenant"] != TENANT
            or form.get("grant_type") != "client_credentials"
            or form.get("client_id") != self.app_id
            or form.get("client_secret") != APP_PASSWORD
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("scope") != f"{BOT_SCOPE_AUDIENCE}/.default":
            return web.json_response({"error": "invalid_scope"}, status=400)
        now = int(time.time())
        claims = {
            "aud": BOT_SCOPE_AUDIENCE,
            "iss": f"https://sts.windows.net/{TENANT}/",
            "appid": self.app_id,
            "tid": TENANT,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        }
        self.tokens_issued += 1
        token = jwt.encode(claims, self.login_key, algorithm="RS256", headers={"kid": self.login_kid})
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    # The Bot Connector: what the bot sends.

    def _authorised(self, request: web.Request) -> bool:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer":
            return False
        claims = self._bot_tokens.get(token)
        if claims is None or claims["exp"] < time.time():
            try:
                key = self.login_key.public_key()
                claims = jwt.decode(token, key, algorithms=["RS256"], audience=BOT_SCOPE_AUDIENCE)
            except jwt.InvalidTokenError:
                return False
            self._bot_tokens[token] = claims  # the bot reuses its token for an hour, as Microsoft sees
        return claims.get("appid") == self.app_id

    def _throttle(self, conversation: str) -> bool:
        """Says whether a send to a conversation is over Teams' rate, and records it."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._sends.get(conversation, []) if now - t < 1.0]
            if len(recent) >= PER_SECOND:
                self.throttled += 1
                return True
            self._sends[conversation] = [*recent, now]
        return False

    async def _checked(self, request: web.Request, kind: str) -> tuple[web.Response | None, dict[str, Any]]:
        self.calls.append((request.method, request.path))
        if not self._authorised(request):
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401), {}
        if failed := self._failure(kind):
            return failed, {}
        raw = await request.read()
        if len(raw) > MESSAGE_LIMIT:
            return web.json_response({"error": {"code": "MessageSizeTooBig"}}, status=413), {}
        return None, json.loads(raw)

    async def _create(self, request: web.Request) -> web.Response:
        refused, activity = await self._checked(request, "send")
        if refused is not None:
            return refused
        conversation = request.match_info["conversation"]
        if self._throttle(conversation):
            return web.json_response({"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "1"})
        activity_id = f"1{next(self._ids):012d}"
        with self._lock:
            self.sent.append(Sent(conversation, activity_id, activity, time.monotonic()))
        return web.json_response({"id": activity_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        refused, activity = await self._checked(request, "update")
        if refused is not None:
            return refused
        conversation, activity_id = request.match_info["conversation"], request.match_info["activity"]
        with self._lock:
            for index, sent in enumerate(self.sent):
                if sent.conversation == conversation and sent.id == activity_id:
                    self.sent[index] = Sent(conversation, activity_id, activity, sent.at)
                    return web.json_response({"id": activity_id})
        return web.json_response({"error": {"code": "ActivityNotFound"}}, status=404)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        refused, body = await self._checked(request, "create")
        if refused is not None:
            return refused
        members = body.get("members") or []
        tenant = body.get("tenantId") or (body.get("channelData") or {}).get("tenant", {}).get("id")
        if len(members) != 1 or tenant != TENANT:
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        conversation = f"a:1{uuid.uuid5(uuid.NAMESPACE_URL, members[0]['id']).hex}"
        with self._lock:
            self.conversations[conversation] = body
        return web.json_response({"id": conversation}, status=201)

    # What a person's Teams client sends the bot.

    def token(
        self,
        *,
        audience: str | None = None,
        lifetime: float = 3600,
        key: rsa.RSAPrivateKey | None = None,
        issuer: str = BOT_ISSUER,
        service_url: str | None = None,
    ) -> str:
        """Returns a Bot Framework token as the Bot Connector signs it (each part can be spoiled).
        Unspoiled, the same token serves until 5 minutes before it expires, as the Connector's does."""
        now = int(time.time())
        usual = (audience, lifetime, key, issuer, service_url) == (None, 3600, None, BOT_ISSUER, None)
        if usual and self._usual_token and self._usual_token[1] - 300 > now:
            return self._usual_token[0]
        claims = {
            "iss": issuer,
            "aud": audience or self.app_id,
            "serviceurl": service_url or self.service_url,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + int(lifetime),
        }
        token = jwt.encode(claims, key or self.signing_key, algorithm="RS256", headers={"kid": self.signing_kid})
        if usual:
            self._usual_token = (token, claims["exp"])
        return token

    def activity(self, user: User, kind: str = "message", *, conversation_type: str = "personal", **fields) -> dict:
        conversation = user.conversation if conversation_type == "personal" else "19:general@thread.tacv2"
        return {
            "type": kind,
            "id": f"f{uuid.uuid4().hex[:16]}",
            "timestamp": "2026-11-23T10:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": user.teams_id, "aadObjectId": user.aad, "name": "Test User"},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": user.tenant},
            "recipient": {"id": f"28:{self.app_id}", "name": "nearmiss"},
            "channelData": {"tenant": {"id": user.tenant}},
            "locale": "en-GB",
            **fields,
        }

    async def post(
        self, endpoint: str, activity: dict, token: str | None = None, session: aiohttp.ClientSession | None = None
    ) -> tuple[int, Any]:
        """Sends an activity to the bot, signed as the Bot Connector signs it; returns the answer.
        A session given keeps its connections open between activities, as the Connector does."""
        headers = {"Authorization": f"Bearer {token if token is not None else self.token()}"}
        async with contextlib.AsyncExitStack() as stack:
            if session is None:
                session = await stack.enter_async_context(aiohttp.ClientSession())
            async with session.post(endpoint, json=activity, headers=headers) as reply:
                body = await reply.json() if reply.content_type == "application/json" else await reply.text()
                return reply.status, body
        raise AssertionError("unreachable")

    def chat(self, user: User) -> list[Sent]:
        """Returns what the bot has shown in a person's chat, oldest first, edits applied."""
        with self._lock:
            return [s for s in self.sent if s.conversation == user.conversation]

    def to_conversation(self, conversation: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.conversation == conversation]


@dataclass
class TeamsClient:
    """A person's Teams client talking to the bot: typed messages, taps on cards (whose answer
    replaces the card in place, as Teams does), a submitted form card."""

    teams: FakeTeams
    endpoint: str
    # In-process tests: waits until the bot has sent what a message caused (it answers first).
    replies_sent: Callable[[], Awaitable[None]] | None = None
    session: aiohttp.ClientSession | None = None  # kept open by the caller, or one per activity

    async def post(self, activity: dict) -> tuple[int, Any]:
        return await self.teams.post(self.endpoint, activity, session=self.session)

    async def install(self, user: User) -> int:
        status, _body = await self.post(self.teams.activity(user, "installationUpdate", action="add"))
        return status

    async def say(self, user: User, text: str, **fields) -> int:
        status, _body = await self.post(self.teams.activity(user, text=text, **fields))
        if self.replies_sent is not None:
            await self.replies_sent()
        return status

    async def act(self, user: User, card: Sent, verb: str, data: dict[str, Any]) -> tuple[int, Any]:
        """Sends a card's Action.Execute; a card in the answer takes the tapped card's place."""
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        activity = self.teams.activity(user, "invoke", name="adaptiveCard/action", value=value, replyToId=card.id)
        status, body = await self.post(activity)
        if status == 200 and isinstance(body, dict) and body.get("type") == "application/vnd.microsoft.card.adaptive":
            with self.teams._lock:
                for index, sent in enumerate(self.teams.sent):
                    if sent.id == card.id:
                        shown = {
                            "type": "message",
                            "attachments": [{"contentType": CARD_TYPE, "content": body["value"]}],
                        }
                        self.teams.sent[index] = Sent(sent.conversation, sent.id, shown, sent.at)
        return status, body

    async def tap(self, user: User, card: Sent, title: str) -> tuple[int, Any]:
        """Taps the card's button whose title holds `title` (labels may carry a symbol)."""
        button = next(b for t, b in card.buttons.items() if title in t)
        return await self.act(user, card, button["verb"], button.get("data") or {})

    async def submit(self, user: User, card: Sent, values: dict[str, Any], verb: str = "nm-form") -> tuple[int, Any]:
        """Presses a card's button of this verb with the card's inputs as shown, changed by `values`
        (a client sends the action's data and, for Submit, every input's value)."""
        action = next(a for a in card.buttons.values() if a["verb"] == verb)
        shown = {
            e["id"]: e.get("value", "")
            for e in _elements(card.card.get("body") or [])
            if e.get("type", "").startswith("Input.")
        }
        inputs = shown | values if action.get("associatedInputs", "auto") == "auto" else {}
        return await self.act(user, card, verb, (action.get("data") or {}) | inputs)

    async def said(self, user: User, text: str, *, after: int = 0, timeout: float = 10) -> Sent:
        """Waits for a message in the person's chat, after the first `after`, containing `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for sent in self.teams.chat(user)[after:]:
                if text in sent.text:
                    return sent
            await asyncio.sleep(0.02)
        raise AssertionError(f"the bot never said {text!r}; it said {[s.text for s in self.teams.chat(user)]}")

    def last(self, user: User) -> Sent:
        return self.teams.chat(user)[-1]


CARD_TYPE = "application/vnd.microsoft.card.adaptive"
