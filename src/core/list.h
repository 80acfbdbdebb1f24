/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intrusive doubly-linked list and container_of. A list head is a node that
 * points to itself when empty; nodes are embedded in the objects they link.
 */
#ifndef BL_CORE_LIST_H
#define BL_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define bl_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct bl_list {
    struct bl_list *prev;
    struct bl_list *next;
};

static inline void bl_list_init(struct bl_list *l)
{
    l->prev = l;
    l->next = l;
}

static inline bool bl_list_empty(const struct bl_list *l)
{
    return l->next == l;
}

/* Links `n` before `head`, i.e. at the tail of the list. */
static inline void bl_list_append(struct bl_list *head, struct bl_list *n)
{
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

/* Links `n` right after `head`, i.e. at the front of the list. */
static inline void bl_list_prepend(struct bl_list *head, struct bl_list *n)
{
    n->next = head->next;
    n->prev = head;
    head->next->prev = n;
    head->next = n;
}

/* Unlinks `n` and makes it an empty list again, so a second remove is harmless. */
static inline void bl_list_remove(struct bl_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    bl_list_init(n);
}

#endif
