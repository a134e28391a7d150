# exitscope: see README.md. `make help` lists the targets.
SHELL := /bin/bash
CC ?= cc
BUILD := build
CFLAGS_TEST := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter

.PHONY: all help tools modules install patch check unit lab selftests bench bench-host bench-model bench-fleet bench-tools deb clean distclean

all: tools

help:
	@echo "make            build the tools into build/bin/: exitscope, exitscope-vmm (static)"
	@echo "make unit       build the unit tests into build/test/"
	@echo "make asan       the tools and their unit tests with ASan+UBSan, into build/asan/"
	@echo "make fuzz       build the libFuzzer targets and run each FUZZ_SECONDS (default 30)"
	@echo "make modules    build kvm.ko, kvm-intel.ko, kvm-amd.ko with exit accounting into build/modules/"
	@echo "make install    install them under /lib/modules/\$$(uname -r)/updates and run depmod"
	@echo "make patch      write the whole kernel change as one patch into build/patch/"
	@echo "make lab        the seed's experiment, nested in an emulator (ARGS='--help')"
	@echo "make check      run every test (unit tests, kernel build checks, both labs)"
	@echo "make selftests  KVM's own selftests in the lab, stock modules against ours (ARGS='--help')"
	@echo "make bench      measure: exitscope's cost per exit against stock KVM and the tracing tools (ARGS='--help')"
	@echo "make bench-host measure: the same on this machine's /dev/kvm, VT-x or AMD-V (HOST='--help')"
	@echo "make bench-model  model: cycles per exit of the hooks and the BPF programs on Skylake-SP"
	@echo "make bench-fleet  measure: top and the exporter on a recorded host of 256 VMs (FLEET='--help'; make bench runs it)"
	@echo "make deb        Debian packages exitscope and exitscope-dkms into build/deb/"
	@echo "make clean      remove build/ (the source cache stays: see EXITSCOPE_CACHE)"
	@echo "make distclean  clean, and remove the lab's default results/ directory"

# Versions, the headers tree and the cached kernel source, as make variables,
# one file per KSERIES (6.1 or 6.12; unset: the host's, see scripts/lib.sh).
KERNEL_MK := $(BUILD)/kernel$(if $(KSERIES),-$(KSERIES)).mk
$(KERNEL_MK): scripts/kernel-source.sh scripts/lib.sh
	@mkdir -p $(BUILD)
	@scripts/kernel-source.sh > $@.tmp && mv $@.tmp $@
# Only goals that build against the kernel need it: plain `make` (the tools)
# installs no kernel package and reads no kernel source.
NO_KERNEL_GOALS := all tools tools-bin guest help clean distclean fuzz fuzz-build jansson-check \
	man dkms-src deb
ifneq ($(filter-out $(NO_KERNEL_GOALS),$(or $(MAKECMDGOALS),all)),)
-include $(KERNEL_MK)
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
	@scripts/mkpatch.sh $(BUILD)/patch/$(KSERIES)

# The main job: the seed's experiment in the emulated nested lab. The script
# itself, not `exitscope lab`: on a fresh machine it installs the compiler
# the tools need.
lab:
	@lab/lab.sh $(ARGS)

# KVM's selftests in L1, Debian's stock modules against ours (docs/kernel.md).
selftests:
	@lab/selftests.sh $(ARGS)

# Benchmarks (docs/benchmarks.md): they measure and print, the tests judge.
# ARGS go to lab/bench.sh (e.g. ARGS='--cpu amd --only stock,exitscope-counts');
# without them, scripts/bench-all.sh runs the whole benchmark.
bench: bench-fleet modules $(BUILD)/test/bench_query
	@scripts/hook-cost.sh
	@$(BUILD)/test/bench_query
	@if [ -n "$(ARGS)" ]; then lab/bench.sh $(ARGS); else scripts/bench-all.sh; fi

