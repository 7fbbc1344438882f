#!/usr/bin/env bash
# Refresh api/static/vendor/ from the npm registry at the versions in package.json
# (run by a maintainer when upgrading; the copied files are committed and packaged).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
cp package.json "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund)
m="$work/node_modules"
mkdir -p vendor
cp "$m/swagger-ui-dist/swagger-ui-bundle.js" "$m/swagger-ui-dist/swagger-ui.css" vendor/
cp "$m/swagger-ui-dist/LICENSE" vendor/swagger-ui.LICENSE
cp "$m/redoc/bundles/redoc.standalone.js" vendor/
cp "$m/redoc/LICENSE" vendor/redoc.LICENSE
cp "$m/cytoscape/dist/cytoscape.min.js" vendor/
cp "$m/cytoscape/LICENSE" vendor/cytoscape.LICENSE
cp "$m/uplot/dist/uPlot.iife.min.js" "$m/uplot/dist/uPlot.min.css" vendor/
cp "$m/uplot/LICENSE" vendor/uplot.LICENSE
rm -rf "$work"
