"""The wallboard's live state: built from the daemon's own events (the bus's in-process
listeners) and the recorder's items, pushed to every browser that watches (Server-Sent Events)."""
