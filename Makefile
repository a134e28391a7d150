# exitscope: see README.md. `make help` lists the targets.
SHELL := /bin/bash
CC ?= cc
BUILD := build
CFLAGS_TEST := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter

.PHONY: all help modules install patch check unit kernel-checks clean distclean

all: modules

help:
	@echo "make modules    build kvm.ko, kvm-intel.ko, kvm-amd.ko with exit accounting into build/modules/"
	@echo "make install    install them under /lib/modules/\$$(uname -r)/updates and run depmod"
	@echo "make patch      write the whole kernel change as one patch into build/patch/"
	@echo "make check      run every test (unit tests, kernel build checks)"
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

# Unit tests: kernel/kvm/exit_stats.c compiled through tests/shim.
TEST_GEN := $(BUILD)/test/gen
$(TEST_GEN)/handler_tables.h: tests/unit/gen-kernel-tables.sh $(BUILD)/kernel.mk
	@tests/unit/gen-kernel-tables.sh $(KSRC) $(TEST_GEN)

$(BUILD)/test/test_exit_stats: tests/unit/test_exit_stats.c kernel/kvm/exit_stats.c \
		kernel/kvm/exit_stats.h tests/shim/kernel_shim.c tests/shim/kernel_shim.h \
		$(TEST_GEN)/handler_tables.h
	$(CC) $(CFLAGS_TEST) -Itests/shim/include -I$(TEST_GEN) -I$(KSRC)/arch/x86/include \
		-o $@ tests/unit/test_exit_stats.c tests/shim/kernel_shim.c -lcmocka

$(BUILD)/test/modversions: tests/kernel/modversions.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

unit: $(BUILD)/test/test_exit_stats

check: unit $(BUILD)/test/modversions
	@tests/run.sh

clean:
	rm -rf $(BUILD)
