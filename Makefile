# Two commands do everything (see README.md):
#   make book   -> .venv with pinned packages, data/, every notebook executed by papermill, HTML in _build/html
#                  (English) and _build/html/zh (Chinese edition, same executed notebooks)
#   make test   -> ruff (lint + format check), make book and make seeds side by side, then the whole test suite
#                  (library, docstring examples, chapters under two seeds, links, homework, real browser)
# Only Python 3.11+ and make are needed; nothing is installed outside .venv.
# Conda users with an activated environment (environment.yml): make book PY=python

PYTHON ?= python3
VENV   := .venv
PY     ?= $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JB     := $(PY) -c 'import sys; from jupyter_book.cli.main import main; sys.exit(main())'
JB_FLAGS := -W -n --keep-going

# Everyday loop (no book build): ruff + the library's fast tests and docstring examples, under 90 s.
check: lint
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile -m 'not slow' tests/lib lib/didbook

.PHONY: seeds lint check book test setup data notebooks html html-en html-zh book-zh i18n benchmark clean book-no-solutions student-notebooks answer-keys grade execute

book: html

setup: $(STAMP)

# uv (from PyPI, into the venv) installs the locked versions of constraints.txt in seconds; pip works too, slower:
#   python -m pip install -c constraints.txt -e ".[book,test]"
# --compile-bytecode: pip's default, not uv's; without it, where PYTHONDONTWRITEBYTECODE is set, every kernel
# would compile pandas, scipy & co. from source again (about 40% slower chapters)
$(STAMP): pyproject.toml constraints.txt
ifeq ($(PY),$(VENV)/bin/python)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt uv
	$(PY) -m uv pip install --python $(PY) --quiet --compile-bytecode -c constraints.txt -e ".[book,test]"
endif
	mkdir -p $(VENV) && touch $(STAMP)

data: $(STAMP)
	$(PY) scripts/make_data.py

# Chapter sources are MyST markdown (notebooks/*.md); their .ipynb are generated, never committed.
notebooks: $(STAMP)
	$(PY) scripts/chapters.py

execute: data
	$(PY) scripts/execute_notebooks.py

# Every chapter again under a second seed (quick Monte Carlo settings from its front matter): the chapter tests
# check that numbers move with the seed and that the prose still reads right (tests/chapters/test_runs.py).
seeds: data
	$(PY) scripts/execute_notebooks.py --second-seed 7 --out _build/seed2

# Both editions from the same executed notebooks, rendered side by side: English in _build/html, Chinese
# (prose from locales/zh_CN, figures drawn in Chinese in the same run) in _build/html/zh.
html: execute
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(MAKE) -j2 html-en html-zh

html-en:
	$(JB) build _build/src --path-output . $(JB_FLAGS)

html-zh:
	$(PY) scripts/zh_edition.py

# The Chinese edition alone (after make execute or make book): _build/zh, copied to _build/html/zh.
book-zh: execute
	$(MAKE) html-zh

# Translators: new and changed messages of the executed book into the catalogs (locales/zh_CN and
# lib/didbook/locales), then what is left; see README "The Chinese edition".
i18n: execute
	$(PY) scripts/i18n.py update
	$(PY) scripts/i18n.py coverage

# Instructors (see "Teaching with this book"): the book without solutions, from a stripped copy of the executed
# sources (_build/html-no-solutions; STUDENT_REPO=https://github.com/you/course points its launch buttons at the
# hosted student copies); student copies (_build/student; STUDENTS=roster.csv: one folder and seed per student);
# answer keys (ROSTER=roster.csv CHAPTERS="theory baseline_did" -> _build/answer-keys: CSV + HTML per seed);
# grading (SUBMISSIONS=dir KEYS=_build/answer-keys/answer_keys.csv -> GRADES, default _build/grades.csv).
book-no-solutions: execute
	$(PY) scripts/no_solutions_book.py $(if $(STUDENT_REPO),--student-repository $(STUDENT_REPO))

student-notebooks: data
	$(PY) scripts/student_notebooks.py --out _build/student $(if $(STUDENTS),--students $(STUDENTS)) $(CHAPTERS)

answer-keys: data
	$(PY) scripts/answer_keys.py --students $(ROSTER) --out _build/answer-keys $(CHAPTERS)

grade: $(STAMP)
	$(PY) scripts/grade.py $(SUBMISSIONS) --keys $(or $(KEYS),_build/answer-keys/answer_keys.csv) --out $(or $(GRADES),_build/grades.csv)

# ruff on the library, scripts and tests, and on the chapters' code (their generated notebooks, 88 columns).
lint: notebooks
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m ruff check notebooks/*.ipynb
	$(PY) -m ruff format --check notebooks/*.ipynb

# The book and the second-seed runs are independent: built side by side, they keep both cores busy.
test: lint
	$(MAKE) -j2 html seeds
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile

benchmark: $(STAMP)
	$(PY) benchmarks/placebo_speed.py
	$(PY) benchmarks/monte_carlo_speed.py
	$(PY) benchmarks/honest_speed.py
	$(PY) benchmarks/continuous_speed.py
	$(PY) benchmarks/scale_your_panel.py

# Your own panel (README "Running the book on your own panel"): the "Your panel" chapter on a CSV, written to
# OUT (default _build/report): report.html, the executed notebook, tables/ (CSV, Markdown, LaTeX), figures/.
# make report CSV=my_panel.csv ARGS="--unit county --time yr --outcome gap --cohort adopt_year --cluster prov"
.PHONY: report
report: $(STAMP)
	$(PY) -m didbook.report "$(CSV)" --out "$(or $(OUT),_build/report)" $(ARGS)

clean:
	rm -rf _build
