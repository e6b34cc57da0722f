/*
 * taskqueue(9) with one queue, taskqueue_thread, served by a background
 * thread that starts with the first taskqueue_enqueue().
 */
#ifndef _COMPAT_SYS_TASKQUEUE_H_
#define	_COMPAT_SYS_TASKQUEUE_H_

#include <sys/cdefs.h>

typedef void task_fn_t(void *context, int pending);

struct task {
	task_fn_t	*ta_func;
	void		*ta_context;
	int		ta_priority;
	int		ta_pending;	/* enqueues since it last ran */
};

struct taskqueue;

__BEGIN_DECLS
extern struct taskqueue *const taskqueue_thread;

int	taskqueue_enqueue(struct taskqueue *queue, struct task *task);
/* Waits until the task is neither queued nor running. */
void	taskqueue_drain(struct taskqueue *queue, struct task *task);
__END_DECLS

#define	TASK_INIT(task, priority, func, context) do {			\
	(task)->ta_pending = 0;						\
	(task)->ta_priority = (priority);				\
	(task)->ta_func = (func);					\
	(task)->ta_context = (context);					\
} while (0)

#endif /* !_COMPAT_SYS_TASKQUEUE_H_ */
