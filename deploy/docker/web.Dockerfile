# syntax=docker/dockerfile:1
# Build from the repository root (the context), e.g.
#   docker build -f deploy/docker/web.Dockerfile -t troubleshooter-web:0.9.0 .
# web.Dockerfile.dockerignore beside this file is the context's ignore list (BuildKit reads the
# Dockerfile's own ignore file). No secret is baked in: passwords and tokens come from the
# environment at run time (deploy/k8s/secret.template.yaml).
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

# ---- build: the project's virtualenv and set-up, made the project's way (scripts/setup.sh) ----------
# This stage is the same text in rasa/actions/web.Dockerfile (a unit test keeps it so): built one
# after the other, the three images share its layers.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
# compilers and Debian's freetype/qhull (matplotlib 3.5.3 and multidict are built from source for
# Python 3.11), node + npm for the widget's socket.io client (setup.sh runs `npm ci`)
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libfreetype-dev libqhull-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The lock first, on its own layer (rebuilt only when requirements/ changes), with setup.sh's own
# commands; the stamp is setup.sh's, so its run below does not install the lock a second time.
COPY requirements/ requirements/
COPY scripts/mplsetup.cfg scripts/mplsetup.cfg
RUN python3 -m venv .venv \
 && .venv/bin/pip install -q setuptools==70.3.0 wheel==0.41.3 \
 && MPLSETUPCFG=/app/scripts/mplsetup.cfg .venv/bin/pip install -q --no-deps --ignore-requires-python -r requirements/lock.txt \
 && .venv/bin/pip check \
 && touch ".venv/.lock-$(sha256sum requirements/lock.txt | cut -c1-16)"
COPY pyproject.toml README.md package.json package-lock.json config.yml domain.yml ./
COPY scripts/ scripts/
COPY troubleshooter/ troubleshooter/
COPY actions/ actions/
COPY nlu/ nlu/
COPY channels/ channels/
COPY scaleout/ scaleout/
COPY analytics/ analytics/
COPY learning/ learning/
COPY simulation/ simulation/
COPY evaluation/ evaluation/
COPY harness/ harness/
COPY bench/ bench/
COPY knowledge/ knowledge/
COPY data/ data/
COPY web/ web/
# editable install of the project, the blank spaCy pipeline, the sentence encoder (hash-checked), web/vendor
RUN bash scripts/setup.sh && rm -rf node_modules

# ---- runtime: the virtualenv and the project, no compilers, an unprivileged user ---------------------
FROM ${PYTHON_IMAGE}
# freetype and qhull for the matplotlib built above; tini as PID 1 passes SIGTERM on to the server
RUN apt-get update \
 && apt-get install -y --no-install-recommends libfreetype6 libqhull-r8.0 tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 app \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app
ENV PATH=/app/.venv/bin:$PATH PYTHONPATH=/app PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/home/app \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app
COPY --from=build /app /app
COPY deploy/docker/entrypoint.py deploy/docker/entrypoint.py
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "/app/.venv/bin/python", "/app/deploy/docker/entrypoint.py"]
CMD ["web"]
