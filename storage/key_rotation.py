"""Key rotation: new current keys in the key file, the old kept for old pseudonyms, and every
contact re-encrypted with the new contact key."""

from pathlib import Path

from storage import report_store
from storage.database import Database
from storage.keys import key_id, load_keys, write_key_file


async def rotate_keys(path: Path, *, database: Database, batch: int = 500) -> int:
    """Writes new current keys (old ones retired), then re-encrypts every contact with the new
    contact key; running bots read the new key file on their next request. Returns how many."""
    keys = load_keys(path, environ={}).rotated()
    write_key_file(path, keys, replace=True)
    current, count = key_id(keys.contact_key), 0
    while True:
        async with database.unit() as session:
            contacts = await report_store.contacts_not_sealed_with(session, key_id=current, batch=batch)
            for contact in contacts:
                contact.key_id, contact.ciphertext = keys.seal(keys.open(contact.key_id, contact.ciphertext))
        count += len(contacts)
        if len(contacts) < batch:
            return count
