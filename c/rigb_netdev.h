/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rigb: interface between the netdev C glue (c/rigb_netdev.c) and Rust (rust/netdev.rs).
 * The structures are mirrored by `CVfInfo`, `CVfStats` and `VfOpsTable` in rust/netdev.rs.
 */
#ifndef RIGB_NETDEV_H
#define RIGB_NETDEV_H

#include <linux/if_ether.h>
#include <linux/types.h>

struct net_device;
struct pci_dev;

/* What Rust reports for `ip link show`. */
struct rigb_vf_info {
	u8 mac[ETH_ALEN];
	u16 vlan;
	u8 qos;
	u8 spoofchk;
	u8 trusted;
	u8 link_state;
	u32 max_tx_rate;
};

/* Per-VF counters for `ip -s link show`. */
struct rigb_vf_stats {
	u64 rx_packets;
	u64 tx_packets;
	u64 rx_bytes;
	u64 tx_bytes;
	u64 multicast;
	u64 tx_dropped;
};

/* The VF operations, implemented in Rust; `pf` is the pointer given to rigb_netdev_create(). */
struct rigb_vf_ops {
	int (*set_vf_mac)(const void *pf, int vf, const u8 *mac);
	int (*set_vf_vlan)(const void *pf, int vf, u16 vlan, u8 qos, u16 proto);
	int (*set_vf_rate)(const void *pf, int vf, int min_tx_rate, int max_tx_rate);
	int (*set_vf_spoofchk)(const void *pf, int vf, bool on);
	int (*set_vf_trust)(const void *pf, int vf, bool on);
	int (*set_vf_link_state)(const void *pf, int vf, int state);
	int (*get_vf_config)(const void *pf, int vf, struct rigb_vf_info *info);
	int (*get_vf_stats)(const void *pf, int vf, struct rigb_vf_stats *stats);
};

/* Provided by the glue, called from Rust. */
int rigb_netdev_create(struct pci_dev *pdev, const void *pf, const struct rigb_vf_ops *ops,
		       const u8 *mac, const char *version, struct net_device **out);
void rigb_netdev_destroy(struct net_device *dev);
void rigb_netdev_set_carrier(struct net_device *dev, bool on);

#endif /* RIGB_NETDEV_H */
