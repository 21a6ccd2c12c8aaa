/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rigb: interface between the netdev C glue (c/rigb_netdev.c) and Rust (rust/netdev.rs).
 * The structures are mirrored by `CVfInfo`, `CVfStats` and `VfOpsTable` in rust/netdev.rs.
 */
#ifndef RIGB_NETDEV_H
#define RIGB_NETDEV_H

#include <linux/if_ether.h>
#include <linux/types.h>

struct napi_struct;
struct net_device;
struct page;
struct page_pool;
struct pci_dev;
struct sk_buff;

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

/* Counters for `ip -s link show`, kept by Rust. */
struct rigb_net_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 rx_dropped;
	u64 rx_errors;
	u64 rx_crc_errors;
	u64 rx_length_errors;
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_dropped;
};

/* The PF interface's queues, for `ethtool -g` and `ethtool -l`. */
struct rigb_queue_info {
	u32 rx_descs;
	u32 tx_descs;
	u32 combined;
	u32 max_combined;
};

/* The PF interface's own operations, implemented in Rust (rust/datapath.rs). */
struct rigb_net_ops {
	int (*open)(const void *pf, struct net_device *dev);
	void (*stop)(const void *pf, struct net_device *dev);
	/* Returns NETDEV_TX_OK or NETDEV_TX_BUSY; the skb is consumed unless busy. */
	int (*xmit)(const void *pf, struct net_device *dev, struct sk_buff *skb);
	int (*poll)(const void *pf, struct net_device *dev, int budget);
	int (*change_mtu)(const void *pf, struct net_device *dev, int mtu);
	void (*get_stats)(const void *pf, struct rigb_net_stats *stats);
	void (*get_queues)(const void *pf, struct rigb_queue_info *info);
	/* In atomic context, with the address lock held (rigb_mc_next() may be called). */
	void (*set_rx_mode)(const void *pf, struct net_device *dev, bool all_multicast);
};

/* What Rust needs of an outgoing sk_buff to plan its offloads (`CTxLayout` in rust/net.rs). */
struct rigb_tx_layout {
	u32 len;
	u16 protocol;		/* host order, after any VLAN tags in the frame */
	u16 network_offset;
	u16 transport_offset;
	u16 csum_offset;
	u16 gso_size;
	u16 tcp_hdr_len;	/* for GSO frames only */
	u32 gso_type;
	u16 vlan_tci;
	u8 csum_partial;
	u8 csum_is_sctp;
	u8 vlan_present;
};

/* Provided by the glue, called from Rust. */
int rigb_netdev_create(struct pci_dev *pdev, const void *pf, const struct rigb_vf_ops *ops,
		       const struct rigb_net_ops *net_ops, const u8 *mac, const char *version,
		       unsigned int max_mtu, struct net_device **out);
void rigb_netdev_destroy(struct net_device *dev);
void rigb_netdev_set_carrier(struct net_device *dev, bool on);
struct napi_struct *rigb_netdev_napi(struct net_device *dev);

/* One-line helpers for the datapath's inline kernel functions (c/rigb_datapath.c). */
void rigb_napi_enable(struct net_device *dev);
void rigb_napi_disable(struct net_device *dev);
void rigb_napi_schedule_irqoff(struct net_device *dev);
bool rigb_napi_complete_done(struct net_device *dev, int work_done);
void rigb_tx_start(struct net_device *dev);
void rigb_tx_stop(struct net_device *dev);
void rigb_tx_wake(struct net_device *dev);
bool rigb_tx_stopped(struct net_device *dev);
void rigb_tx_sent(struct net_device *dev, unsigned int bytes);
void rigb_tx_completed(struct net_device *dev, unsigned int packets, unsigned int bytes);
void rigb_tx_reset(struct net_device *dev);
unsigned int rigb_skb_len(const struct sk_buff *skb);
unsigned int rigb_skb_headlen(const struct sk_buff *skb);
void rigb_skb_tx_layout(const struct sk_buff *skb, struct rigb_tx_layout *l);
unsigned int rigb_skb_nr_frags(const struct sk_buff *skb);
unsigned int rigb_skb_frag_len(const struct sk_buff *skb, unsigned int i);
int rigb_skb_map(struct net_device *dev, struct sk_buff *skb, dma_addr_t *addr);
void rigb_skb_unmap(struct net_device *dev, dma_addr_t addr, unsigned int len);
int rigb_skb_frag_map(struct net_device *dev, struct sk_buff *skb, unsigned int i,
		      dma_addr_t *addr);
void rigb_page_unmap(struct net_device *dev, dma_addr_t addr, unsigned int len);
int rigb_skb_linearize(struct sk_buff *skb);
int rigb_skb_tso_prepare(struct sk_buff *skb);
bool rigb_rx_csum_enabled(struct net_device *dev);
bool rigb_mc_next(struct net_device *dev, const void **pos, u8 *mac);
void rigb_skb_free(struct sk_buff *skb);
void rigb_skb_consume(struct sk_buff *skb);
struct page_pool *rigb_page_pool_create(struct net_device *dev, unsigned int size,
					unsigned int offset, unsigned int max_len);
void rigb_page_pool_destroy(struct page_pool *pool);
struct page *rigb_page_pool_alloc(struct page_pool *pool, dma_addr_t *addr);
void rigb_page_pool_put(struct page_pool *pool, struct page *page);
void rigb_page_pool_sync_for_cpu(struct page_pool *pool, struct page *page, unsigned int len);
int rigb_rx_deliver(struct net_device *dev, struct page *page, unsigned int offset,
		    unsigned int len, bool csum_verified);

#endif /* RIGB_NETDEV_H */
