# ttkg: CLI and HTTP API in one image (used by docker-compose.yml for the loader and the API).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TTKG_GRAPH=/graph

WORKDIR /app

# The package (one import name, ttkg; its links to the card's folders resolve in /app) with
# the bundled sample as package data, installed as a user would: not editable.
COPY pyproject.toml README.md ./
COPY ttkg ./ttkg
COPY graph ./graph
COPY loaders ./loaders
COPY queries ./queries
COPY api ./api
COPY data ./data
RUN pip install . \
    && (pip install "neo4j-rust-ext==$(python -c 'import neo4j; print(neo4j.__version__)')" \
        || echo "neo4j-rust-ext not available for this neo4j version; using the pure-Python codec") \
    && useradd --create-home --uid 1000 ttkg \
    && mkdir -p /graph && chown ttkg:ttkg /graph

USER ttkg
VOLUME ["/graph"]
EXPOSE 8000

CMD ["ttkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
