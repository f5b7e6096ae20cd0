/* SPDX-License-Identifier: MIT */
/*
 * malloc() and free() over the memory between the main stack, which
 * sits right above the image (see denali.ld), and the top of memory:
 * first fit on an address-ordered free list,
 * splitting big blocks and merging neighbours on free. Not for upcall
 * handlers: nothing here disables upcalls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>

#define ALIGN			16
#define MAGIC_USED		0x55534544	/* "USED" */
#define MAGIC_FREE		0x46524545	/* "FREE" */

/* 16 bytes, so the memory after it keeps the 16-byte alignment. */
struct block {
	uint32_t size;		/* bytes, this header included */
	uint32_t magic;
	struct block *next;	/* free list only */
	uint32_t pad;
};

extern char __denali_stack_top[];

static struct block *free_list;
static int heap_ready;

static void heap_init(void)
{
	uintptr_t start = ((uintptr_t)__denali_stack_top + ALIGN - 1) & -ALIGN;
	uintptr_t end = denali_vregs()->mem_size & -ALIGN;

	heap_ready = 1;
	if (end <= start + sizeof(struct block))
		return;		/* no heap: every malloc() fails */
	free_list = (struct block *)start;
	free_list->size = end - start;
	free_list->magic = MAGIC_FREE;
	free_list->next = NULL;
}

void *malloc(size_t size)
{
	struct block **pp, *b;
	uint32_t need;

	if (!heap_ready)
		heap_init();
	if (!size || size > UINT32_MAX - sizeof(*b) - ALIGN)
		return NULL;
	need = (size + sizeof(*b) + ALIGN - 1) & -ALIGN;

	for (pp = &free_list; (b = *pp); pp = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= 2 * sizeof(*b)) {
			struct block *rest = (struct block *)((char *)b + need);

			rest->size = b->size - need;
			rest->magic = MAGIC_FREE;
			rest->next = b->next;
			b->size = need;
			*pp = rest;
		} else {
			*pp = b->next;
		}
		b->magic = MAGIC_USED;
		b->next = NULL;
		return b + 1;
	}
	return NULL;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static int adjacent(struct block *a, struct block *b)
{
	return (char *)a + a->size == (char *)b;
}

void free(void *ptr)
{
	struct block *b, *prev = NULL, *next;

	if (!ptr)
		return;
	b = (struct block *)ptr - 1;
	if (b->magic != MAGIC_USED) {
		printf("free: %p was not allocated, or was freed already\n",
		       ptr);
		abort();
	}
	b->magic = MAGIC_FREE;

	for (next = free_list; next && next < b; next = next->next)
		prev = next;
	b->next = next;
	if (prev)
		prev->next = b;
	else
		free_list = b;

	if (next && adjacent(b, next)) {
		b->size += next->size;
		b->next = next->next;
	}
	if (prev && adjacent(prev, b)) {
		prev->size += b->size;
		prev->next = b->next;
	}
}
