"""Neo4j backend: push a built graph into Neo4j 5 and answer the read contract in Cypher.

`push.push_artifact` writes an artifact; `backend.Neo4jBackend` reads it; `cypher` holds the
pure query builders; `dialect` the one place where Neo4j and other Bolt servers differ;
`errors` maps driver exceptions to ttkg errors that name the URI, never the password.
"""
