"""The IVR: menu model, YAML loader + validator and the pure IVR core (no I/O)."""
