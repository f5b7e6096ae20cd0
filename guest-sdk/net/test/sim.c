/* SPDX-License-Identifier: MIT */
/*
 * The simulator of sim.h: the porting layer (port.h) and <thread.h> for
 * the host tests. Threads are ucontext coroutines switched from one
 * scheduler loop, which also polls the stacks and moves the clock.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <denali.h>
#include <denali/disk.h>
#include "sim.h"

/* AddressSanitizer must be told of every stack switch. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#else
static void __sanitizer_start_switch_fiber(void **fake_stack_save,
					   const void *bottom, size_t size)
{
	(void)fake_stack_save;
	(void)bottom;
	(void)size;
}

static void __sanitizer_finish_switch_fiber(void *fake_stack_save,
					    const void **bottom_old,
					    size_t *size_old)
{
	(void)fake_stack_save;
	(void)bottom_old;
	(void)size_old;
}
#endif

#define SIM_VMS_MAX		256
#define SIM_STACK_SIZE		(256 * 1024)
#define SIM_RX_QUEUE_DEFAULT	512

/* The stack's objects outlive tests by design: no leak reports. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

struct sim_frame {
	struct sim_frame *next;
	uint64_t due_ns;
	unsigned int len;
	uint8_t data[NET_FRAME_MAX];
};

enum sim_thread_state { SIM_RUNNABLE, SIM_BLOCKED, SIM_EXITED };

struct thread {
	ucontext_t ctx;
	void *stack;
	enum sim_thread_state state;
	unsigned int id;
	struct thread *next;		/* run queue, or a wait queue */
	struct thread *all_next;
	struct thread *joiner;
	struct sim_vm *vm;
	void *(*fn)(void *);
	void *arg, *ret;
	uint64_t sleep_until_ns;	/* 0: not sleeping */
	int daemon;			/* sim_run() does not wait for it */
	void *asan_fake_stack;
};

struct sim_wire sim_wire;
unsigned int sim_switch_drops;

static struct sim_vm *vms[SIM_VMS_MAX];
static unsigned int vm_count;
static uint64_t now_ns;
static uint64_t rng_state;
static ucontext_t sched_ctx;
static const void *sched_stack_bottom;
static size_t sched_stack_size;
static struct thread *current;
static struct thread_queue run_queue;
static struct thread *all_threads;
static unsigned int live_threads, next_id;

static uint32_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static int chance(unsigned int pct)
{
	return pct && rng() % 100 < pct;
}

uint64_t sim_now(void)
{
	return now_ns;
}

/* Threads */

