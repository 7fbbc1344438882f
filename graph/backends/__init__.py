"""Backends floor: the read contract (`contract`), the reference path search over it
(`pathsearch`), the embedded backend (`memory`), the Neo4j backend with its bulk import
(`neo4j`), and the name -> opener registry (`registry`)."""
