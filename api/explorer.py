"""The web explorer at `/`: one static page (api/static/explorer) over the API, with cytoscape
and uPlot from the package (api/static/vendor; versions in api/static/package.json)."""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI
from fastapi.responses import FileResponse

from ttkg.api.docs_pages import STATIC_DIR

__all__ = ["EXPLORER_PAGE", "install_explorer"]

EXPLORER_PAGE: Final = STATIC_DIR / "explorer" / "index.html"


def install_explorer(app: FastAPI) -> None:
    """Serve the explorer's page at `/` (its scripts and styles are under /static)."""

    @app.get("/", include_in_schema=False)
    async def explorer() -> FileResponse:
        return FileResponse(EXPLORER_PAGE, media_type="text/html")
