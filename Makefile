# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export AFTERSALES_HTTPS ?= 0
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: run test install install-test chromium fonts lint migrate demo serve clean messages compile-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed fonts

install-test: $(VENV)/.installed-test fonts chromium

# The PDF receipts embed a CJK TrueType font; Debian's WenQuanYi Micro Hei is installed when missing.
fonts:
	@bash scripts/ensure-font.sh

chromium:
	@bash scripts/ensure-chromium.sh

migrate: install
	$(BIN)/aftersales migrate --noinput
	@$(MAKE) --no-print-directory compile-messages
	$(BIN)/aftersales collectstatic --noinput >/dev/null

# The compiled catalogues are committed; recompile when gettext's msgfmt is available.
compile-messages:
	@if command -v msgfmt >/dev/null; then cd src/aftersales && ../../$(BIN)/aftersales compilemessages >/dev/null; \
	else echo "msgfmt not found: using the committed .mo catalogues"; fi

demo: migrate
	$(BIN)/aftersales demo-data --once

run: demo
	$(BIN)/aftersales serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench

messages: install
	cd src/aftersales && ../../$(BIN)/aftersales makemessages -l zh_Hans -l en --no-obsolete --ignore=static/vendor/*
	cd src/aftersales && ../../$(BIN)/aftersales makemessages -d djangojs -l zh_Hans -l en --no-obsolete --ignore=static/vendor/*

test: install-test
	$(BIN)/ruff check src tests bench
	@$(MAKE) --no-print-directory compile-messages
	$(BIN)/aftersales check
	$(BIN)/aftersales makemigrations --check --dry-run >/dev/null
	$(BIN)/aftersales collectstatic --noinput >/dev/null
	bash scripts/test.sh

clean:
	rm -rf var/static var/test-*
