# SPDX-License-Identifier: MIT
#
# denali.mk: the compiler and linker flags of a Denali guest, for a
# guest's own Makefile. Include it from the installed SDK, then link with
# DENALI_LINK:
#
#     include /usr/local/lib/denali-sdk/denali.mk
#     CC := $(DENALI_CC)
#     CFLAGS := $(DENALI_CFLAGS) -Wall
#     prog.elf: prog.o
#             $(DENALI_LINK)
#
# DENALI_LIBS lists extra libraries before the SDK's own: -lnet for the
# TCP/IP stack (<denali/net.h>), -ldisk for virtual disks
# (<denali/disk.h>, <denali/ustar.h>). denali-cc runs gcc with these
# flags.
# The guest SDK's own Makefile includes this file, with its build tree
# as DENALI_INCLUDE and DENALI_LIBDIR.

DENALI_SDK ?= $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
DENALI_INCLUDE ?= $(DENALI_SDK)/include
DENALI_LIBDIR ?= $(DENALI_SDK)/lib
DENALI_CC ?= gcc
DENALI_LIBS ?=

# Only gcc's own freestanding headers (stddef.h, stdarg.h, stdint.h) and
# the SDK's: never the host's 64-bit C library headers.
DENALI_GCC_INCLUDE := $(shell $(DENALI_CC) -print-file-name=include)
# 64-bit division and modulo (__udivdi3, __umoddi3) for 32-bit code.
DENALI_LIBGCC := $(shell $(DENALI_CC) -m32 -print-libgcc-file-name)

# General registers only: the ABI makes no promise about x87 or SSE state.
DENALI_CFLAGS := -m32 -march=i686 -ffreestanding -nostdlib -static -fno-pic \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-mgeneral-regs-only -O2 -std=gnu11 \
	-nostdinc -isystem $(DENALI_GCC_INCLUDE) $(addprefix -I ,$(DENALI_INCLUDE))
DENALI_ASFLAGS := -m32 -fno-pic -nostdinc $(addprefix -I ,$(DENALI_INCLUDE))
DENALI_LDFLAGS := -m32 -nostdlib -static -no-pie -T $(DENALI_LIBDIR)/denali.ld \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--orphan-handling=error

# crt0.o first; libdenali and libc call each other (printf -> console,
# start -> printf), and libnet calls both.
DENALI_LINK = $(DENALI_CC) $(DENALI_LDFLAGS) -o $@ $(DENALI_LIBDIR)/crt0.o \
	$(filter %.o,$^) -L $(DENALI_LIBDIR) -Wl,--start-group $(DENALI_LIBS) \
	-ldenali -lc -Wl,--end-group $(DENALI_LIBGCC)
