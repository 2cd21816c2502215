# avocado-cert: the two commands of the README, each doing all of its own set-up.
#   make certify [PROFILE=test]   run a certification (the embedded default: libvirt's test driver)
#   make check                    run the selftests
VENV ?= $(CURDIR)/.venv
PROFILE ?= test
AVOCADO = PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/avocado

.PHONY: setup certify check lint

setup: $(VENV)/.avocado-cert-setup

$(VENV)/.avocado-cert-setup: setup.py scripts/setup.sh
	bash scripts/setup.sh $(VENV)
	touch $@

certify: setup
	$(AVOCADO) run --cert-profile $(PROFILE)

check: setup
	PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/python -m pytest -q selftests

lint: setup
	$(VENV)/bin/python -m pylint --rcfile=.pylintrc avocado_cert
