"""Ground floor: the model (labels, edge types, identifiers), errors, progress and settings.

Imports nothing else of ttkg; every other floor may import it.
"""
