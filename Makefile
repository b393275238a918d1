# glpiops.glpi — the two set-up commands a newcomer needs:
#   make inventory   agentless GLPI inventory of this machine into ./glpi-inventory/
#   make test        everything CI checks (run as root: it installs packages and a throwaway user)
# `make help` lists the other targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON       ?= python3
VENV         := $(CURDIR)/.venv
VENV_OLDEST  := $(CURDIR)/.venv-oldest
VENV_2_20    := $(CURDIR)/.venv-2.20
VENV_NEWEST  := $(CURDIR)/.venv-newest
# ansible-core 2.20+ need Python 3.12+: their venvs use a Python 3.13 that runs (a failing pyenv shim is passed over).
# Deferred (=), so that only the targets that need it look for it.
PYTHON313    ?= $(shell tests/bin/find-python.sh 3.13)
CACHE        := $(CURDIR)/.cache
COLLECTIONS  := $(CURDIR)/.collections
SRC_TREE     := $(CACHE)/src
VERSION      := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL      := $(CACHE)/build/glpiops-glpi-$(VERSION).tar.gz
OUTPUT       ?= $(CURDIR)/glpi-inventory

# Quiet, reproducible Ansible runs against the project-local collection.
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
               ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
               ANSIBLE_RETRY_FILES_ENABLED=false

.PHONY: help inventory test venv venv-oldest venv-2.20 venv-newest collection check-root python313 \
        test-units test-units-oldest test-units-2.20 test-units-newest test-integration-newest test-vermin test-changelog test-lint test-docs test-build \
        test-sanity test-integration bench bench-inventory bench-delivery clean

help:
	@echo "make inventory   agentless GLPI inventory of this machine, written to $(OUTPUT)/<deviceid>.json"
	@echo "make test        sanity, unit (ansible-core 2.15, 2.19, 2.20, newest), integration over real sshd (2.19, newest), lint, docs, build"
	@echo "make bench       benchmarks: bench-inventory (vs setup over sshd), bench-delivery (20 deliveries to a busy GLPI)"
	@echo "make clean       remove virtualenvs, build output and written inventories"

# --- environments -----------------------------------------------------------------

$(VENV)/.installed: tests/requirements/dev.txt
	@tests/bin/ensure-venv-support.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(VENV_OLDEST)/.installed: tests/requirements/oldest.txt
	@tests/bin/ensure-venv-support.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

python313:
	@test -n "$(PYTHON313)" || { tests/bin/find-python.sh 3.13 >/dev/null; exit 1; }

$(VENV_2_20)/.installed: tests/requirements/ansible-2.20.txt | python313
	$(PYTHON313) -m venv --clear $(VENV_2_20)
	$(VENV_2_20)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(VENV_NEWEST)/.installed: tests/requirements/newest.txt | python313
	$(PYTHON313) -m venv --clear $(VENV_NEWEST)
	$(VENV_NEWEST)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

venv: $(VENV)/.installed
venv-oldest: $(VENV_OLDEST)/.installed
venv-2.20: $(VENV_2_20)/.installed
venv-newest: $(VENV_NEWEST)/.installed

# Build the tarball users get, and install it into the project-local collections path.
collection: venv
	@rm -rf $(CACHE)/build && mkdir -p $(CACHE)/build
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(CACHE)/build .
	$(VENV)/bin/ansible-galaxy collection install --force -p $(COLLECTIONS) $(TARBALL)

# The source tree seen as a collection, for unit tests (a link: Python follows it).
$(SRC_TREE)/ansible_collections/glpiops/glpi:
	@mkdir -p $(@D)
	@ln -sfn $(CURDIR) $@

# --- the main job ------------------------------------------------------------------

inventory: collection
	$(ANSIBLE_ENV) $(VENV)/bin/ansible-playbook glpiops.glpi.inventory -e glpi_local_path=$(OUTPUT)
	@echo "GLPI inventory JSON: $$(ls -t $(OUTPUT)/*.json | head -n 1)"

