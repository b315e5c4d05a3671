"""Standalone classic AGI scripts (pyst2) for the fallback dialplan; they work with the daemon down."""
