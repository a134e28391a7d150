# exitscope: see README.md. `make help` lists the targets.
SHELL := /bin/bash
CC ?= cc
BUILD := build
CFLAGS_TEST := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter

.PHONY: all help tools modules install patch check unit lab selftests bench clean distclean

all: tools

help:
	@echo "make            build the tools into build/bin/: exitscope, exitscope-vmm (static)"
	@echo "make modules    build kvm.ko, kvm-intel.ko, kvm-amd.ko with exit accounting into build/modules/"
	@echo "make install    install them under /lib/modules/\$$(uname -r)/updates and run depmod"
	@echo "make patch      write the whole kernel change as one patch into build/patch/"
	@echo "make lab        the seed's experiment, nested in an emulator (ARGS='--help')"
	@echo "make check      run every test (unit tests, kernel build checks, both labs)"
	@echo "make selftests  KVM's own selftests in the lab, stock modules against ours (ARGS='--help')"
	@echo "make bench      measure: instructions the hooks add per exit; both labs per stage"
	@echo "make clean      remove build/ (the source cache stays: see EXITSCOPE_CACHE)"

# Versions, the headers tree and the cached kernel source, as make variables.
$(BUILD)/kernel.mk: scripts/kernel-source.sh scripts/lib.sh
	@mkdir -p $(BUILD)
	@scripts/kernel-source.sh > $@.tmp && mv $@.tmp $@
ifneq ($(filter-out help clean distclean,$(MAKECMDGOALS) all),)
-include $(BUILD)/kernel.mk
endif

modules:
	@scripts/build-modules.sh

install: modules
	@dest=/lib/modules/$$(uname -r)/updates; \
	if [ "$$(uname -r)" != "$(KABI)" ]; then \
		echo "exitscope: error: running kernel $$(uname -r), modules are for $(KABI)" >&2; exit 1; fi; \
	install -d $$dest && install -m644 $(BUILD)/modules/kvm*.ko $$dest/ && depmod -a && \
	echo "exitscope: installed into $$dest"

patch:
	@scripts/mkpatch.sh $(BUILD)/patch

# The main job: the seed's experiment in the emulated nested lab. The script
# itself, not `exitscope lab`: on a fresh machine it installs the compiler
# the tools need.
lab:
	@lab/lab.sh $(ARGS)

# KVM's selftests in L1, Debian's stock modules against ours (docs/kernel.md).
selftests:
	@lab/selftests.sh $(ARGS)

# Benchmarks (docs/benchmarks.md): they measure and print, the tests judge.
bench: modules
	@scripts/hook-cost.sh
	@scripts/bench-lab.sh $(ARGS)

