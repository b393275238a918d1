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
        test-units test-units-oldest test-units-2.20 test-units-newest test-vermin test-changelog test-lint test-docs \
        test-sanity test-integration test-integration-newest bench bench-inventory bench-delivery bench-partial bench-inventory-plugin bench-publish clean

# Every .PHONY target, one line each (tests/unit/test_makefile.py checks that none is missing).
help:
	@echo "make inventory          agentless GLPI inventory of this machine, written to $(OUTPUT)/<deviceid>.json"
	@echo "make test               everything CI checks (root): check-root and every test-* target below (ansible-core 2.15, 2.19, 2.20, newest)"
	@echo "make test-units         unit tests, newest ansible-core (.venv)"
	@echo "make test-units-oldest  unit tests, oldest supported ansible-core (.venv-oldest)"
	@echo "make test-units-2.20    unit tests, ansible-core 2.20 on Python 3.13 (.venv-2.20)"
	@echo "make test-units-newest  unit tests, newest ansible-core on Python 3.13 (.venv-newest)"
	@echo "make test-vermin        target-side code (modules, module_utils) runs on Python 3.8+"
	@echo "make test-changelog     antsibull-changelog lint of changelogs/fragments"
	@echo "make test-lint          ansible-lint --profile production"
	@echo "make test-docs          antsibull-docs and ansible-doc on the built and installed collection"
	@echo "make test-sanity        ansible-test sanity, no ignore files"
	@echo "make test-integration   real sshd on 127.0.0.1, ansible-playbook over ssh and paramiko_ssh (root)"
	@echo "make test-integration-newest  over-ssh and delivery integration tests again with the newest ansible-core (root)"
	@echo "make check-root         fail unless root; install the system packages the tests need"
	@echo "make venv               .venv with the pinned tools (tests/requirements/dev.txt)"
	@echo "make venv-oldest        .venv-oldest with the oldest supported ansible-core (tests/requirements/oldest.txt)"
	@echo "make venv-2.20          .venv-2.20: ansible-core 2.20 on Python 3.13 (tests/requirements/ansible-2.20.txt)"
	@echo "make venv-newest        .venv-newest: the newest ansible-core on Python 3.13 (tests/requirements/newest.txt)"
	@echo "make python313          fail clearly unless a working Python 3.13 is found (tests/bin/find-python.sh)"
	@echo "make collection         build the tarball users get into .cache/build/ and install it into .collections/"
	@echo "make bench              bench-inventory, bench-delivery, bench-partial and bench-inventory-plugin; results in .cache/bench/, no tracked file changes"
	@echo "make bench-inventory    glpi_inventory vs setup over 1 and BENCH_HOSTS sshd targets (root) -> .cache/bench/inventory.md"
	@echo "make bench-delivery     20 concurrent deliveries to a GLPI importing serially -> .cache/bench/delivery.md"
	@echo "make bench-partial      full vs change-only inventories, 1 and BENCH_HOSTS local hosts: bytes, GLPI time -> .cache/bench/partial.md"
	@echo "make bench-inventory-plugin  the inventory plugin listing 10,000 computers, legacy API vs v2, by page size -> .cache/bench/inventory-plugin.md"
	@echo "make bench-publish      copy the last .cache/bench/ results into docs/benchmarks.md, to review and commit"
	@echo "make clean              remove virtualenvs, build output, bench results and written inventories"
	@echo "make help               this list"

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

# One worker per CPU (pytest-xdist); each test file stays on one worker, in order: the stand-in replays are
# sequences of calls on one recorded world.
PYTEST_UNIT = -p no:cacheprovider --import-mode=importlib -q -rs -n auto --dist loadfile tests/unit

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
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python -m pytest -p no:cacheprovider -v -rs tests/integration

# The over-ssh playbook runs and the deliveries again with the newest ansible-core (no paramiko_ssh there: that case
# skips, saying why).  Measured on the 2-core machine: ~2 min (36 s with test_inventory_over_ssh.py alone).
INTEGRATION_NEWEST ?= tests/integration/test_inventory_over_ssh.py tests/integration/test_delivery.py

