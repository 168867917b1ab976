# Baqylau — two commands: `make demo` (the platform with seed data and a summary) and
# `make test` (the whole suite). Everything else is a building block of those two.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: browser node demo test up down status venv services services-stop lint unit integration bench bench-national bench-report-parts clean k8s-validate k8s-dev-secrets asyncapi faults fuzz image image-claims image-smoke

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade 'pip>=23' 'setuptools>=68,<82'
	$(VENV)/bin/pip install -q -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

up: venv       ## install (if missing) and start RabbitMQ + PostgreSQL on 127.0.0.1; the broker users
	bash scripts/stack.sh up
	$(PY) -m scripts.principals ensure

down: services-stop   ## stop the services, then exactly the servers `make up` started
	bash scripts/stack.sh down

status:        ## the servers, then each service: ready, not ready, or exited (with its log's end)
	bash scripts/stack.sh status
	bash scripts/services.sh status

browser:   ## Debian's chromium + chromium-driver for the dashboard's browser test
	bash scripts/stack.sh browser

node:   ## Debian's nodejs + npm (if missing) and tests/node's locked packages: the Node client test
	bash scripts/stack.sh node

services: venv up
	bash scripts/services.sh start registry equipment assessment training reporting

services-stop:
	bash scripts/services.sh stop

demo: services  ## load the seed programmes through the RPC API and print what the services hold
	$(PY) -m scripts.demo

lint: venv
	$(VENV)/bin/ruff check .

unit: venv      ## fast tests, no servers needed
	$(VENV)/bin/pytest -q -m "not integration"

integration: venv up node services-stop
	$(VENV)/bin/pytest -q -m integration

test: venv up browser node services-stop lint k8s-validate   ## the whole suite (demo services stopped: they would answer its calls)
	$(VENV)/bin/pytest -q --durations=10 -m "not faults"
	$(MAKE) faults FAULT_ORGANISATIONS=200 FAULT_TEACHERS=40 FAULT_MIN_EVENTS=12000 \
	  FAULT_ROUNDS=quick

# The fire drill (tests/faults): two replicas of every service, a round of load per fault,
# each fault injected mid-stream (tests/faults/catalogue.py: SIGKILL of each relay's lock
# holder, of reporting mid-batch, of both equipment replicas in turn; RabbitMQ and PostgreSQL
# restarted and SIGKILLed; latency, cuts and a black hole between the services and both
# servers). Alone it is the full drill; `make test` runs its failovers and graceful restarts
# (FAULT_ROUNDS=quick) at a quarter scale. It kills the servers of this checkout's stack:
# give `make up` and it PG_PORT/AMQP_PORT/MGMT_PORT/RABBIT_NODE for a private one.
FAULT_ORGANISATIONS ?= 400
FAULT_TEACHERS ?= 90
FAULT_MIN_EVENTS ?= 45000
FAULT_ROUNDS ?= all
faults: venv up services-stop   ## the fault-injection drill; prints its figures (.stack/faults-figures.json)
	FAULT_ORGANISATIONS=$(FAULT_ORGANISATIONS) FAULT_TEACHERS=$(FAULT_TEACHERS) \
	FAULT_MIN_EVENTS=$(FAULT_MIN_EVENTS) FAULT_ROUNDS="$(FAULT_ROUNDS)" \
	$(VENV)/bin/pytest -q -s -p no:logging tests/faults

fuzz: venv up services-stop   ## longer fuzzing by hand: make fuzz FUZZ_EXAMPLES=20000
	$(VENV)/bin/pytest -q -s tests/fuzz

k8s-validate: venv   ## render deploy/k8s overlays, validate offline, scan (checkov)
	bash scripts/k8s_validate.sh

asyncapi: venv   ## write docs/asyncapi.json, docs/commands.json and the broker's definitions (tests check they are fresh)
	$(PY) -m scripts.asyncapi
	$(PY) -m scripts.k8s_broker

# The image (Containerfile) with buildah, no daemon: IMAGE_BASE=debian (the default) builds on
# a base made here from Debian's packages; IMAGE_BASE=docker.io/library/python:3.11-slim-bookworm
# on the official one. IMAGE=localhost/baqylau:dev is the dev overlay's name.
image:   ## build the image (installs buildah, podman, runc, debootstrap from Debian if missing)
	bash scripts/image.sh build

image-claims: image   ## the image's size, packages, and what it must not hold; pip check, pip-audit
	bash scripts/image.sh claims

image-smoke: venv image   ## every service from the image as the manifests run it, end to end
	bash scripts/image.sh smoke

k8s-dev-secrets:   ## random credentials for the dev overlay (git-ignored)
	bash scripts/k8s_dev_secrets.sh

bench: venv up services-stop   ## the benchmark owns the broker: no demo service may answer its calls
	$(PY) -m bench.run

bench-national: venv up services-stop   ## a whole country's year (BENCH_NATIONAL_SCALE=0.01 to try it small); not in CI
	$(PY) -m bench.national.run

bench-report-parts: venv up   ## the uncached report part by part at two sizes of a national read model; not in CI
	$(PY) -m bench.report_parts

clean: down
	rm -rf $(VENV) .venv-k8s .stack
