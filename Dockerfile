# The app on a slim Debian image, with WeasyPrint's system libraries for PDF exports.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    REPLAN_DATA_DIR=/data REPLAN_HOST=0.0.0.0 REPLAN_PORT=8000

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY replan ./replan
COPY kb ./kb
COPY gpp ./gpp
COPY search ./search
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds
RUN pip install -e . \
 && pybabel compile -d replan/translations -D messages \
 && useradd --system --home /data replan && mkdir -p /data && chown replan /data

USER replan
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["replan", "serve"]
