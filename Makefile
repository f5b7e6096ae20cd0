# SPDX-License-Identifier: GPL-2.0
#
# make          build denali.ko, denalictl, the guest SDK with its examples
#               and the hostile test guests (tests/hostile/guests)
# make deps     install the Debian packages everything here needs
# make demo     run the demo (in the emulated machine when the host cannot
#               load modules)
# make check    run every test level and print "N passed, N failed"
# make bench    run the benchmarks in the emulated machine; they print
#               their figures and assert nothing about speed

KVER ?= $(shell ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build

.PHONY: all module tools guest-sdk deps demo check kunit bench clean

all: module tools guest-sdk

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_DENALI=m modules

tools:
	$(MAKE) -C tools/denalictl

guest-sdk:
	$(MAKE) -C guest-sdk
	$(MAKE) -C tests/hostile/guests

deps:
	bash scripts/deps.sh

demo: deps
	$(MAKE) all
	bash scripts/demo.sh

check: deps
	bash scripts/check.sh

kunit: deps
	bash scripts/kunit.sh

bench: deps
	$(MAKE) all
	bash scripts/bench.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/denalictl clean
	$(MAKE) -C guest-sdk clean
	$(MAKE) -C tests/hostile/guests clean