static void queue_push(struct thread_queue *q, struct thread *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static struct thread *queue_pop(struct thread_queue *q)
{
	struct thread *t = q->head;

	if (t) {
		q->head = t->next;
		if (!q->head)
			q->tail = NULL;
		t->next = NULL;
	}
	return t;
}

static void wake(struct thread *t)
{
	if (t->state == SIM_BLOCKED) {
		t->state = SIM_RUNNABLE;
		t->sleep_until_ns = 0;
		queue_push(&run_queue, t);
	}
}

/* In a thread that just got the CPU from the scheduler. */
static void switched_in(void)
{
	__sanitizer_finish_switch_fiber(current->asan_fake_stack,
					&sched_stack_bottom, &sched_stack_size);
}

/* Back to the scheduler; the caller set its state. */
static void reschedule(void)
{
	assert(current);
	__sanitizer_start_switch_fiber(current->state == SIM_EXITED ? NULL :
				       &current->asan_fake_stack,
				       sched_stack_bottom, sched_stack_size);
	swapcontext(&current->ctx, &sched_ctx);
	switched_in();
}

static void thread_trampoline(void)
{
	switched_in();
	thread_exit(current->fn(current->arg));
}

static struct thread *spawn(struct sim_vm *vm, void *(*fn)(void *),
			    void *arg, int daemon)
{
	struct thread *t = calloc(1, sizeof(*t));

	assert(t);
	t->stack = malloc(SIM_STACK_SIZE);
	assert(t->stack);
	getcontext(&t->ctx);
	t->ctx.uc_stack.ss_sp = t->stack;
	t->ctx.uc_stack.ss_size = SIM_STACK_SIZE;
	t->ctx.uc_link = NULL;
	makecontext(&t->ctx, thread_trampoline, 0);
	t->fn = fn;
	t->arg = arg;
	t->vm = vm;
	t->id = next_id++;
	t->state = SIM_RUNNABLE;
	t->daemon = daemon;
	t->all_next = all_threads;
	all_threads = t;
	if (!daemon)
		live_threads++;
	queue_push(&run_queue, t);
	return t;
}

struct thread *sim_spawn(struct sim_vm *vm, void *(*fn)(void *), void *arg)
{
	return spawn(vm, fn, arg, 0);
}

static void *boot_main(void *arg)
{
	struct sim_vm *vm = arg;

	vm->exit_code = vm->main_fn();
	return NULL;
}

void sim_boot(struct sim_vm *vm, int (*main_fn)(void), int daemon)
{
	vm->main_fn = main_fn;
	vm->exit_code = -1;
	spawn(vm, boot_main, vm, daemon);
}

struct thread *thread_create(void *(*fn)(void *), void *arg)
{
	return spawn(current->vm, fn, arg, current->daemon);
}

struct thread *thread_self(void)
{
	return current;
}

unsigned int thread_id(const struct thread *t)
{
	return t->id;
}

void thread_yield(void)
{
	current->state = SIM_RUNNABLE;
	queue_push(&run_queue, current);
	reschedule();
}

void thread_exit(void *ret)
{
	current->ret = ret;
	current->state = SIM_EXITED;
	if (!current->daemon)
		live_threads--;
	if (current->joiner)
		wake(current->joiner);
	reschedule();
	abort();	/* an exited thread is never resumed */
}

int thread_join(struct thread *t, void **ret)
{
	if (t == current || t->joiner)
		return -1;
	t->joiner = current;
	while (t->state != SIM_EXITED) {
		current->state = SIM_BLOCKED;
		reschedule();
	}
	if (ret)
		*ret = t->ret;
	return 0;
}

void thread_sleep_until(uint64_t deadline_ns)
{
	if (deadline_ns <= now_ns)
		return;
	current->sleep_until_ns = deadline_ns;
	current->state = SIM_BLOCKED;
	reschedule();
}

void thread_sleep(uint64_t usec)
{
	thread_sleep_until(now_ns + usec * 1000);
}

void thread_mutex_init(struct thread_mutex *m)
{
	memset(m, 0, sizeof(*m));
}

void thread_mutex_lock(struct thread_mutex *m)
{
	while (m->owner) {
		queue_push(&m->waiters, current);
		current->state = SIM_BLOCKED;
		reschedule();
	}
	m->owner = current;
}

void thread_mutex_unlock(struct thread_mutex *m)
{
	struct thread *t;

	assert(m->owner == current);
	m->owner = NULL;
	t = queue_pop(&m->waiters);
	if (t)
		wake(t);
}

void thread_cond_init(struct thread_cond *c)
{
	memset(c, 0, sizeof(*c));
}

void thread_cond_wait(struct thread_cond *c, struct thread_mutex *m)
{
	queue_push(&c->waiters, current);
	current->state = SIM_BLOCKED;
	thread_mutex_unlock(m);
	reschedule();
	thread_mutex_lock(m);
}

void thread_cond_signal(struct thread_cond *c)
{
	struct thread *t = queue_pop(&c->waiters);

	if (t)
		wake(t);
}

void thread_cond_broadcast(struct thread_cond *c)
{
	struct thread *t;

	while ((t = queue_pop(&c->waiters)))
		wake(t);
}

/* The porting layer */

uint64_t net_port_now_ns(void)
{
	return now_ns;
}

struct net_stack *net_port_stack(void)
{
	return current && current->vm ? current->vm->ns : NULL;
}

/* What libdenali gives the examples */

unsigned int denali_cmdline(char *buf, unsigned int size)
{
	snprintf(buf, size, "%s", current->vm->cmdline);
	return (unsigned int)strlen(buf);
}

/* What libdisk gives them: the VM's one disk, in memory. */

unsigned int disk_count(void)
{
	return current->vm->disk ? 1 : 0;
}

uint64_t disk_blocks(unsigned int disk)
{
	return disk < disk_count() ?
	       current->vm->disk_size / DENALI_DISK_BLOCK_SIZE : 0;
}

int disk_readonly(unsigned int disk)
{
	return disk >= disk_count() || !current->vm->disk_durable;
}

static int disk_range(unsigned int disk, uint64_t offset, size_t len)
{
	if (disk >= disk_count())
		return -ENODEV;
	if (offset > current->vm->disk_size ||
	    len > current->vm->disk_size - offset)
		return -EINVAL;
	return 0;
}

int disk_pread(unsigned int disk, uint64_t offset, void *buf, size_t len)
{
	int ret = disk_range(disk, offset, len);

	if (!ret)
		memcpy(buf, current->vm->disk + offset, len);
	return ret;
}

int disk_read(unsigned int disk, uint64_t block, void *buf,
	      unsigned int nblocks)
{
	return disk_pread(disk, block * DENALI_DISK_BLOCK_SIZE, buf,
			  (size_t)nblocks * DENALI_DISK_BLOCK_SIZE);
}

int disk_write(unsigned int disk, uint64_t block, const void *buf,
	       unsigned int nblocks)
{
	uint64_t offset = block * DENALI_DISK_BLOCK_SIZE;
	size_t len = (size_t)nblocks * DENALI_DISK_BLOCK_SIZE;
	int ret = disk_range(disk, offset, len);

	if (!ret && disk_readonly(disk))
		ret = -EROFS;
	if (!ret)
		memcpy(current->vm->disk + offset, buf, len);
	return ret;
}

int disk_flush(unsigned int disk)
{
	struct sim_vm *vm = current->vm;

	if (disk >= disk_count())
		return -ENODEV;
	if (vm->disk_durable)
		memcpy(vm->disk_durable, vm->disk, vm->disk_size);
	return 0;
}

void *disk_alloc(unsigned int nblocks)
{
	void *buf = NULL;

	if (posix_memalign(&buf, DENALI_DISK_BLOCK_SIZE,
			   (size_t)nblocks * DENALI_DISK_BLOCK_SIZE))
		return NULL;
	return buf;
}

void disk_free(void *buf)
{
	free(buf);
}

int net_start(void)
{
	return current->vm->ns ? 0 : -ENODEV;
}

int sim_printf(const char *fmt, ...)
{
	struct sim_vm *vm = current->vm;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(vm->console + vm->console_len,
		      sizeof(vm->console) - vm->console_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		vm->console_len += (unsigned int)n;
	if (vm->console_len >= sizeof(vm->console))
		vm->console_len = sizeof(vm->console) - 1;
	return n;
}

/* As the guest's network thread: poll again soon, the deadline moved. */
void net_port_wake(struct net_stack *ns)
{
	struct sim_vm *vm = ns->port;

	vm->kicked = 1;
}

static void vm_enqueue(struct sim_vm *vm, const uint8_t *data,
		       unsigned int len, uint64_t due_ns)
{
	struct sim_frame *f, **pp;

	if (vm->rx_len >= sim_wire.rx_queue_max) {
		sim_switch_drops++;
		return;
	}
	f = malloc(sizeof(*f));
	assert(f);
	memcpy(f->data, data, len);
	f->len = len;
	f->due_ns = due_ns;
	for (pp = &vm->rx_head; *pp && (*pp)->due_ns <= due_ns;
	     pp = &(*pp)->next)
		;
	f->next = *pp;
	*pp = f;
	vm->rx_len++;
}

void sim_inject(struct sim_vm *vm, const uint8_t *frame, unsigned int len)
{
	vm_enqueue(vm, frame, len, now_ns);
}

/* The switch: by destination MAC, broadcasts to all but the sender. */
static void wire_send(struct sim_vm *from, const uint8_t *data,
		      unsigned int len)
{
	uint64_t due = now_ns + sim_wire.latency_ns;
	unsigned int i, delivered = 0;

	if (len < ETH_HLEN || memcmp(data + 6, from->mac, 6)) {
		sim_switch_drops++;
		return;
	}
	if (chance(sim_wire.reorder_pct) && sim_wire.reorder_ns)
		due += 1 + rng() % sim_wire.reorder_ns;
	for (i = 0; i < vm_count; i++) {
		struct sim_vm *to = vms[i];

		if (to == from || (memcmp(data, to->mac, 6) &&
				   memcmp(data, eth_broadcast, 6)))
			continue;
		vm_enqueue(to, data, len, due);
		delivered++;
	}
	if (!delivered)
		sim_switch_drops++;
}

unsigned int net_port_send(struct net_stack *ns, const struct net_frame *f,
			   unsigned int count)
{
	struct sim_vm *vm = ns->port;
	unsigned int i;

	for (i = 0; i < count; i++) {
		assert(f[i].len >= ETH_HLEN && f[i].len <= NET_FRAME_MAX);
		if (sim_wire.tap && !sim_wire.tap(vm, f[i].data, f[i].len))
			continue;
		if (chance(sim_wire.loss_pct))
			continue;
		wire_send(vm, f[i].data, f[i].len);
		if (chance(sim_wire.dup_pct))
			wire_send(vm, f[i].data, f[i].len);
	}
	return count;
}

unsigned int net_port_recv(struct net_stack *ns, struct net_frame *f,
			   unsigned int count)
{
	struct sim_vm *vm = ns->port;
	struct sim_frame *fr;
	unsigned int n = 0;

	while (n < count && (fr = vm->rx_head) && fr->due_ns <= now_ns) {
		vm->rx_head = fr->next;
		vm->rx_len--;
		/* As the kernel: a frame longer than the buffer is dropped. */
		if (fr->len <= f[n].len) {
			memcpy(f[n].data, fr->data, fr->len);
			f[n].len = fr->len;
			n++;
		}
		free(fr);
	}
	return n;
}

/* The machine */

struct sim_vm *sim_vm_new(const char *cmdline, uint8_t id, uint16_t mtu)
{
	struct sim_vm *vm = calloc(1, sizeof(*vm));
	struct net_config cfg = { 0 };

	assert(vm && vm_count < SIM_VMS_MAX);
	if (net_config_parse(cmdline, &cfg))
		abort();
	snprintf(vm->cmdline, sizeof(vm->cmdline), "%s", cmdline);
	vm->mac[0] = 0x02;
	vm->mac[5] = id;
	memcpy(cfg.mac, vm->mac, 6);
	cfg.mtu = mtu;
	vms[vm_count++] = vm;
	vm->ns = net_stack_create(&cfg, vm);
	assert(vm->ns);
	return vm;
}

void sim_reset(uint64_t seed)
{
	struct thread *t, *tn;
	struct sim_frame *f;
	unsigned int i;

	for (t = all_threads; t; t = tn) {
		tn = t->all_next;
		free(t->stack);
		free(t);
	}
	all_threads = NULL;
	run_queue.head = run_queue.tail = NULL;
	live_threads = 0;
	for (i = 0; i < vm_count; i++) {
		while ((f = vms[i]->rx_head)) {
			vms[i]->rx_head = f->next;
			free(f);
		}
		free(vms[i]->ns);
		free(vms[i]);
	}
	vm_count = 0;
	memset(&sim_wire, 0, sizeof(sim_wire));
	sim_wire.latency_ns = 50000;
	sim_wire.rx_queue_max = SIM_RX_QUEUE_DEFAULT;
	sim_switch_drops = 0;
	now_ns = 1000000000;	/* not 0: 0 means "no timer" to the stack */
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
}

/* Runs every thread that can run, until none can. */
static void run_threads(void)
{
	struct thread *t;

	void *fake_stack;

	while ((t = queue_pop(&run_queue))) {
		current = t;
		__sanitizer_start_switch_fiber(&fake_stack, t->stack,
					       SIM_STACK_SIZE);
		swapcontext(&sched_ctx, &t->ctx);
		__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
		current = NULL;
	}
}

/*
 * Polls the stacks with frames due, or woken, or at the deadline they
 * gave (ns->wake_ns), as port_denali.c's thread does; returns whether
 * any. So a timer armed without a wakeup fails here as in a guest.
 */
static int poll_stacks(void)
{
	unsigned int i;
	int busy = 0;

	for (i = 0; i < vm_count; i++) {
		struct sim_vm *vm = vms[i];

		if ((vm->rx_head && vm->rx_head->due_ns <= now_ns) ||
		    vm->kicked || vm->ns->wake_ns <= now_ns) {
			vm->kicked = 0;
			net_stack_poll(vm->ns);
			busy = 1;
		}
	}
	return busy;
}

static uint64_t next_event(void)
{
	uint64_t next = UINT64_MAX, t;
	struct thread *th;
	unsigned int i;

	for (i = 0; i < vm_count; i++) {
		if (vms[i]->rx_head && vms[i]->rx_head->due_ns < next)
			next = vms[i]->rx_head->due_ns;
		t = vms[i]->ns->wake_ns;
		if (t < next)
			next = t;
	}
	for (th = all_threads; th; th = th->all_next)
		if (th->state == SIM_BLOCKED && th->sleep_until_ns &&
		    th->sleep_until_ns < next)
			next = th->sleep_until_ns;
	return next;
}

/* Runs until limit_ns, or until the last thread exits when until_exit. */
static int run_until(uint64_t limit_ns, int until_exit)
{
	unsigned int polls = 0;
	struct thread *th;
	uint64_t next;

	for (;;) {
		run_threads();
		if (!live_threads && until_exit)
			return 0;
		if (poll_stacks()) {
			/* A timer that stays due would spin here for ever. */
			if (++polls < 1000000)
				continue;
			fprintf(stderr, "sim: a stack stays busy at %llu ns\n",
				(unsigned long long)now_ns);
			return -1;
		}
		polls = 0;
		next = next_event();
		if (next == UINT64_MAX || next > limit_ns) {
			if (!until_exit)
				now_ns = limit_ns;
			return -1;
		}
		if (next > now_ns)
			now_ns = next;
		for (th = all_threads; th; th = th->all_next)
			if (th->state == SIM_BLOCKED && th->sleep_until_ns &&
			    th->sleep_until_ns <= now_ns)
				wake(th);
	}
}

int sim_run(uint64_t for_ns)
{
	return run_until(now_ns + for_ns, 1);
}

void sim_wait(uint64_t for_ns)
{
	run_until(now_ns + for_ns, 0);
}
