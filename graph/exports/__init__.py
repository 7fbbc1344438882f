"""Bulk exports of a built graph in other tools' formats (e.g. neo4j-admin import CSV)."""
