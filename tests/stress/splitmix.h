/* SPDX-License-Identifier: GPL-2.0 */
/*
 * splitmix64, the seeded generator of vmmap-stress and vmmap-fuzz: one
 * definition, so a seed means the same sequence in both.
 */
#ifndef VMMAP_SPLITMIX_H
#define VMMAP_SPLITMIX_H

#include <stdint.h>

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The next number of the sequence whose state is *@s. */
static inline uint64_t splitmix_next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix64(*s);
}

/* A number below @n (0 for n == 0). */
static inline uint64_t splitmix_below(uint64_t *s, uint64_t n)
{
	return n ? splitmix_next(s) % n : 0;
}

#endif /* VMMAP_SPLITMIX_H */