# The cycle model of the hooks and the BPF programs (docs/benchmarks.md, "A
# cycle model next to the emulated figures"): about 5 minutes, AMD.
bench-model: modules tools-bin bench-tools $(BUILD)/guest/vmexit-bench.bin
	@scripts/bench-model.sh

# The same benchmark on this machine's own /dev/kvm, for a host with VT-x or
# AMD-V (docs/benchmarks.md, "On your own hardware"). HOST goes to
# scripts/bench-host.sh (e.g. HOST='--rounds 5 --only stock,exitscope-bpf-counts').
bench-host: tools-bin bench-tools $(BUILD)/guest/vmexit-bench.bin
	@scripts/bench-host.sh $(HOST)

# Userspace tools: C11, warning-free, static by default (they run inside
# minimal guests). LDSTATIC and SANITIZE make the sanitizer build (make
# asan); OUT is where a build goes. The tools need no kernel source: the
# reason names come from Debian's uapi headers (linux-libc-dev) of the same
# kernel version (tests/unit/test_reasons.c checks them against it), the
# exitscope interface from kernel/uapi.
OUT ?= $(BUILD)
LDSTATIC ?= -static
SANITIZE ?=
CFLAGS_TOOLS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Ikernel/uapi -Itools/lib $(SANITIZE) $(EXTRA_CFLAGS)
LDLIBS_TOOLS := -ljansson -lm
LIB_SRC := $(wildcard tools/lib/*/*.c)
LIB_HDR := $(wildcard tools/lib/*/*.h) kernel/uapi/asm/kvm_exit_stats.h tools/bpf/exitscope.h
LIB := $(OUT)/obj/libexitscope.a
VMM_SRC := $(wildcard tools/vmm/*.c)
VMM_HDR := $(wildcard tools/vmm/*.h) $(LIB_HDR)
CLI_SRC := $(wildcard tools/exitscope/*.c)
BIN := $(OUT)/bin

tools: tools-bin guest
.PHONY: tools-bin
tools-bin: $(BIN)/exitscope $(BIN)/exitscope-vmm

$(OUT)/obj/lib/%.o: tools/lib/%.c $(LIB_HDR) | jansson-check
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -c -o $@ $<
$(LIB): $(patsubst tools/lib/%.c,$(OUT)/obj/lib/%.o,$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

# jansson is linked into the tools (statically by default).
.PHONY: jansson-check
jansson-check:
	@[ -f /usr/include/jansson.h ] || { echo "exitscope: libjansson-dev is missing (apt install libjansson-dev)" >&2; exit 1; }

# Guest workloads: flat images (long mode at 0x10000; real mode at 0 with
# CS = 0x1000) and static Linux programs for the lab's L2.
GUEST := $(BUILD)/guest
FLAT_REAL := hello-real
FLAT_LONG := $(filter-out $(FLAT_REAL),$(basename $(notdir $(wildcard guest/flat/*.S))))
LINUX_WORKLOADS := $(basename $(notdir $(wildcard guest/linux/*.c)))
BENCH_IMAGES := vmexit-bench vmm-abi rt-fault
.PHONY: guest
guest: $(FLAT_LONG:%=$(GUEST)/%.bin) $(FLAT_REAL:%=$(GUEST)/%.bin) \
	$(LINUX_WORKLOADS:%=$(GUEST)/%) $(BENCH_IMAGES:%=$(GUEST)/%.bin)

$(GUEST)/%.o: guest/flat/%.S guest/flat/flat.h
	@mkdir -p $(@D)
	$(CC) -c -Iguest/flat -o $@ $<
$(FLAT_LONG:%=$(GUEST)/%.bin): $(GUEST)/%.bin: $(GUEST)/%.o
	ld -Ttext=0x10000 -o $(@:.bin=.elf) $< && objcopy -O binary $(@:.bin=.elf) $@
$(FLAT_REAL:%=$(GUEST)/%.bin): $(GUEST)/%.bin: $(GUEST)/%.o
	ld -Ttext=0 -o $(@:.bin=.elf) $< && objcopy -O binary $(@:.bin=.elf) $@
# Flat images in freestanding C (guest/bench/): each image is the C files of
# its directory and the runtime of guest/bench/rt/, linked at the VMM's flat
# load address. No SSE (the VMM leaves CR4.OSFXSR clear, and the handlers
# save only the general registers), no red zone (interrupts run on the same
# stack), and no call to memset made out of memset's own loop.
bench_obj = $(patsubst guest/bench/%,$(GUEST)/bench/%.o,$(basename $(1)))
BENCH_RT_OBJ := $(call bench_obj,$(wildcard guest/bench/rt/*.c guest/bench/rt/*.S))
BENCH_HDR := $(wildcard guest/bench/*/*.h) tools/lib/abi/vmm_abi.h
CFLAGS_BENCH := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Itools/lib -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns
LDFLAGS_BENCH := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments
$(GUEST)/bench/%.o: guest/bench/%.c $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BENCH) -c -o $@ $<
$(GUEST)/bench/%.o: guest/bench/%.S $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BENCH) -c -o $@ $<
$(GUEST)/bench/image.ld: guest/bench/rt/image.lds tools/lib/abi/vmm_abi.h
	@mkdir -p $(@D)
	$(CC) -E -P -x c -D__ASSEMBLER__ -Itools/lib -o $@ $<
