/*
 * PORT(41): vmem's SDT(9) probes (compat/sys/sdt.h: USDT notes that perf
 * and bpftrace read), and which calls are a caller's requests.  Included
 * by subr_vmem_port.h; the translation fires the probes from tagged lines.
 * vmem_sdt(9) (docs/man/vmem_sdt.9) documents each probe.
 */
#ifndef KERN_SUBR_VMEM_SDT_H_
#define	KERN_SUBR_VMEM_SDT_H_

#include <sys/sdt.h>

SDT_PROVIDER_DEFINE(vmem);
SDT_PROBE_DEFINE4(vmem, , , create, "const char *", "vmem_addr_t",
    "vmem_size_t", "vmem_size_t");
SDT_PROBE_DEFINE1(vmem, , , destroy, "const char *");
SDT_PROBE_DEFINE3(vmem, , , alloc__start, "const char *", "vmem_size_t",
    "int");
SDT_PROBE_DEFINE4(vmem, , , alloc, "const char *", "vmem_size_t",
    "vmem_addr_t", "int");
SDT_PROBE_DEFINE3(vmem, , , free, "const char *", "vmem_addr_t",
    "vmem_size_t");
SDT_PROBE_DEFINE3(vmem, , , qc__import, "const char *", "vmem_addr_t",
    "vmem_size_t");
SDT_PROBE_DEFINE3(vmem, , , qc__release, "const char *", "vmem_addr_t",
    "vmem_size_t");
SDT_PROBE_DEFINE3(vmem, , , import, "const char *", "vmem_addr_t",
    "vmem_size_t");
SDT_PROBE_DEFINE3(vmem, , , release, "const char *", "vmem_addr_t",
    "vmem_size_t");
SDT_PROBE_DEFINE2(vmem, , , sleep, "const char *", "vmem_size_t");
SDT_PROBE_DEFINE2(vmem, , , wakeup, "const char *", "vmem_size_t");

/*
 * alloc-start, alloc and free fire once per caller's request.  The
 * library's own calls of vmem_xalloc() and vmem_xfree() are not requests:
 * vmem_alloc() handing a request over, the quantum cache filling from and
 * draining to its arena (qc-import, qc-release), vmem_import_arena() and
 * vmem_release_arena().  This thread's state says which call is which;
 * reading it costs a load or two, never a call, and only vmem_xalloc(),
 * vmem_xfree() and the slow paths of the quantum cache read it.
 */
struct vmem_sdt_thread {
	const struct vmem *quiet;	/* calls into it are the library's */
	const struct vmem *started;	/* vmem_alloc() fired alloc-start */
};
/*
 * Initial-exec, as curthread: a load at a fixed offset, no call.  Not
 * static: the linker here gets the offset of a static initial-exec
 * variable of a shared library wrong (it lands on another variable).
 */
__thread struct vmem_sdt_thread vmem_sdt
    __attribute__((tls_model("initial-exec")));

/*
 * Whether vm's current vmem_xalloc() or vmem_xfree() fires probe name: a
 * tracer raised it, and the call is a request.  The semaphore comes first,
 * so that when nobody traces this costs what the probe does.
 */
#define	VMEM_SDT_REQUEST(vm, name)					\
	(SDT_PROBE_ENABLED(vmem, , , name) && vmem_sdt.quiet != (vm))

/* Whether vmem_xalloc() fires alloc-start: not for vmem_alloc()'s. */
static inline bool
vmem_sdt_start(const struct vmem *vm)
{

	if (__predict_false(vmem_sdt.started == vm)) {
		vmem_sdt.started = NULL;
		return (false);
	}
	return (SDT_PROBE_ENABLED(vmem, , , alloc__start) &&
	    vmem_sdt.quiet != vm);
}

/* vmem_alloc() fired alloc-start and hands the request to vmem_xalloc(). */
static inline void
vmem_sdt_handover(const struct vmem *vm)
{

	vmem_sdt.started = vm;
}

/* While it lives, this thread's calls into vm are the library's. */
class vmem_sdt_quiet {
public:
	explicit vmem_sdt_quiet(const struct vmem *vm) :
	    saved_(vmem_sdt.quiet)
	{
		vmem_sdt.quiet = vm;
	}
	~vmem_sdt_quiet() { vmem_sdt.quiet = saved_; }
	vmem_sdt_quiet(const vmem_sdt_quiet &) = delete;
	vmem_sdt_quiet &operator=(const vmem_sdt_quiet &) = delete;

private:
	const struct vmem *saved_;
};
#define	VMEM_SDT_QUIET(vm)	vmem_sdt_quiet vmem_sdt_quiet_scope(vm)

#endif /* !KERN_SUBR_VMEM_SDT_H_ */
