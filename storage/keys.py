"""Secrets held outside the database: the pseudonym key and the contact vault key.

Keys come from a key file (``nearmiss keys init`` writes one, readable by its owner only) or
from the environment (``NEARMISS_PSEUDONYM_KEY``, base64 of 32 bytes, and
``NEARMISS_CONTACT_KEY``, a Fernet key). Each key has an id derived from the key itself, which
is stored beside what it protects. ``nearmiss keys rotate`` makes new current keys and keeps the
old ones as retired: retired pseudonym keys still find the reports and drafts made under them,
and retired contact keys still open contacts until they are re-encrypted.
"""

import base64
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)

PSEUDONYM_ENV = "NEARMISS_PSEUDONYM_KEY"
CONTACT_ENV = "NEARMISS_CONTACT_KEY"


class KeyProblem(RuntimeError):
    """The keys are missing or wrong; nearmiss refuses to run rather than guess."""


@dataclass(frozen=True)
class Pseudonym:
    key_id: str
    value: str


@functools.lru_cache(maxsize=64)  # a few keys, named in every pseudonym and button signature
def key_id(key: bytes) -> str:
    """Returns a short, stable name for a key that reveals nothing about it."""
    return hashlib.sha256(b"nearmiss-key-id:" + key).hexdigest()[:12]


@dataclass(frozen=True, repr=False)
class Keys:
    pseudonym_key: bytes
    contact_key: bytes
    retired_pseudonym_keys: tuple[bytes, ...] = ()
    retired_contact_keys: tuple[bytes, ...] = ()
    _contact_keys: dict[str, bytes] = field(init=False, compare=False)
    # By pseudonym key id: keyed once, copied for each button; retired keys still check old buttons.
    _button_macs: dict[str, "hmac.HMAC"] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        every = (self.contact_key, *self.retired_contact_keys)
        object.__setattr__(self, "_contact_keys", {key_id(k): k for k in every})
        macs = {}
        for key in (self.pseudonym_key, *self.retired_pseudonym_keys):
            button_key = hmac.new(key, b"nearmiss-buttons", hashlib.sha256).digest()
            macs[key_id(key)] = hmac.new(button_key, digestmod=hashlib.sha256)
        object.__setattr__(self, "_button_macs", macs)

    def __repr__(self) -> str:
        return "Keys(***)"

    def pseudonym(self, *, platform: str, workspace: str, user_id: str) -> Pseudonym:
        """Returns the reporter pseudonym: an HMAC-SHA-256 of who they are on which platform."""
        return _pseudonym(self.pseudonym_key, platform, workspace, user_id)

    def every_pseudonym(self, *, platform: str, workspace: str, user_id: str) -> list[Pseudonym]:
        """Returns the reporter's pseudonym under the current key, then under each retired key."""
        keys = (self.pseudonym_key, *self.retired_pseudonym_keys)
        return [_pseudonym(key, platform, workspace, user_id) for key in keys]

    def known_ids(self) -> set[str]:
        """Returns the ids of every key loaded, current and retired."""
        return {key_id(k) for k in (self.pseudonym_key, *self.retired_pseudonym_keys)} | set(self._contact_keys)

    def recipient(self, address: str) -> str:
        """Returns a keyed hash of a chat address: who a queued message is for, not where."""
        return hmac.new(self.pseudonym_key, b"nearmiss-recipient\x1f" + address.encode(), hashlib.sha256).hexdigest()

    def sign(self, text: str, *, with_key: str | None = None) -> str:
        """Returns a short signature of text (48 bits), for buttons the bot hands out: with the
        current pseudonym key's button key, or the one named (a retired key checks old buttons)."""
        mac = self._button_macs[with_key or key_id(self.pseudonym_key)].copy()
        mac.update(text.encode())
        return base64.urlsafe_b64encode(mac.digest()[:6]).decode()

    def seal(self, plaintext: str) -> tuple[str, bytes]:
        """Returns the id of the current contact key and the plaintext encrypted with it."""
        return key_id(self.contact_key), Fernet(self.contact_key).encrypt(plaintext.encode())

    def open(self, sealed_with: str, ciphertext: bytes) -> str:
        """Returns the plaintext of a sealed contact, or fails loudly if its key is not loaded."""
        key = self._contact_keys.get(sealed_with)
        if key is None:
            raise KeyProblem(f"contact sealed with key {sealed_with}, which is not loaded")
        try:
            return Fernet(key).decrypt(ciphertext).decode()
        except InvalidToken as error:
            raise KeyProblem("contact could not be decrypted with the loaded key") from error

    def rotated(self) -> "Keys":
        """Returns new current keys, with every key in use now kept as retired."""
        return Keys(
            _new_pseudonym_key(),
            Fernet.generate_key(),
            (self.pseudonym_key, *self.retired_pseudonym_keys),
            (self.contact_key, *self.retired_contact_keys),
        )


@functools.lru_cache(maxsize=4096)  # the people active lately: one update names its sender several times
def _pseudonym(key: bytes, platform: str, workspace: str, user_id: str) -> Pseudonym:
    subject = "\x1f".join((platform, workspace, user_id)).encode()
    return Pseudonym(key_id(key), hmac.new(key, subject, hashlib.sha256).hexdigest())


