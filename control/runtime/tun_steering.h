/* SPDX-License-Identifier: BSD-3-Clause */
/* What secnat tells the TAP steering program (tun_steering.bpf.c): shared by both sides. */
#pragma once

#define TUN_STEERING_KEY 40   /* bytes of Toeplitz key, as most NICs */
#define TUN_STEERING_RETA 128 /* RETA entries; a power of two */

struct tun_steering_conf {
	unsigned char key[TUN_STEERING_KEY];
	unsigned int reta_mask; /* RETA entries in use, minus one */
	unsigned short reta[TUN_STEERING_RETA];
};
