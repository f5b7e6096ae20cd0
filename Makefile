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
# make install  install what make built (below); DESTDIR and PREFIX as
#               usual, KVER or KDIR for the kernel the module is for
# make dkms     put the module's source in /usr/src/denali-VERSION and
#               add, build and install it with DKMS, for every kernel
#               installed later too

KVER ?= $(shell ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
# The kernel release denali.ko was built for (its vermagic, from KDIR),
# whose modules directory gets it.
MODULE_KVER = $(or $(firstword $(shell modinfo -F vermagic module/denali.ko 2>/dev/null)),$(KVER))

# The version of the module's source, as DKMS knows it.
VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/denali
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SDKDIR ?= $(PREFIX)/lib/denali-sdk
DKMSDIR = /usr/src/denali-$(VERSION)

INSTALL ?= install
DEPMOD ?= depmod

.PHONY: all module tools guest-sdk deps demo check kunit bench clean \
	install install-module install-tools install-sdk dkms dkms-source

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

# Installs what "make" built, building nothing (the module's build needs
# the kernel's build tree, which the install host need not have).
install: install-module install-tools install-sdk

install-module:
	kver=$(MODULE_KVER) && \
	$(INSTALL) -D -m 644 module/denali.ko \
		$(DESTDIR)/lib/modules/$$kver/extra/denali.ko && \
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $$kver

# denalictl, its man pages and completion, the module's man pages, the
# uapi headers and the commented modprobe.d example.
install-tools:
	$(INSTALL) -D -m 755 tools/denalictl/denalictl $(DESTDIR)$(SBINDIR)/denalictl
	$(foreach sec,$(sort $(subst .,,$(suffix $(wildcard Documentation/man/*.[1-9])))), \
		$(INSTALL) -D -m 644 -t $(DESTDIR)$(MANDIR)/man$(sec) \
			Documentation/man/*.$(sec) &&) true
	$(INSTALL) -D -m 644 tools/denalictl/denalictl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/denalictl
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(INCLUDEDIR)/linux uapi/linux/denali.h \
		uapi/linux/denali_abi.h
	$(INSTALL) -D -m 644 contrib/modprobe.d/denali.conf \
		$(DESTDIR)$(DOCDIR)/examples/modprobe.d/denali.conf

# The guest SDK: headers, crt0.o, the libraries and the link map in
# SDKDIR, with denali.mk, the template, and denali-cc in BINDIR.
# denali-cc reads denali.mk's flags from lib/denali-cc.flags, written
# here with @SDK@ for the SDK's directory: one make fewer per compile.
install-sdk:
	$(INSTALL) -d $(DESTDIR)$(SDKDIR)
	cp -R --no-preserve=mode,ownership guest-sdk/include $(DESTDIR)$(SDKDIR)/
	$(INSTALL) -m 644 -t $(DESTDIR)$(SDKDIR)/include/linux uapi/linux/denali_abi.h
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(SDKDIR)/lib guest-sdk/crt0.o \
		guest-sdk/libdenali.a guest-sdk/libc.a guest-sdk/libnet.a \
		guest-sdk/libdisk.a guest-sdk/denali.ld
	$(INSTALL) -m 644 -t $(DESTDIR)$(SDKDIR) guest-sdk/denali.mk
	$(MAKE) -s --no-print-directory -f guest-sdk/denali.mk DENALI_SDK=@SDK@ \
		--eval 'denali-cc-flags: ; @printf "%s\n" "$$(DENALI_CFLAGS)" "$$(DENALI_LDFLAGS)" "$$(DENALI_LIBGCC)"' \
		denali-cc-flags >$(DESTDIR)$(SDKDIR)/lib/denali-cc.flags
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(SDKDIR)/template \
		guest-sdk/template/Makefile guest-sdk/template/guest.c
	$(INSTALL) -D -m 755 guest-sdk/denali-cc $(DESTDIR)$(SDKDIR)/bin/denali-cc
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	ln -sfr $(DESTDIR)$(SDKDIR)/bin/denali-cc $(DESTDIR)$(BINDIR)/denali-cc

# The module's source as DKMS builds it (dkms.conf).
dkms-source:
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(DKMSDIR) dkms.conf Kbuild
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(DKMSDIR)/module module/Makefile \
		module/Kconfig module/*.[chS]
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(DKMSDIR)/uapi/linux uapi/linux/*.h

dkms: dkms-source
	dkms add denali/$(VERSION)
	dkms build denali/$(VERSION)
	dkms install denali/$(VERSION)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/denalictl clean
	$(MAKE) -C guest-sdk clean
	$(MAKE) -C tests/hostile/guests clean
