/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ABI of Python frames in user stacks, shared by bpf/lib/python.bpf.h and
 * common/python.c: what user space tells the BPF side about a process
 * running a CPython 3.11 interpreter (where its structures are, which
 * native frames are its evaluation loop), and the code objects the BPF
 * side has met, with their strings read once each.
 */
#ifndef COTRACE_BPF_PYTHON_H
#define COTRACE_BPF_PYTHON_H

#include "bpf/stacks.h"	/* STACK_CUT_MARK */

/*
 * A Python frame in a stack: bits 63 and 62 set (file ids of
 * STACK_FRAME_FILE frames stay below bit 62), the code object's id in
 * bits 32..61 (struct py_code.id), the index of the last instruction
 * started plus one in bits 0..31 (0: none yet).
 */
#define PY_FRAME_TAG (3ULL << 62)
#define PY_FRAME_IS(ip) (((ip) & PY_FRAME_TAG) == PY_FRAME_TAG && (ip) != STACK_CUT_MARK)
#define PY_FRAME_CODE(ip) ((__u32)((ip) >> 32) & 0x3fffffff)
#define PY_FRAME_LASTI(ip) ((__u32)(ip))
/* Code ids stay below this: the cut mark's would be 0x3fffffff. */
#define PY_MAX_CODE_ID 0x3ffffff0U

/*
 * Offsets in bytes of the fields the walk reads (from the interpreter's
 * DWARF, or the table of known builds): CPython 3.11's layout.
 */
struct py_offsets {
	__u16 runtime_interp_head;	/* _PyRuntimeState.interpreters.head */
	__u16 interp_threads_head;	/* PyInterpreterState.threads.head */
	__u16 tstate_next;		/* PyThreadState.next */
	__u16 tstate_native_tid;	/* PyThreadState.native_thread_id */
	__u16 tstate_cframe;		/* PyThreadState.cframe */
	__u16 cframe_current;		/* _PyCFrame.current_frame */
	__u16 frame_func;		/* _PyInterpreterFrame.f_func */
	__u16 frame_code;		/* .f_code */
	__u16 frame_previous;		/* .previous */
	__u16 frame_prev_instr;		/* .prev_instr */
	__u16 frame_is_entry;		/* .is_entry */
	__u16 code_filename;		/* PyCodeObject.co_filename */
	__u16 code_qualname;		/* .co_qualname */
	__u16 code_linetable;		/* .co_linetable */
	__u16 code_firstlineno;		/* .co_firstlineno */
	__u16 code_adaptive;		/* .co_code_adaptive: the first instruction */
	__u16 func_module;		/* PyFunctionObject.func_module */
	__u16 bytes_size;		/* PyVarObject.ob_size */
	__u16 bytes_data;		/* PyBytesObject.ob_sval */
	__u16 obj_type;			/* PyObject.ob_type */
	__u16 str_state;		/* PyASCIIObject.state */
	__u16 str_ascii_data;		/* sizeof(PyASCIIObject): an ASCII string's bytes */
	__u16 str_utf8;			/* PyCompactUnicodeObject.utf8 */
	__u16 pad;
};

/* The interpreter of a process (py_procs, by tgid). */
struct py_proc {
	__u64 runtime;		/* address of _PyRuntime in the process */
	__u32 file_id;		/* the interpreter's file in STACK_FRAME_FILE frames */
	__u32 eval_start;	/* file offsets of _PyEval_EvalFrameDefault: [start, end) */
	__u32 eval_end;
	__u32 frame_read;	/* bytes of an interpreter frame's head to read */
	struct py_offsets off;
};

/* The bytes of the interpreter frame read at once: every field the walk needs. */
#define PY_FRAME_WINDOW 128

#define PY_NAME_LEN 128
#define PY_MODULE_LEN 64
#define PY_FILE_LEN 192
#define PY_LINETABLE_LEN 512

/* A code object met, by (process, address): its strings read once. */
struct py_code_key {
	__u32 tgid;
	__u32 gen;		/* the process's exec generation: an exec starts afresh */
	__u64 code;
};

struct py_code {
	__u32 id;		/* in frames: PY_FRAME_CODE() */
	__s32 firstlineno;
	__u32 linetable_len;	/* bytes kept in linetable */
	__u32 linetable_full;	/* the code object's line table, in bytes */
	__u64 qualname_ptr;	/* co_qualname and co_filename when named: a code */
	__u64 filename_ptr;	/* object freed and another at its address differ */
	__u64 linetable_ptr;	/* the line table's bytes in the process (0: none) */
	char qualname[PY_NAME_LEN];
	char module[PY_MODULE_LEN];	/* the function's __module__ ("" when unknown) */
	char filename[PY_FILE_LEN];
	__u8 linetable[PY_LINETABLE_LEN];
};

/* Default number of code objects kept. */
#define PY_CODES_ENTRIES 8192

struct py_stats {
	__u64 stacks;		/* stacks with Python frames */
	__u64 frames;		/* Python frames put in stacks */
	__u64 no_thread;	/* samples of a Python process whose thread state was not found */
	__u64 lost_codes;	/* code objects the table had no room for */
	__u64 bad_reads;	/* frame chains that could not be read */
};

#endif
