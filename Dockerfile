FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/registry.db \
    SEEDS_DIR=/srv/registry/seeds \
    MIGRATIONS_DIR=/srv/registry/migrations \
    DOCUMENTS_DIR=/data/documents

RUN useradd --create-home --uid 10001 registry && mkdir -p /data && chown registry /data
WORKDIR /srv/registry

COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .

COPY alembic.ini ./
COPY migrations ./migrations
COPY seeds ./seeds

USER registry
EXPOSE 8000
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/readyz', timeout=4)"

# Migrations first, then the server. Seeds are not loaded in production images:
# run `registry seed` once if you want the real cases as demo data.
CMD ["sh", "-c", "alembic upgrade head && exec uvicorn app.main:app --host \"$HOST\" --port \"$PORT\" --proxy-headers --no-server-header"]
