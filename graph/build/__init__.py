"""Build step: sources -> one versioned graph artifact (builder.py)."""