# --- tests ----------------------------------------------------------------------------

check-root:
	@if [ "$$(id -u)" != 0 ]; then \
	  echo "make test must run as root: it installs openssh-server with apt-get when missing, starts a private sshd on 127.0.0.1"; \
	  echo "and creates a throwaway user (glpiops-it) for the ssh integration tests. Run it as root, e.g. in a disposable VM or container."; \
	  exit 1; fi
	@tests/bin/ensure-system-packages.sh

PYTEST_UNIT = -p no:cacheprovider --import-mode=importlib -q tests/unit

test-units: venv $(SRC_TREE)/ansible_collections/glpiops/glpi
	@echo "== unit tests (ansible-core $$($(VENV)/bin/python -c 'import ansible; print(ansible.__version__)')) =="
	PYTHONPATH=$(SRC_TREE) $(VENV)/bin/python -m pytest $(PYTEST_UNIT)

test-units-oldest: venv-oldest $(SRC_TREE)/ansible_collections/glpiops/glpi
	@echo "== unit tests (ansible-core $$($(VENV_OLDEST)/bin/python -c 'import ansible; print(ansible.__version__)')) =="
	PYTHONPATH=$(SRC_TREE) $(VENV_OLDEST)/bin/python -m pytest $(PYTEST_UNIT)

test-units-2.20: venv-2.20 $(SRC_TREE)/ansible_collections/glpiops/glpi
	@echo "== unit tests (ansible-core $$($(VENV_2_20)/bin/python -c 'import ansible; print(ansible.__version__)'), $$($(VENV_2_20)/bin/python -V)) =="
	PYTHONPATH=$(SRC_TREE) $(VENV_2_20)/bin/python -m pytest $(PYTEST_UNIT)

test-units-newest: venv-newest $(SRC_TREE)/ansible_collections/glpiops/glpi
	@echo "== unit tests (ansible-core $$($(VENV_NEWEST)/bin/python -c 'import ansible; print(ansible.__version__)'), $$($(VENV_NEWEST)/bin/python -V)) =="
	PYTHONPATH=$(SRC_TREE) $(VENV_NEWEST)/bin/python -m pytest $(PYTEST_UNIT)

test-vermin: venv
	@echo "== target-side code runs on Python 3.8+ (vermin) =="
	$(VENV)/bin/vermin --no-tips --violations --eval-annotations -t=3.8- plugins/modules plugins/module_utils

test-changelog: venv
	@echo "== changelog fragments (antsibull-changelog lint) =="
	$(VENV)/bin/antsibull-changelog lint

test-lint: venv collection
	@echo "== ansible-lint --profile production =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH ansible-lint --offline --profile production

