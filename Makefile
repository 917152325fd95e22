# kjtypeset — `make issue` builds the newest issue, `make test` runs the tests.
# Both set up whatever is missing first: Debian packages, .venv/, the SC fonts.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Issue folders are named <year>-<nn>, so the newest sorts last.
ISSUE ?= $(shell ls -1 issue_sources 2>/dev/null | sort | tail -n 1)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk scribus-data

.PHONY: issue test setup system fonts clean help
.DEFAULT_GOAL := help

help:
	@echo "make issue [ISSUE=2024-02]  排版一期简报（默认最新一期），输出到 output/<期>/"
	@echo "make test                   运行测试"
	@echo "make setup                  只做准备：系统软件包、.venv、字体"

issue: setup
	$(PY) -m kjtypeset build issue_sources/$(ISSUE)/issue.yaml

test: setup
	$(PY) -m pytest

setup: system $(VENV)/.installed fonts

# Debian packages WeasyPrint needs (Pango; HarfBuzz subsetting, without which font subsetting
# takes seconds instead of milliseconds), the Noto CJK fonts, and scribus-data for its FOGRA39
# CMYK profile "ISO Coated v2 300% (basICColor)" (zlib licence), the print edition's
# OutputIntent. Installed only when missing.
system:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if ! $(PYTHON) -m venv --help >/dev/null 2>&1; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

fonts: $(VENV)/.installed
	@$(PY) -m kjtypeset fonts

clean:
	rm -rf output/*/ .pytest_cache .hypothesis
