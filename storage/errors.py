"""The store's errors: each message is meant for a person and names the file at fault."""


class StoreError(Exception):
    """The store cannot do what was asked; the message says why and where."""


class StoreLocked(StoreError):
    """Another process (or another Database in this one) owns the store folder."""


class StoreCorrupt(StoreError):
    """A store file is damaged; it is left untouched for a person to inspect."""
