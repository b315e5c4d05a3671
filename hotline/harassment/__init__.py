"""Harassment numbers (seed 000 §27): flagged by an agent, warned by the IVR, unflagged by a supervisor."""
