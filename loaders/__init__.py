"""Streaming readers of the real published source layouts; each yields typed records."""
