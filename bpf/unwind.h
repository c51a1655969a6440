/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ABI of CFI unwinding, shared by bpf/lib/unwind.bpf.h and common/unwind.c
 * and common/unwinder.c: the rows of an unwind table as the walk reads them,
 * the per-process table of mappings, and the tables by file.
 *
 * A table is the call-frame information of one file (.eh_frame, else
 * .debug_frame) reduced to what an x86-64 walk needs: where the CFA is,
 * whether the return address is at CFA - 8 (always, or the row says why
 * not), and where the caller's %rbp was saved. Rows are sorted by file
 * offset; a row holds from its offset up to the next row's.
 */
#ifndef COTRACE_BPF_UNWIND_ABI_H
#define COTRACE_BPF_UNWIND_ABI_H

/* How to find the CFA (the caller's %rsp). */
enum unwind_cfa {
	UNWIND_CFA_NONE = 0,		/* no CFI covers the address: frame pointers */
	UNWIND_CFA_RSP = 1,		/* rsp + cfa_off */
	UNWIND_CFA_RBP = 2,		/* rbp + cfa_off */
	UNWIND_CFA_DEREF_RBP = 3,	/* *(rbp + (__s16)cfa_off): a realigned stack */
	UNWIND_CFA_PLT = 4,		/* rsp + cfa_off, + 8 when (pc & 15) >= rbp_off */
	UNWIND_CFA_SIGNAL = 5,		/* a signal frame: registers in the ucontext at rsp */
	UNWIND_CFA_END = 6,		/* outermost frame: the return address is undefined */
	UNWIND_CFA_UNSUPPORTED = 7,	/* a rule the walk cannot follow: frame pointers */
};

/* Where the caller's %rbp is. */
enum unwind_rbp {
	UNWIND_RBP_SAME = 0,		/* unchanged */
	UNWIND_RBP_CFA = 1,		/* saved at CFA + 8 * rbp_off */
	UNWIND_RBP_RBP = 2,		/* saved at rbp + 8 * rbp_off */
	UNWIND_RBP_LOST = 3,		/* unknown from here on */
};

struct unwind_row {
	__u32 off;		/* file offset where the row starts */
	__u16 cfa_off;		/* see enum unwind_cfa */
	__u8 kind;		/* enum unwind_cfa | enum unwind_rbp << 4 */
	__s8 rbp_off;		/* in 8-byte words; the PLT threshold for UNWIND_CFA_PLT */
};

#define UNWIND_ROW_CFA(r) ((r)->kind & 0xf)
#define UNWIND_ROW_RBP(r) ((r)->kind >> 4)

/*
 * Offsets in the ucontext a signal frame's %rsp points at, once the
 * handler has returned into the restorer (__restore_rt): the kernel's
 * struct ucontext (uc_flags, uc_link, uc_stack: 40 bytes), then struct
 * sigcontext (r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip). UAPI,
 * arch/x86/include/uapi/asm/sigcontext.h; glibc's CFI for __restore_rt
 * says the same (CFA = *(rsp + 160)).
 */
#define UNWIND_SIGNAL_RBP 120
#define UNWIND_SIGNAL_RSP 160
#define UNWIND_SIGNAL_RIP 168

/*
 * A table in the pool of rows: rows [first, first + count) of one shard,
 * @first holding the shard's number in its top bits.
 */
struct unwind_table_ref {
	__u32 first;
	__u32 count;		/* 0: no table (frame pointers) */
};

/* A file: its table, and its id in the frames of stacks (0: none). */
struct unwind_file {
	struct unwind_table_ref table;
	__u32 id;
	__u32 flags;		/* UNWIND_FILE_LATE */
};

/*
 * The file's table is built when a walk first needs it (profile,
 * system-wide): until then table.count is 0 and the walk looks in
 * unwind_late[id], asking for it (a note) once.
 */
#define UNWIND_FILE_LATE 1

/* A table built late, by file id (struct unwind_file's id). */
struct unwind_late {
	struct unwind_table_ref table;	/* read as one 64-bit word */
	__u64 requested;		/* set by the BPF side when it asked (64 bits:
					 * clang 14 has no 32-bit compare-and-swap) */
};

/* One executable mapping of a process. */
struct unwind_map {
	__u64 start;
	__u64 end;
	__u64 bias;		/* address - file offset */
	struct unwind_file file;
};

/* A process table read without knowing the exec generation (-p): valid for any. */
#define UNWIND_GEN_ANY 0xffffffffU

/* At most this many executable mappings per process (a power of two). */
#define UNWIND_MAX_MAPS 256

/*
 * The mappings of one process, sorted by start, as user space read them
 * for exec generation @gen (task->self_exec_id of the group leader).
 */
struct unwind_proc {
	__u32 gen;
	__u32 nmaps;
	__u64 exec_vm;		/* mm->exec_vm (pages) when the mappings were read */
	__u32 refresh;		/* set by the BPF side once it asked for a new read */
	__u32 pad;
	struct unwind_map maps[UNWIND_MAX_MAPS];
};

/* The tables by file, for addresses outside the known mappings. */
struct unwind_file_key {
	__u64 dev;		/* the kernel's encoding: major << 20 | minor */
	__u64 ino;
};

/*
 * The pool: shards of UNWIND_DEFAULT_ROWS rows (8 bytes each: 8 MiB),
 * created as tables need them, at most UNWIND_MAX_SHARDS (256 MiB); a
 * table lives in one shard.
 */
#define UNWIND_DEFAULT_ROWS (1U << 20)
#define UNWIND_SHARD_SHIFT 27
#define UNWIND_MAX_SHARDS (1U << (32 - UNWIND_SHARD_SHIFT))
#define UNWIND_SHARD_OF(first) ((first) >> UNWIND_SHARD_SHIFT)
#define UNWIND_INDEX_OF(first) ((first) & ((1U << UNWIND_SHARD_SHIFT) - 1))
/* Default number of processes and files with tables. */
#define UNWIND_DEFAULT_PROCS 4096
#define UNWIND_DEFAULT_FILES 4096

#endif
