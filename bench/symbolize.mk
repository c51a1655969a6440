# SPDX-License-Identifier: GPL-2.0-only
# bench/symbolize: the symbolizer CLI of bench/symbolize.sh. Included by the
# top-level Makefile (it uses LIBCOMMON, CFLAGS and STATIC_LIBS from there);
# before that: make -f Makefile -f bench/symbolize.mk build/bench/symbolize
$(BUILD)/bench/symbolize: bench/symbolize.c $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBCOMMON) $(STATIC_LIBS)

.PHONY: bench-symbolize
bench-symbolize: $(BUILD)/bench/symbolize
	$(Q)bench/symbolize.sh
