# The series' own tooling.  Kernel files of the series sit at their kernel
# paths in this repository; everything here drives harness/.
#
#   make run     build the patched kernel, boot it under QEMU, run the workload
#   make check   every gate of the series; ends with "N passed, M failed"
#
# See README.md for the edit/export loop and the other targets.

SHELL := /bin/bash
H := harness

.PHONY: help deps base tree export status run check check-debug check-bisect \
	baseline selftest configs docs perf-pool bench bench-ttm pressure clean-cache \
	signoff send-check

help:
	@sed -n 's/^#   //p' Makefile; echo "  make tree | export | status | signoff | send-check | check-debug | check-bisect | configs | docs | perf-pool | bench | bench-ttm | pressure | baseline | selftest | deps"

deps:
	@$(H)/deps.sh

base: deps
	@$(H)/base.sh

tree: base
	@$(H)/tree.sh

export:
	@$(H)/export.sh

status:
	@$(H)/status.sh

run: base
	@$(H)/run.sh

check: base
	@$(H)/check.sh

check-debug: base
	@$(H)/check.sh --debug

check-bisect: base
	@$(H)/check-bisect.sh

baseline: base
	@$(H)/baseline.sh

selftest: base
	@$(H)/selftest.sh

.PHONY: test-harness
test-harness:
	@$(H)/test-harness.sh

configs: base
	@$(H)/configs.sh

docs: base
	@$(H)/docs.sh

perf-pool: base
	@$(H)/perf-pool.sh

bench: base
	@$(H)/bench-heap.sh

bench-ttm: base
	@$(H)/bench-ttm.sh

pressure: base
	@$(H)/pressure-all.sh

signoff: base
	@$(H)/signoff.sh

send-check: base
	@$(H)/send-check.sh
