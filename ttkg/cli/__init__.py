"""The `ttkg` command line: thin commands over the queries, the build and the exports.

`main` holds the app and the graph commands; `options` the shared options, consoles, progress
and logging set-up; `render` the tables; the other modules one command group each.
"""
