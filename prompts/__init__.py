"""Prompt catalog (id -> Chinese text) and its rendering to 8 kHz mono WAV."""
