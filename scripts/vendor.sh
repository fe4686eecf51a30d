#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry at the versions pinned in package.json.
# The files are copied unmodified, each with its licence, and listed in static/vendor/VERSIONS.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
rm -rf static/vendor && mkdir -p static/vendor/htmx static/vendor/leaflet/images
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
cp node_modules/leaflet/dist/images/*.png static/vendor/leaflet/images/
cp node_modules/leaflet/LICENSE static/vendor/leaflet/LICENSE
{
  echo "# Vendored front-end files: unmodified copies from the npm registry (scripts/vendor.sh)"
  for pkg in htmx.org leaflet; do
    node -e "const p=require('./node_modules/$pkg/package.json'); console.log(p.name + ' ' + p.version + ' ' + p.license)"
  done
} > static/vendor/VERSIONS
echo "vendored: $(tr '\n' ' ' < static/vendor/VERSIONS)"