# Userspace tools: C11, warning-free, static (they run inside minimal guests).
CFLAGS_TOOLS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror
LIB_SRC := tools/lib/query.c tools/lib/query_print.c tools/lib/results.c tools/lib/parse.c
LIB_HDR := $(wildcard tools/lib/*.h)
VMM_SRC := $(wildcard tools/vmm/*.c)
VMM_HDR := $(wildcard tools/vmm/*.h) tools/lib/vmm_abi.h
CLI_SRC := $(wildcard tools/exitscope/*.c)
BIN := $(BUILD)/bin

tools: $(BIN)/exitscope $(BIN)/exitscope-vmm guest

# Guest workloads: flat images (long mode at 0x10000; real mode at 0 with
# CS = 0x1000) and static Linux programs for the lab's L2.
GUEST := $(BUILD)/guest
FLAT_LONG := cpuid-loop io-loop spin cpuid-probe
FLAT_REAL := hello-real
LINUX_WORKLOADS := paging-stress timer-sleep
.PHONY: guest
guest: $(FLAT_LONG:%=$(GUEST)/%.bin) $(FLAT_REAL:%=$(GUEST)/%.bin) \
	$(LINUX_WORKLOADS:%=$(GUEST)/%)

$(GUEST)/%.o: guest/flat/%.S guest/flat/flat.h
	@mkdir -p $(@D)
	$(CC) -c -Iguest/flat -o $@ $<
$(FLAT_LONG:%=$(GUEST)/%.bin): $(GUEST)/%.bin: $(GUEST)/%.o
	ld -Ttext=0x10000 -o $(@:.bin=.elf) $< && objcopy -O binary $(@:.bin=.elf) $@
$(FLAT_REAL:%=$(GUEST)/%.bin): $(GUEST)/%.bin: $(GUEST)/%.o
	ld -Ttext=0 -o $(@:.bin=.elf) $< && objcopy -O binary $(@:.bin=.elf) $@
$(GUEST)/%: guest/linux/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $<

# The names table is compiled from the uapi headers of the cached source.
$(BUILD)/obj/exit_reasons.o: tools/lib/exit_reasons.c $(LIB_HDR) $(BUILD)/kernel.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -I$(KSRC)/arch/x86/include -c -o $@ $<

$(BIN)/exitscope: $(CLI_SRC) tools/exitscope/cmd.h $(LIB_SRC) $(LIB_HDR) $(BUILD)/obj/exit_reasons.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $(CLI_SRC) $(LIB_SRC) $(BUILD)/obj/exit_reasons.o

$(BIN)/exitscope-vmm: $(VMM_SRC) $(VMM_HDR) tools/lib/parse.c tools/lib/parse.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -pthread -o $@ $(VMM_SRC) tools/lib/parse.c

# Unit tests: kernel/kvm/exit_stats.c compiled through tests/shim.
TEST_GEN := $(BUILD)/test/gen
$(TEST_GEN)/handler_tables.h: tests/unit/gen-kernel-tables.sh $(BUILD)/kernel.mk
	@tests/unit/gen-kernel-tables.sh $(KSRC) $(TEST_GEN)

$(BUILD)/test/test_exit_stats: tests/unit/test_exit_stats.c kernel/kvm/exit_stats.c \
		kernel/kvm/exit_stats.h kernel/uapi/asm/kvm_exit_stats.h tests/shim/kernel_shim.c tests/shim/kernel_shim.h \
		$(TEST_GEN)/handler_tables.h
	$(CC) $(CFLAGS_TEST) -Itests/shim/include -Ikernel/uapi -I$(TEST_GEN) -I$(KSRC)/arch/x86/include \
		-o $@ tests/unit/test_exit_stats.c tests/shim/kernel_shim.c -lcmocka

TOOL_TESTS := $(BUILD)/test/test_boot $(BUILD)/test/test_uart $(BUILD)/test/test_query \
	$(BUILD)/test/test_results
$(BUILD)/test/test_boot: tests/unit/test_boot.c tools/vmm/boot.c tools/vmm/mptable.c $(VMM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< tools/vmm/boot.c tools/vmm/mptable.c -lcmocka
$(BUILD)/test/test_uart: tests/unit/test_uart.c tools/vmm/uart.c tools/vmm/uart.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< tools/vmm/uart.c -lcmocka
$(BUILD)/test/test_query: tests/unit/test_query.c tools/lib/query.c tools/lib/query_print.c \
		$(LIB_HDR) $(BUILD)/obj/exit_reasons.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< tools/lib/query.c tools/lib/query_print.c \
		$(BUILD)/obj/exit_reasons.o -lcmocka

$(BUILD)/test/test_results: tests/unit/test_results.c tools/lib/results.c $(LIB_HDR) \
		$(BUILD)/obj/exit_reasons.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< tools/lib/results.c $(BUILD)/obj/exit_reasons.o -lcmocka

$(BUILD)/test/modversions: tests/kernel/modversions.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

unit: $(BUILD)/test/test_exit_stats $(TOOL_TESTS)

check: unit tools $(BUILD)/test/modversions
	@EXITSCOPE_VMLINUZ=/boot/vmlinuz-$(KABI) tests/run.sh

clean:
	rm -rf $(BUILD)
