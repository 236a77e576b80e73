"""Secrets held outside the database: the pseudonym key and the contact vault key.

Keys come from a key file (``nearmiss keys init`` writes one, readable by its owner only) or
from the environment (``NEARMISS_PSEUDONYM_KEY``, base64 of 32 bytes, and
``NEARMISS_CONTACT_KEY``, a Fernet key). Each key has an id derived from the key itself, which
is stored beside what it protects so keys can be rotated.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

PSEUDONYM_ENV = "NEARMISS_PSEUDONYM_KEY"
CONTACT_ENV = "NEARMISS_CONTACT_KEY"


class KeyProblem(RuntimeError):
    """The keys are missing or wrong; nearmiss refuses to run rather than guess."""


@dataclass(frozen=True)
class Pseudonym:
    key_id: str
    value: str


def key_id(key: bytes) -> str:
    """Returns a short, stable name for a key that reveals nothing about it."""
    return hashlib.sha256(b"nearmiss-key-id:" + key).hexdigest()[:12]


@dataclass(frozen=True, repr=False)
class Keys:
    pseudonym_key: bytes
    contact_key: bytes

    def __repr__(self) -> str:
        return "Keys(***)"

    def pseudonym(self, *, platform: str, workspace: str, user_id: str) -> Pseudonym:
        """Returns the reporter pseudonym: an HMAC-SHA-256 of who they are on which platform."""
        subject = "\x1f".join((platform, workspace, user_id)).encode()
        digest = hmac.new(self.pseudonym_key, subject, hashlib.sha256).hexdigest()
        return Pseudonym(key_id(self.pseudonym_key), digest)

    def sign(self, text: str) -> str:
        """Returns a short signature of text (48 bits), for buttons the bot hands out."""
        key = hmac.new(self.pseudonym_key, b"nearmiss-buttons", hashlib.sha256).digest()
        digest = hmac.new(key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode()

    def seal(self, plaintext: str) -> tuple[str, bytes]:
        """Returns the id of the contact key and the plaintext encrypted with it."""
        return key_id(self.contact_key), Fernet(self.contact_key).encrypt(plaintext.encode())

    def open(self, sealed_with: str, ciphertext: bytes) -> str:
        """Returns the plaintext of a sealed contact, or fails loudly if the key is not ours."""
        if sealed_with != key_id(self.contact_key):
            raise KeyProblem(f"contact sealed with key {sealed_with}, which is not loaded")
        try:
            return Fernet(self.contact_key).decrypt(ciphertext).decode()
        except InvalidToken as error:
            raise KeyProblem("contact could not be decrypted with the loaded key") from error


def create_key_file(path: Path) -> None:
    """Writes a new key file readable only by its owner; never overwrites one."""
    document = {
        "pseudonym_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "contact_key": Fernet.generate_key().decode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file, indent=2)


def load_keys(path: Path | None, environ: dict[str, str] | None = None) -> Keys:
    """Returns the keys from the environment if set there, else from the key file."""
    environ = os.environ if environ is None else environ
    if environ.get(PSEUDONYM_ENV) and environ.get(CONTACT_ENV):
        document = {"pseudonym_key": environ[PSEUDONYM_ENV], "contact_key": environ[CONTACT_ENV]}
        source = "the environment"
    elif path is None:
        raise KeyProblem(f"no keys: set {PSEUDONYM_ENV} and {CONTACT_ENV}, or [keys] file")
    else:
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            raise KeyProblem(f"key file {path} not found; create it with `nearmiss keys init`") from None
        except (OSError, ValueError) as error:
            raise KeyProblem(f"key file {path} cannot be read: {error.__class__.__name__}") from None
        source = str(path)
    try:
        pseudonym_key = base64.urlsafe_b64decode(document["pseudonym_key"])
        contact_key = document["contact_key"].encode()
        Fernet(contact_key)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise KeyProblem(f"keys in {source} are malformed") from None
    if len(pseudonym_key) < 32:
        raise KeyProblem(f"pseudonym key in {source} is shorter than 32 bytes")
    return Keys(pseudonym_key, contact_key)
