"""The DataKeyStore contract in memory, for field encryption on stand-in storage."""

from __future__ import annotations

from dataclasses import dataclass, field

from coaching.ports.field_crypto import StoredDataKey


@dataclass
class DataKeys:
    """The DataKeyStore contract in memory."""

    stored: dict = field(default_factory=dict)

    def versions(self, org):
        return sorted((k for (o, _), k in self.stored.items() if o == org), key=lambda k: k.version)

    def add(self, key: StoredDataKey):
        return self.stored.setdefault((key.organization_id, key.version), key)

    def retire_older_than(self, org, version):
        old = [slot for slot in self.stored if slot[0] == org and slot[1] < version]
        for slot in old:
            del self.stored[slot]
        return len(old)

    def organizations_with_keys(self):
        return sorted({o for o, _ in self.stored})

    def kek_ids_in_use(self):
        return {k.kek_id for k in self.stored.values()}
