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

# Succeeds whenever a verdict is reached (CERTIFIED, NOT CERTIFIED or INCOMPLETE: the verdict is
# printed); fails on bad input or a broken run. `avocado run` itself exits with the verdict.
certify: setup
	@$(AVOCADO) run --cert-profile $(PROFILE); status=$$?; \
	case $$status in \
	0|1|3) echo "make certify: verdict reached (avocado run exit status $$status: 0 CERTIFIED, 1 NOT CERTIFIED, 3 INCOMPLETE)";; \
	*) exit $$status;; \
	esac

check: setup
	PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/python -m pytest -q selftests

# black, isort and pylint as configured in pyproject.toml and .pylintrc (CI runs this too).
lint: setup
	$(VENV)/bin/python -m black --check --quiet .
	$(VENV)/bin/python -m isort --check-only --quiet .
	$(VENV)/bin/python -m pylint --rcfile=.pylintrc avocado_cert

# The community's lab on one machine (centralized mode): the catalog on PostgreSQL with its task
# queue, a test-driver host and a private libvirtd host with a worker each, a request per host.
.PHONY: lab-demo
lab-demo: setup
	PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/python scripts/lab-demo.py
