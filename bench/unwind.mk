# SPDX-License-Identifier: GPL-2.0-only
# bench/unwind_build: the build time of unwind tables (bench/unwind.sh,
# section b). Included by the top-level Makefile (LIBCOMMON, CFLAGS and
# STATIC_LIBS come from there): make build/bench/unwind_build
$(BUILD)/bench/unwind_build: bench/unwind_build.c $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBCOMMON) $(STATIC_LIBS)