$(foreach i,$(BENCH_IMAGES),$(eval $(GUEST)/$(i).bin: $(call bench_obj,$(wildcard guest/bench/$(i)/*.c))))
$(BENCH_IMAGES:%=$(GUEST)/%.bin): $(GUEST)/%.bin: $(BENCH_RT_OBJ) $(GUEST)/bench/image.ld
	$(CC) $(LDFLAGS_BENCH) -Wl,-T,$(GUEST)/bench/image.ld -o $(@:.bin=.elf) $(filter %.o,$^)
	objcopy -O binary $(@:.bin=.elf) $@
# Always static: they run in L2's initramfs, which has no libc. Some use
# the tools' library (the reason names).
$(GUEST)/%: guest/linux/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $< $(LIB)

# The BPF collector (tools/bpf, docs/collector.md): the kernel side built
# with clang for the BPF target, embedded in the exitscope binary through a
# skeleton (bpftool gen skeleton), libbpf, libelf and zlib linked in
# (statically by default, so that one binary runs in a busybox initramfs).
# Without clang, bpftool or libbpf-dev the binary is built without it and
# says so when asked for --source bpf.
BPF_TOOLS_OK := $(shell command -v clang >/dev/null && command -v bpftool >/dev/null && \
	[ -f /usr/include/bpf/libbpf.h ] && [ -f /usr/include/gelf.h ] && echo yes)
BPF_DIR := $(OUT)/bpf
BPF_SKEL := $(BPF_DIR)/exitscope.skel.h
BPF_USER_SRC := tools/bpf/collector.c
BPF_HDR := tools/bpf/exitscope.h tools/bpf/kvm_reason.bpf.h
LDLIBS_BPF := -lbpf -lelf -lz
ifeq ($(BPF_TOOLS_OK),yes)
CLI_BPF_SRC := $(BPF_USER_SRC)
CLI_BPF_DEP := $(BPF_SKEL)
CLI_BPF_FLAGS := -I$(BPF_DIR)
CLI_BPF_LIBS := $(LDLIBS_BPF)
else
$(info exitscope: no clang, bpftool or libbpf-dev/libelf-dev: exitscope is built without the BPF collector (apt install clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev))
endif
# Debian's multiarch uapi headers (asm/types.h) for the BPF target.
BPF_ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)
$(BPF_DIR)/exitscope.bpf.o: tools/bpf/exitscope.bpf.c $(BPF_HDR)
	@mkdir -p $(@D)
	clang -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I$(BPF_ARCH_INC) -Itools/bpf \
		-c -o $@ $<
$(BPF_SKEL): $(BPF_DIR)/exitscope.bpf.o
	bpftool gen skeleton $< name exitscope_bpf > $@.tmp && mv $@.tmp $@

# The benchmark's floor peer (lab/bpf-floor/: not part of exitscope).
BENCH_BIN := $(OUT)/bench
$(BENCH_BIN)/bpf-floor.bpf.o: lab/bpf-floor/bpf-floor.bpf.c lab/bpf-floor/bpf-floor.h $(BPF_HDR)
	@mkdir -p $(@D)
	clang -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I$(BPF_ARCH_INC) -Itools/bpf \
		-Ilab/bpf-floor -c -o $@ $<
$(BENCH_BIN)/bpf-floor.skel.h: $(BENCH_BIN)/bpf-floor.bpf.o
	bpftool gen skeleton $< name bpf_floor_bpf > $@.tmp && mv $@.tmp $@
$(BENCH_BIN)/bpf-floor: lab/bpf-floor/bpf-floor.c lab/bpf-floor/bpf-floor.h $(BENCH_BIN)/bpf-floor.skel.h $(BPF_HDR) $(LIB)
	$(CC) $(CFLAGS_TOOLS) -I$(BENCH_BIN) -Itools/bpf $(LDSTATIC) -o $@ $< $(LIB) $(LDLIBS_TOOLS) $(LDLIBS_BPF)
# The JIT image of a loaded BPF program, for the cycle model (lab/bpf-jited/).
$(BENCH_BIN)/bpf-jited: lab/bpf-jited/bpf-jited.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) $(LDSTATIC) -o $@ $< $(LDLIBS_BPF)
bench-tools: $(BENCH_BIN)/bpf-floor $(BENCH_BIN)/bpf-jited

# exitscope --version: the release (debian/changelog's, the one place it is
# written) and the commit it was built from.
VERSION := $(shell head -n1 debian/changelog | cut -d' ' -f2 | tr -d '()')
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
ES_VERSION := $(VERSION)$(if $(GIT_REV), (git $(GIT_REV)))
$(BIN)/exitscope: $(CLI_SRC) tools/exitscope/cmd.h tools/exitscope/collect.h $(LIB) $(CLI_BPF_SRC) $(BPF_HDR) $(CLI_BPF_DEP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) $(CLI_BPF_FLAGS) '-DES_VERSION="$(ES_VERSION)"' $(LDSTATIC) $(EXTRA_LDFLAGS) -o $@ \
		$(CLI_SRC) $(CLI_BPF_SRC) $(LIB) $(LDLIBS_TOOLS) $(CLI_BPF_LIBS)

$(BIN)/exitscope-vmm: $(VMM_SRC) $(VMM_HDR) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) $(LDSTATIC) $(EXTRA_LDFLAGS) -pthread -o $@ $(VMM_SRC) $(LIB) $(LDLIBS_TOOLS)

# Unit tests: kernel/kvm/exit_stats.c compiled through tests/shim.
TEST_GEN := $(BUILD)/test/gen
$(TEST_GEN)/handler_tables.h: tests/unit/gen-kernel-tables.sh $(KERNEL_MK)
	@tests/unit/gen-kernel-tables.sh $(KSRC) $(TEST_GEN) $(KHDR)/.config

$(BUILD)/test/test_exit_stats: tests/unit/test_exit_stats.c kernel/kvm/exit_stats.c \
		kernel/kvm/exit_stats.h kernel/uapi/asm/kvm_exit_stats.h tests/shim/kernel_shim.c tests/shim/kernel_shim.h \
		$(TEST_GEN)/handler_tables.h
	$(CC) $(CFLAGS_TEST) -Itests/shim/include -Ikernel/uapi -I$(TEST_GEN) -I$(KSRC)/arch/x86/include \
		-o $@ tests/unit/test_exit_stats.c tests/shim/kernel_shim.c -lcmocka

# What a guest query costs against the vCPU count (docs/benchmarks.md).
$(BUILD)/test/bench_query: tests/bench/bench_query.c kernel/kvm/exit_stats.c \
		kernel/kvm/exit_stats.h kernel/uapi/asm/kvm_exit_stats.h tests/shim/kernel_shim.c \
		tests/shim/kernel_shim.h $(TEST_GEN)/handler_tables.h
	$(CC) $(CFLAGS_TEST) -Itests/shim/include -Ikernel/uapi -I$(TEST_GEN) -I$(KSRC)/arch/x86/include \
		-o $@ tests/bench/bench_query.c tests/shim/kernel_shim.c

# The operator tools at fleet scale (FLEET goes to scripts/bench-fleet.sh).
bench-fleet: tools-bin $(OUT)/test/bench_fleet
	@scripts/bench-fleet.sh $(FLEET)

$(OUT)/test/bench_fleet: tests/bench/bench_fleet.c $(LIB) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< $(LIB) $(LDLIBS_TOOLS)

# Unit tests of the tools (cmocka), each against the library archive.
TOOL_TESTS_PLAIN := test_num test_text test_results test_report test_query test_query_seed test_frame test_vmm test_bench_report \
	test_collector test_names test_explain
TOOL_TESTS := $(TOOL_TESTS_PLAIN:%=$(OUT)/test/%) $(OUT)/test/test_boot $(OUT)/test/test_uart \
	$(OUT)/test/test_reasons $(OUT)/test/test_bench
.PHONY: tool-tests
tool-tests: $(TOOL_TESTS)
$(TOOL_TESTS_PLAIN:%=$(OUT)/test/%): $(OUT)/test/%: tests/unit/%.c tests/unit/fixtures.h $(LIB) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< $(LIB) $(LDLIBS_TOOLS) -lcmocka
$(OUT)/test/test_boot: tests/unit/test_boot.c tools/vmm/boot.c tools/vmm/mptable.c $(VMM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< tools/vmm/boot.c tools/vmm/mptable.c -lcmocka
$(OUT)/test/test_uart: tests/unit/test_uart.c tools/vmm/uart.c tools/vmm/uart.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< tools/vmm/uart.c -lcmocka
# vmexit-bench's command line and figures, compiled for the host (GNU C:
# the runtime's header has inline assembly it does not run here).
BENCH_UNIT_SRC := guest/bench/vmexit-bench/args.c guest/bench/vmexit-bench/stats.c
$(OUT)/test/test_bench: tests/unit/test_bench.c $(BENCH_UNIT_SRC) $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -std=gnu11 -o $@ $< $(BENCH_UNIT_SRC) -lcmocka
# The names the tools compile in (linux-libc-dev) against the cached
# linux-source the modules are built from.
$(OUT)/test/test_reasons: tests/unit/test_reasons.c $(LIB) $(KERNEL_MK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -DKSRC_UAPI -I$(KSRC)/arch/x86/include -o $@ $< $(LIB) \
		$(LDLIBS_TOOLS) -lcmocka

# The sanitizer build: the tools and their unit tests with ASan and UBSan,
# dynamically linked, in build/asan/ (make check runs them).
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
.PHONY: asan
asan: $(KERNEL_MK)
	@$(MAKE) --no-print-directory OUT=$(BUILD)/asan LDSTATIC= SANITIZE='$(ASAN_FLAGS)' \
		tools-bin tool-tests

# libFuzzer targets (fuzz/), one per parser of outside data; `make fuzz`
# builds and runs each for FUZZ_SECONDS (make check: fuzz/run.sh 6).
FUZZ_SECONDS ?= 30
comma := ,
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Ikernel/uapi -Itools/lib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRC := $(LIB_SRC) tools/vmm/boot.c
# ar names its members by base name: two lib files of one name would clash.
ifneq ($(words $(notdir $(FUZZ_SRC))),$(words $(sort $(notdir $(FUZZ_SRC)))))
$(error exitscope: two files of tools/lib (or tools/vmm/boot.c) share a base name)
endif
# The library compiled once, instrumented (fuzzer-no-link), for every target.
FUZZ_LIB := $(BUILD)/fuzz/obj/libfuzz.a
FUZZ_OBJ := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_SRC))
.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
$(BUILD)/fuzz/obj/%.o: %.c $(LIB_HDR) $(VMM_HDR) | jansson-check
	@mkdir -p $(@D)
	clang $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_CFLAGS)) -c -o $@ $<
$(FUZZ_LIB): $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_LIB) $(LIB_HDR) $(VMM_HDR) | jansson-check
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB) $(LDLIBS_TOOLS)
fuzz: fuzz-build
	@fuzz/run.sh $(FUZZ_SECONDS)

$(BUILD)/test/modversions: tests/kernel/modversions.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

unit: $(BUILD)/test/test_exit_stats tool-tests

# What make check runs is built on every CPU (-j, unless make was given one):
# a plain `make check` on a new machine builds the tools, the sanitizer
# build and the fuzzers serially otherwise (80 s against 45 s on 2 CPUs).
CHECK_DEPS := unit tools asan fuzz-build $(BUILD)/test/modversions $(BUILD)/test/bench_fleet
.PHONY: check-deps
check-deps: $(CHECK_DEPS)
check:
	@$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$$(nproc)) check-deps
	@EXITSCOPE_VMLINUZ=/boot/vmlinuz-$(KABI) tests/run.sh

# Manual pages, from their one source in docs/man (scdoc).
MAN_SRC := $(wildcard docs/man/*.scd)
.PHONY: man
man: $(MAN_SRC:docs/man/%.scd=$(OUT)/man/%)
$(OUT)/man/%: docs/man/%.scd
	@mkdir -p $(@D)
	@command -v scdoc >/dev/null || { echo "exitscope: scdoc is missing (apt install scdoc)" >&2; exit 1; }
	scdoc <$< >$@.tmp && mv $@.tmp $@

# The source exitscope-dkms installs in /usr/src: the change's files, the
# tree recipe, dkms's build script, and each series' patches cut down to
# their kernel parts (dkms applies them with patch(1); the documentation
# and the selftest are not built there).
.PHONY: dkms-src
dkms-src:
	@command -v filterdiff >/dev/null || { echo "exitscope: filterdiff is missing (apt install patchutils)" >&2; exit 1; }
	rm -rf $(OUT)/dkms && mkdir -p $(OUT)/dkms/kvm $(OUT)/dkms/uapi/asm
	cp kernel/kvm-tree.sh kernel/dkms/build.sh $(OUT)/dkms/
	cp kernel/kvm/exit_stats.c kernel/kvm/exit_stats.h $(OUT)/dkms/kvm/
	cp kernel/uapi/asm/kvm_exit_stats.h $(OUT)/dkms/uapi/asm/
	for s in 6.1 6.12; do mkdir -p $(OUT)/dkms/patches/$$s; \
		for p in kernel/patches/$$s/0*.patch; do \
			filterdiff -x '*/Documentation/*' -x '*/tools/*' $$p >$(OUT)/dkms/patches/$$s/$$(basename $$p) || exit 1; \
			grep -q '^+++ ' $(OUT)/dkms/patches/$$s/$$(basename $$p) || rm $(OUT)/dkms/patches/$$s/$$(basename $$p); \
		done; done

# Debian packages (exitscope, exitscope-dkms) into build/deb/, built from a
# copy of the tree (dpkg-buildpackage writes beside the source tree).
.PHONY: deb
deb:
	@scripts/build-deb.sh

clean:
	rm -rf $(BUILD)

# Back to what git holds: clean, plus the lab's default results directory.
# The download cache lives outside the tree (EXITSCOPE_CACHE, by default
# ~/.cache/exitscope) and is kept: it takes minutes to fill again.
distclean: clean
	rm -rf results
