# statbox — the README's commands. Everything a fresh machine needs is installed here.
#   make run    build the plugins and the host, run the main job on the bundled sample data
#               (the Telegram bot instead when TELEGRAM_BOT_TOKEN is set)
#   make test   every test of the workspace (what CI runs)
#   make bench  sandbox overhead and describe: statbox vs native Rust vs pandas
#   make lint   rustfmt + clippy with warnings as errors

SHELL := /bin/bash
# Builds live outside the clone so later clones reuse them; the same commands work from nothing.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/statbox/target
GUEST_TARGET := $(CARGO_TARGET_DIR)/guests
GUESTS := -p statbox-stats -p statbox-ml -p statbox-evil
VENV := $(HOME)/.cache/statbox/venv
PY := $(VENV)/bin/python

.PHONY: help setup guests fonts run test lint bench venv pyenv golden fixtures clean

help:
	@sed -n '2,6p' Makefile

setup:
	@command -v cargo >/dev/null || { echo "Rust is required: install it with rustup (https://rustup.rs)"; exit 1; }
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

# The same command guest-modules/artifacts/build.rs runs, so the two share one build.
guests: setup
	cargo build --release --target wasm32-wasip2 $(GUESTS) --target-dir $(GUEST_TARGET)
	@mkdir -p plugins
	cp $(GUEST_TARGET)/wasm32-wasip2/release/statbox_stats.wasm plugins/stats.wasm
	cp $(GUEST_TARGET)/wasm32-wasip2/release/statbox_ml.wasm plugins/ml.wasm

# The main job: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else a chat in the
# terminal on the bundled sample data (type /help; piped stdin runs a script).
run: guests fonts
	cargo build -p statbox-cli
	$(CARGO_TARGET_DIR)/debug/statbox plugins
	$(CARGO_TARGET_DIR)/debug/statbox run descriptive --data tests/fixtures/sales.csv
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
		echo "TELEGRAM_BOT_TOKEN is set: serving the Telegram bot (Ctrl-C stops it)"; \
		$(CARGO_TARGET_DIR)/debug/statbox bot; \
	else \
		$(CARGO_TARGET_DIR)/debug/statbox chat --data tests/fixtures/sales.csv; \
	fi

# Figures sent to Telegram are rendered to PNG with the system's fonts.
fonts:
	@ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 || fc-list 2>/dev/null | grep -q . || \
		apt-get install -y -q fonts-dejavu-core >/dev/null || echo "note: no fonts installed; figure labels in Telegram will be missing"

# The S3 tests run against moto's S3 server from the Python venv (STATBOX_PYTHON).
test: setup venv
	@# teloxide_tests (the bot's fake Bot API) builds reqwest with native TLS: OpenSSL headers.
	@pkg-config --exists openssl 2>/dev/null || apt-get install -y -q libssl-dev pkg-config >/dev/null
	@$(PY) -c "import moto.server" 2>/dev/null || $(VENV)/bin/pip install -q "moto[server]==5.1.4"
	STATBOX_PYTHON=$(PY) cargo test --no-fail-fast

lint: setup
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --release --target wasm32-wasip2 $(GUESTS) -p statbox-sdk --target-dir $(GUEST_TARGET) -- -D warnings

venv:
	@test -x $(PY) || python3 -m venv $(VENV) 2>/dev/null || { apt-get install -y -q python3-venv >/dev/null && python3 -m venv $(VENV); }

pyenv: venv
	@$(PY) -c "import pandas, scipy, sklearn, mpmath, openpyxl, xlwt, moto.server" 2>/dev/null || $(VENV)/bin/pip install -q -r tests/requirements.txt

bench: guests pyenv
	cargo build --release -p statbox-tests --bin statbox-bench
	$(CARGO_TARGET_DIR)/release/statbox-bench --python $(PY)

# Regenerate the sample data and the golden files (both are committed).
fixtures: pyenv
	$(PY) tests/fixtures/make_fixtures.py
golden: pyenv
	$(PY) tests/golden/make_golden.py
	$(PY) tests/golden/make_golden_distributions.py
	$(PY) tests/golden/make_golden_ml.py

clean:
	rm -rf plugins
	cargo clean
