# syntax=docker/dockerfile:1
# The registry's image: `docker build -t kerja-sama-registry .` (see README, "Containers").
# Two stages: the first installs the package and its dependencies into a virtual environment,
# the second holds only that environment, the migrations and the seeds, run by a non-root user.

# A pinned base: the same Python and Debian on every build. Raise it on purpose, not by accident.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/registry
WORKDIR /src
# Dependencies first, so that a change to the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && /opt/registry/bin/pip install . \
    && /opt/registry/bin/pip uninstall --yes kerja-sama-registry
COPY app ./app
RUN /opt/registry/bin/pip install --no-deps .

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/registry/bin:$PATH \
    HOST=0.0.0.0 \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    DATABASE_URL=sqlite:////data/registry.db \
    DOCUMENTS_DIR=/data/documents \
    MIGRATIONS_DIR=/srv/registry/migrations \
    SEEDS_DIR=/srv/registry/seeds \
    SECRETS_DIR=/run/secrets
RUN useradd --create-home --uid 10001 --user-group registry \
    && mkdir -p /data/documents && chown -R registry:registry /data
COPY --from=build /opt/registry /opt/registry
WORKDIR /srv/registry
COPY alembic.ini ./
COPY migrations ./migrations
COPY seeds ./seeds

USER registry
EXPOSE 8000
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/readyz', timeout=4)"]

# Migrations first, then the server; uvicorn takes its worker count from WEB_CONCURRENCY.
# Seeds are not loaded in production: `docker compose run --rm app registry seed` for demo data.
CMD ["sh", "-c", "registry migrate && exec uvicorn app.main:app --host \"$HOST\" --port \"$PORT\" --proxy-headers --forwarded-allow-ips='*' --no-server-header --no-access-log"]
