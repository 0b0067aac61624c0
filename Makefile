# ContentCraft: `make run` starts the dashboard, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# llama-cpp-python compiles llama.cpp on first install; use every core.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

# A portable llama.cpp: no -march=native and no AMX, whose weight repacking crashes the first decode
# (ggml-org/llama.cpp#20824). The wheel is built once into a folder named after these flags, so a
# native wheel in pip's own cache is never reused.
LLAMA_VERSION := $(shell sed -n 's/^llama-cpp-python\[server\]==//p' requirements.txt)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_WHEELS := $(HOME)/.cache/contentcraft/wheels/$(shell echo '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha1sum | cut -c1-12)

# The compiled catalogues (.mo) of every translation in data/locale (see "Translating ContentCraft").
LOCALE := data/locale
POT := $(LOCALE)/contentcraft.pot
PO_FILES := $(wildcard $(LOCALE)/*/LC_MESSAGES/contentcraft.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install migrate run api test bench bench-analytics bench-api clean wordpress-plugin pot messages

$(STAMP): requirements.txt Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --disable-pip-version-check --no-cache-dir \
		--no-deps --no-binary llama-cpp-python -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/pip install --disable-pip-version-check --find-links $(LLAMA_WHEELS) -r requirements.txt
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --force-reinstall --no-index \
		--find-links $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/python -m core.providers.llama_check
	touch $(STAMP)

install: $(STAMP) $(MO_FILES)

# Translations (README "Translating ContentCraft"): `make messages` extracts the strings marked with _(), N_()
# and ngettext() into the template and merges it into every language's .po; the .mo files are compiled from
# the .po files at install and never committed.
I18N_SOURCES := app.py server.py core api pages ui
BABEL_EXTRACT := -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 --add-comments=TRANSLATORS: \
	--no-location --sort-output --ignore-dirs=migrations --project=ContentCraft --version=1.0 \
	--copyright-holder="ContentCraft contributors" --msgid-bugs-address=https://github.com/contentcraft

# The template from the code; a run that finds the same messages leaves the file (and its date) alone.
pot:
	$(BIN)/pybabel -q extract $(BABEL_EXTRACT) -o $(POT).new $(I18N_SOURCES)
	if [ -f $(POT) ] && [ "$$(grep -v '^"POT-Creation-Date:' $(POT))" = "$$(grep -v '^"POT-Creation-Date:' $(POT).new)" ]; \
		then rm $(POT).new; else mv $(POT).new $(POT); fi

messages: pot
	$(BIN)/pybabel -q update -i $(POT) -d $(LOCALE) -D contentcraft --ignore-obsolete --ignore-pot-creation-date

$(LOCALE)/%/LC_MESSAGES/contentcraft.mo: $(LOCALE)/%/LC_MESSAGES/contentcraft.po | $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

# Test-only packages stay out of the runtime install (`make run` needs only requirements.txt).
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(DEV_STAMP)

migrate: install
	$(BIN)/python -m core db upgrade

run: migrate
	$(BIN)/streamlit run server.py --server.address 127.0.0.1 --server.port 8501

# The headless API alone (default 127.0.0.1:8000); pass e.g. API_ARGS="--workers 4".
api: migrate
	$(BIN)/python -m api $(API_ARGS)

test: migrate $(DEV_STAMP)
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/overhead.py

bench-api: install
	$(BIN)/python benchmarks/api.py

bench-analytics: install
	$(BIN)/python benchmarks/analytics.py --rows 1000000

# The WordPress plugin's build: the .pot from its PHP (Debian's gettext xgettext with WordPress's keywords),
# each .po compiled to .mo, and dist/contentcraft.zip to upload in wp-admin (links followed: includes/connector.php).
WP_PLUGIN := wordpress-plugin/contentcraft
WP_KEYWORDS := --keyword=__ --keyword=_e --keyword=_x:1,2c --keyword=_ex:1,2c --keyword=_n:1,2 \
	--keyword=_nx:1,2,4c --keyword=_n_noop:1,2 --keyword=_nx_noop:1,2,3c --keyword=esc_html__ --keyword=esc_html_e \
	--keyword=esc_html_x:1,2c --keyword=esc_attr__ --keyword=esc_attr_e --keyword=esc_attr_x:1,2c
wordpress-plugin:
	cd $(WP_PLUGIN) && find . -name '*.php' -not -path './languages/*' | LC_ALL=C sort | xargs xgettext \
		--language=PHP --from-code=UTF-8 --add-comments=translators: $(WP_KEYWORDS) --package-name=ContentCraft \
		--package-version=1.0.0 --msgid-bugs-address=https://github.com/contentcraft --sort-by-file \
		--output=languages/contentcraft.pot
	for po in $(WP_PLUGIN)/languages/*.po; do msgfmt --check -o $${po%.po}.mo $$po || exit 1; done
	mkdir -p dist && rm -f dist/contentcraft.zip && cd wordpress-plugin && zip -qr ../dist/contentcraft.zip contentcraft

clean:
	rm -rf $(VENV) .pytest_cache