def _new_pseudonym_key() -> bytes:
    return secrets.token_bytes(32)


def _document(keys: Keys) -> dict[str, Any]:
    encode = base64.urlsafe_b64encode
    return {
        "pseudonym_key": encode(keys.pseudonym_key).decode(),
        "contact_key": keys.contact_key.decode(),
        "retired_pseudonym_keys": [encode(k).decode() for k in keys.retired_pseudonym_keys],
        "retired_contact_keys": [k.decode() for k in keys.retired_contact_keys],
    }


def _from_document(document: dict[str, Any], source: str) -> Keys:
    try:
        decode = base64.urlsafe_b64decode
        keys = Keys(
            decode(document["pseudonym_key"]),
            document["contact_key"].encode(),
            tuple(decode(k) for k in document.get("retired_pseudonym_keys", ())),
            tuple(k.encode() for k in document.get("retired_contact_keys", ())),
        )
        for contact_key in (keys.contact_key, *keys.retired_contact_keys):
            Fernet(contact_key)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise KeyProblem(f"keys in {source} are malformed") from None
    if any(len(k) < 32 for k in (keys.pseudonym_key, *keys.retired_pseudonym_keys)):
        raise KeyProblem(f"a pseudonym key in {source} is shorter than 32 bytes")
    return keys


def write_key_file(path: Path, keys: Keys, *, replace: bool = False) -> None:
    """Writes keys to a file readable only by its owner; replaces one only when asked, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path.with_name(path.name + ".new") if replace else path
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(_document(keys), file, indent=2)
        file.flush()
        os.fsync(file.fileno())
    if replace:
        os.replace(target, path)


def create_key_file(path: Path) -> None:
    """Writes a new key file readable only by its owner; never overwrites one."""
    write_key_file(path, Keys(_new_pseudonym_key(), Fernet.generate_key()))


def load_keys(path: Path | None, environ: Mapping[str, str] | None = None) -> Keys:
    """Returns the keys from the environment if set there, else from the key file."""
    environ = os.environ if environ is None else environ
    if environ.get(PSEUDONYM_ENV) and environ.get(CONTACT_ENV):
        return _from_document(
            {"pseudonym_key": environ[PSEUDONYM_ENV], "contact_key": environ[CONTACT_ENV]}, "the environment"
        )
    if path is None:
        raise KeyProblem(f"no keys: set {PSEUDONYM_ENV} and {CONTACT_ENV}, or [keys] file")
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise KeyProblem(f"key file {path} not found; create it with `nearmiss keys init`") from None
    except (OSError, ValueError) as error:
        raise KeyProblem(f"key file {path} cannot be read: {error.__class__.__name__}") from None
    return _from_document(document, str(path))


class KeySource:
    """The keys in force: read again whenever the key file changes, so a rotation done by
    `nearmiss keys rotate` reaches running bots without a restart."""

    CHECK_EVERY = 1.0  # seconds between looks at the file: a rotation is seen within a second

    def __init__(self, path: Path | None, environ: Mapping[str, str] | None = None) -> None:
        self._path, self._environ = path, environ
        self._stamp = self._file_stamp()
        self._keys = load_keys(path, environ)
        self._checked = time.monotonic()
        self._needed: set[str] = set()
        if path is not None and path.exists() and path.stat().st_mode & 0o077:
            log.warning("key file %s can be read by others (mode %o): chmod 600 it", path, path.stat().st_mode & 0o777)

    def require(self, key_ids: set[str]) -> None:
        """Names the keys the stored data needs, as found at start: a key file changed while
        running is taken only if it still has them, and the keys in force now."""
        self._needed = set(key_ids)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            status = self._path.stat() if self._path else None
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size) if status else None

    @property
    def keys(self) -> Keys:
        if time.monotonic() - self._checked < self.CHECK_EVERY:
            return self._keys
        self._checked = time.monotonic()
        stamp = self._file_stamp()
        if stamp is not None and stamp != self._stamp:
            try:
                self._keys, self._stamp = self._checked_keys(), stamp
            except KeyProblem as problem:  # a half-written, broken or wrong file: keep the keys in force
                log.error("key file changed but cannot be used, the keys in force stay: %s", problem)
        return self._keys

    def _checked_keys(self) -> Keys:
        loaded = load_keys(self._path, self._environ)
        in_force = {key_id(self._keys.pseudonym_key), key_id(self._keys.contact_key)}
        missing = (self._needed | in_force) - loaded.known_ids()
        if missing:
            raise KeyProblem(
                f"it lacks key(s) {', '.join(sorted(missing))} that stored data needs: is it the right key file? "
                "(`nearmiss keys rotate` keeps the old keys)"
            )
        return loaded


def in_force(source: "Keys | KeySource") -> Keys:
    """Returns the keys in force: fixed keys as they are, or a key source's latest."""
    return source.keys if isinstance(source, KeySource) else source