test-docs: collection
	@echo "== plugin docs (antsibull-docs lint-collection-docs, ansible-doc) =="
	cd $(COLLECTIONS)/ansible_collections/glpiops/glpi && PATH=$(VENV)/bin:$$PATH antsibull-docs lint-collection-docs --plugin-docs .
	@for module in $$(ls plugins/modules | sed -n 's/^\(glpi_[a-z_]*\)\.py$$/\1/p'); do \
	  $(ANSIBLE_ENV) ANSIBLE_NOCOLOR=1 $(VENV)/bin/ansible-doc glpiops.glpi.$$module > $(CACHE)/ansible-doc.txt || exit 1; \
	  grep -q "^> MODULE glpiops.glpi.$$module" $(CACHE)/ansible-doc.txt && grep -q "OPTIONS" $(CACHE)/ansible-doc.txt \
	    && grep -q "EXAMPLES" $(CACHE)/ansible-doc.txt && grep -q "RETURN VALUES" $(CACHE)/ansible-doc.txt \
	    || { echo "ansible-doc glpiops.glpi.$$module lacks options, examples or return values"; exit 1; }; \
	  echo "ansible-doc glpiops.glpi.$$module renders (options, examples, return values)"; \
	done
	@for filter in $$(ls plugins/filter | sed -n 's/^\(glpi_[a-z_]*\)\.yml$$/\1/p'); do \
	  $(ANSIBLE_ENV) ANSIBLE_NOCOLOR=1 $(VENV)/bin/ansible-doc -t filter glpiops.glpi.$$filter > $(CACHE)/ansible-doc.txt 2>&1 || exit 1; \
	  grep -q "^> FILTER glpiops.glpi.$$filter" $(CACHE)/ansible-doc.txt \
	    || { echo "ansible-doc -t filter glpiops.glpi.$$filter does not render"; cat $(CACHE)/ansible-doc.txt; exit 1; }; \
	  echo "ansible-doc -t filter glpiops.glpi.$$filter renders"; \
	done
	@for role in $$(ls -d roles/*/meta/argument_specs.yml | cut -d/ -f2); do \
	  $(ANSIBLE_ENV) ANSIBLE_NOCOLOR=1 $(VENV)/bin/ansible-doc -t role glpiops.glpi.$$role > $(CACHE)/ansible-doc.txt 2>&1 || exit 1; \
	  grep -q "^> ROLE: \*glpiops.glpi.$$role\*" $(CACHE)/ansible-doc.txt && grep -q "ENTRY POINT: \*main\*" $(CACHE)/ansible-doc.txt \
	    || { echo "ansible-doc -t role glpiops.glpi.$$role does not render its argument specs"; cat $(CACHE)/ansible-doc.txt; exit 1; }; \
	  echo "ansible-doc -t role glpiops.glpi.$$role renders (meta/argument_specs.yml)"; \
	done

test-sanity: venv
	PATH=$(VENV)/bin:$$PATH tests/bin/sanity.sh

test-integration: check-root collection
	@echo "== integration: real sshd on 127.0.0.1, ansible-playbook over ssh and paramiko_ssh =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python -m pytest -p no:cacheprovider -v tests/integration

# The over-ssh playbook runs and the deliveries again with the newest ansible-core (no paramiko_ssh there: that case
# skips, saying why).  Measured on the 2-core machine: ~2 min (36 s with test_inventory_over_ssh.py alone).
INTEGRATION_NEWEST ?= tests/integration/test_inventory_over_ssh.py tests/integration/test_delivery.py

test-integration-newest: check-root collection venv-newest
	@echo "== integration on ansible-core $$($(VENV_NEWEST)/bin/python -c 'import ansible; print(ansible.__version__)'): over ssh, deliveries =="
	$(ANSIBLE_ENV) PATH=$(VENV_NEWEST)/bin:$$PATH $(VENV_NEWEST)/bin/python -m pytest -p no:cacheprovider -v -rs $(INTEGRATION_NEWEST)

# Not part of `make test`: glpi_inventory against ansible.builtin.setup over N real sshd targets on this machine.
BENCH_HOSTS ?= 20
BENCH_RUNS  ?= 5

bench: bench-inventory bench-delivery

bench-inventory: check-root collection
	@echo "== bench: glpi_inventory vs setup, 1 and $(BENCH_HOSTS) sshd targets, $(BENCH_RUNS) runs each; report in docs/benchmarks.md =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python tests/bench/bench_inventory.py --hosts $(BENCH_HOSTS) --runs $(BENCH_RUNS)

# 20 concurrent deliveries to a GLPI double that imports serially, 2 s each: POSTs per document, false "spooled".
bench-delivery: collection
	@echo "== bench: delivery under load; report in .cache/bench/delivery.md =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python tests/bench/bench_delivery.py

test: check-root test-units test-units-oldest test-units-2.20 test-units-newest test-vermin test-changelog test-docs test-lint test-sanity \
      test-integration test-integration-newest
	@echo "== make test: all checks passed =="

clean:
	rm -rf $(VENV) $(VENV_OLDEST) $(VENV_2_20) $(VENV_NEWEST) $(CACHE) $(COLLECTIONS) $(OUTPUT) tests/output
