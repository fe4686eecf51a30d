#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry at the versions pinned in package.json.
# The files are copied unmodified, each with its licence, and listed in static/vendor/VERSIONS.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts
rm -rf static/vendor
mkdir -p static/vendor/htmx static/vendor/leaflet/images static/vendor/leaflet.markercluster \
  static/vendor/swagger-ui
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
cp node_modules/leaflet/dist/images/*.png static/vendor/leaflet/images/
cp node_modules/leaflet/LICENSE static/vendor/leaflet/LICENSE
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
  node_modules/leaflet.markercluster/dist/MarkerCluster.css \
  node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/leaflet.markercluster/
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt static/vendor/leaflet.markercluster/LICENSE
# The API documentation page (/api/docs): Swagger UI's bundle, its styles and licence.
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
  static/vendor/swagger-ui/
cp node_modules/swagger-ui-dist/LICENSE node_modules/swagger-ui-dist/NOTICE static/vendor/swagger-ui/
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt static/vendor/swagger-ui/
{
  echo "# Vendored front-end files: unmodified copies from the npm registry (scripts/vendor.sh)"
  for pkg in htmx.org leaflet leaflet.markercluster swagger-ui-dist; do
    node -e "const p=require('./node_modules/$pkg/package.json'); console.log(p.name + ' ' + p.version + ' ' + p.license)"
  done
} > static/vendor/VERSIONS
echo "vendored: $(tr '\n' ' ' < static/vendor/VERSIONS)"