test-integration-newest: check-root collection venv-newest
	@echo "== integration on ansible-core $$($(VENV_NEWEST)/bin/python -c 'import ansible; print(ansible.__version__)'): over ssh, deliveries =="
	$(ANSIBLE_ENV) PATH=$(VENV_NEWEST)/bin:$$PATH $(VENV_NEWEST)/bin/python -m pytest -p no:cacheprovider -v -rs $(INTEGRATION_NEWEST)

# Not part of `make test`: glpi_inventory against ansible.builtin.setup over N real sshd targets on this machine.
BENCH_HOSTS ?= 20
BENCH_RUNS  ?= 5
BENCH_DIR   := $(CACHE)/bench

bench: bench-inventory bench-delivery bench-partial bench-inventory-plugin

bench-inventory: check-root collection
	@echo "== bench: glpi_inventory vs setup, 1 and $(BENCH_HOSTS) sshd targets, $(BENCH_RUNS) runs each; report in $(BENCH_DIR)/inventory.md =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python tests/bench/bench_inventory.py --hosts $(BENCH_HOSTS) --runs $(BENCH_RUNS) \
	  --output $(BENCH_DIR)/inventory.md

# 20 concurrent deliveries to a GLPI double that imports serially, 2 s each: POSTs per document, false "spooled".
bench-delivery: collection
	@echo "== bench: delivery under load; report in $(BENCH_DIR)/delivery.md =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python tests/bench/bench_delivery.py --output $(BENCH_DIR)/delivery.md

bench-partial: collection
	@echo "== bench: change-only inventories, full vs partial, 1 and $(BENCH_HOSTS) hosts; report in $(BENCH_DIR)/partial.md =="
	$(ANSIBLE_ENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/python tests/bench/bench_partial.py --hosts $(BENCH_HOSTS) --output $(BENCH_DIR)/partial.md

# The inventory plugin listing 10,000 computers from the API stand-ins: requests and time, legacy vs v2, by page size.
bench-inventory-plugin: venv $(SRC_TREE)/ansible_collections/glpiops/glpi
	@echo "== bench: inventory plugin, 10000 computers, legacy vs v2; report in $(BENCH_DIR)/inventory-plugin.md =="
	$(VENV)/bin/python tests/bench/bench_inventory_plugin.py --runs $(BENCH_RUNS) --output $(BENCH_DIR)/inventory-plugin.md

# Publishing numbers is a deliberate step, apart from running the benchmarks: docs/benchmarks.md becomes the last
# inventory report, followed by the last delivery report when there is one. Review the diff, then commit it.
bench-publish:
	@test -s $(BENCH_DIR)/inventory.md || { echo "bench-publish: no $(BENCH_DIR)/inventory.md; run make bench (or make bench-inventory) first"; exit 1; }
	@{ cat $(BENCH_DIR)/inventory.md; \
	   if [ -s $(BENCH_DIR)/delivery.md ]; then echo; sed '1s/^# /## /' $(BENCH_DIR)/delivery.md; fi; \
	   if [ -s $(BENCH_DIR)/partial.md ]; then echo; sed '1s/^# /## /' $(BENCH_DIR)/partial.md; fi; } > docs/benchmarks.md.new
	@mv docs/benchmarks.md.new docs/benchmarks.md
	@echo "bench-publish: docs/benchmarks.md now holds $(BENCH_DIR)/inventory.md$$([ -s $(BENCH_DIR)/delivery.md ] && echo ', delivery.md')$$([ -s $(BENCH_DIR)/partial.md ] && echo ', partial.md');"
	@echo "review it with 'git diff docs/benchmarks.md' and commit it"

test: check-root test-units test-units-oldest test-units-2.20 test-units-newest test-vermin test-changelog test-docs test-lint test-sanity \
      test-integration test-integration-newest
	@echo "== make test: all checks passed =="

clean:
	rm -rf $(VENV) $(VENV_OLDEST) $(VENV_2_20) $(VENV_NEWEST) $(CACHE) $(COLLECTIONS) $(OUTPUT) tests/output
