# `sam build` runs build-Function (template.yaml: Metadata BuildMethod makefile) with ARTIFACTS_DIR set. The
# function's package is only what runs on Lambda: the bot's own packages and modules (no tests/, bench/, docs/,
# playground/, .env or local databases) and requirements-lambda.txt installed for python3.12 on arm64.
# tests/ops/test_package.py checks that every package of the bot is listed and that the copy imports on its own.
PACKAGES := audit authz handlers iam identity_center logging_setup messages ops sandbox_label scheduler settings \
	slack_gateway store workflow
MODULES := bot.py clients.py http_server.py lambda_handler.py lazy_runner.py
PYTHON ?= python3.12

build-Function: code
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile --target "$(ARTIFACTS_DIR)" \
		--platform manylinux2014_aarch64 --implementation cp --python-version 3.12 --only-binary=:all: \
		-r requirements-lambda.txt

code:
	mkdir -p "$(ARTIFACTS_DIR)"
	cp $(MODULES) "$(ARTIFACTS_DIR)/"
	for package in $(PACKAGES); do cp -R "$$package" "$(ARTIFACTS_DIR)/"; done
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: build-Function code
