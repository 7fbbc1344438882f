"""From records to a queryable graph: identity, build, artifact, backends, RDF.

Sub-packages are floors; each imports only the ones below it (see the README's architecture
section, checked by import-linter in the test command).
"""
