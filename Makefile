# Only for `sam build` (template.yaml: BuildMethod makefile); SAM runs it with ARTIFACTS_DIR set.
build-Function:
	python3 ops/package.py "$(ARTIFACTS_DIR)"
