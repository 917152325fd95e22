# kjtypeset — `make issue` builds the newest issue, `make test` runs the tests.
# Both set up whatever is missing first: Debian packages, .venv/ (the versions in
# requirements.lock), the SC fonts. This repository is itself a bulletin folder (issue_sources/).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
# Issue folders are named <year>-<nn>, so the newest regular issue sorts last; supplements
# (<year>-zk<nn>) are built with ISSUE=2024-zk01.
ISSUE ?= $(shell ls -1 issue_sources 2>/dev/null | grep -E "^[0-9]{4}-[0-9]+$$" | sort | tail -n 1)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core scribus-data
# Which layouts' font packages `make setup` installs: the layouts this folder's issues use
# (kjtypeset fonts reads them from issue_sources/*/issue.yaml); the tests build every layout.
FONT_LAYOUTS ?=
# apt-get install the packages in $$missing (as root, or through sudo).
define APT_INSTALL
if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
$$sudo apt-get update -qq && \
DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing
endef

.PHONY: issue all-issues desk screenshots test test-fast lint fuzz bench setup system fonts bytecode lock clean help
.DEFAULT_GOAL := help

help:
	@echo "make issue [ISSUE=2024-02]  排版一期简报（默认最新一期），输出到 output/<期>/"
	@echo "make all-issues             排版 issue_sources/ 下的全部各期（每个 CPU 核一个进程）"
	@echo "make desk                   打开编辑台：在浏览器中收稿、改清单、预览、排版、存档、查档案（http://127.0.0.1:8080/）"
	@echo "make test                   代码检查（ruff），再运行全部测试"
	@echo "make test-fast              运行快速测试（不含标记为 slow、browser 的测试，用上所有 CPU 核，约一分钟）"
	@echo "make lint                   代码检查（ruff）"
	@echo "make fuzz                   长时间的模糊测试"
	@echo "make bench                  性能基准：耗时、内存、预览、检索、批量（比值超出目标 20% 以上时失败）"
	@echo "make setup                  只做准备：系统软件包、.venv（requirements.lock 中的版本）、字体"
	@echo "make lock                   依赖变动后：重新解析最新的可用版本，写入 requirements.lock"

issue: setup
	$(PY) -m kjtypeset build issue_sources/$(ISSUE)/issue.yaml

# Every issue, one worker process per core; a failing issue is reported at the end (exit 1).
all-issues: setup
	$(PY) -m kjtypeset build --all

# The desk (issue 18): the whole month in the browser, on 127.0.0.1 (kjtypeset desk --help).
desk: setup
	$(PY) -m kjtypeset desk

# The README's pictures of the desk, taken by its browser test (Debian's Chromium).
screenshots: SYSTEM_PACKAGES += chromium
screenshots: setup
	KJ_DESK_SCREENSHOTS=docs/desk $(PY) -m pytest -q tests/test_desk_browser.py

# The preview's end-to-end test drives Debian's Chromium; building issues does not need it.
# CI (.ci/run) calls `make test`: lint first (a second), then the tests; the ten slowest tests
# are listed at the end of its output.
test: SYSTEM_PACKAGES += chromium
test: FONT_LAYOUTS = --all-layouts
test: setup
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -n auto --durations=10

# Everything but the tests marked slow (fuzzing, generated text, subprocess builds, the install
# test) and browser (Chromium): for the edit-test loop.
test-fast: setup
	$(PY) -m pytest -m "not slow and not browser" -n auto --durations=5

# Also the first step of `make test`; `ruff check --fix` repairs most findings (quotes, imports).
lint: $(VENV)/.installed
	$(PY) -m ruff check src tests bench

# The long fuzzing profile of the property-based tests (a short one runs in `make test`).
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz KJ_RENDER_EXAMPLES=150 $(PY) -m pytest tests/test_fuzz.py tests/test_typography.py

# Build times, memory and sizes against a plain WeasyPrint render, preview rebuilds, search,
# batch builds, the PDF size per layout (benchmarks, not tests). Every benchmark runs; the target exits 1 at the end when
# a ratio of issue 15 (build_speed, preview_rebuild) is more than 20 % above its target.
bench: setup
	@status=0; \
	$(PY) bench/build_speed.py || status=1; \
	$(PY) bench/preview_rebuild.py || status=1; \
	$(PY) bench/archive_search.py || status=1; \
	$(PY) bench/batch_build.py || status=1; \
	$(PY) bench/composition.py; \
	$(PY) bench/layout_sizes.py; \
	if [ $$status -ne 0 ]; then echo "make bench：有比值超出目标 20% 以上（见上）"; fi; \
	exit $$status

setup: system $(VENV)/.installed fonts bytecode

# kjtypeset's own modules compiled to bytecode, as `pip install` compiles an installed package:
# the checkout is installed editable, so Python compiles them at each start where it may not
# write __pycache__ (PYTHONDONTWRITEBYTECODE, a read-only checkout): 0.17 s of a 1.9 s proof
# (python -X importtime, issue 15). Files already compiled are skipped; an edited one is
# recompiled here or, until then, in memory.
bytecode: $(VENV)/.installed
	@$(PY) -m compileall -q src/kjtypeset >/dev/null

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
	  $(APT_INSTALL); \
	fi

# Exactly the versions the tests passed with (requirements.lock), then kjtypeset itself from
# the checkout; pip check fails if the lock no longer satisfies pyproject.toml.
$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r $(LOCK)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $@

# After changing dependencies in pyproject.toml (or to take newer releases): resolve the newest
# versions it allows in a fresh environment and write them to requirements.lock. Then run
# `make test` (it installs them) and commit the lock with the change.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --disable-pip-version-check '.[test,lint]'
	{ echo "# The versions make setup installs: those the tests passed with (Python 3.11, Debian)."; \
	  echo "# Made by 'make lock' from pyproject.toml; do not edit by hand."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude pip --exclude kjtypeset; } > $(LOCK)
	rm -rf .venv-lock build

# The Debian packages holding the font files the layouts in use name and no fonts/ folder
# has (gongwen: texlive-lang-chinese for FandolFang and FandolKai, fonts-noto-cjk-extra for the
# Black weight), then the SC faces into the per-user font folder before the first build needs
# them (a build would extract them itself); nothing to do where fonts/ already has them.
fonts: $(VENV)/.installed
	@missing="$$($(PY) -m kjtypeset fonts --debian-packages $(FONT_LAYOUTS))" || exit 1; \
	if [ -n "$$missing" ]; then \
	  echo "安装版式用到的字体软件包：" $$missing; \
	  $(APT_INSTALL); \
	fi
	@$(PY) -m kjtypeset fonts $(FONT_LAYOUTS)

clean:
	rm -rf output/*/ .pytest_cache .hypothesis build .venv-lock
