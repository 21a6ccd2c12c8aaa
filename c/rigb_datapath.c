// SPDX-License-Identifier: GPL-2.0
/*
 * rigb: one-line helpers for the PF datapath (rust/datapath.rs, rust/net.rs).
 *
 * Each wraps a kernel function or macro that is inline in 7.3 and so has no symbol Rust can
 * call: NAPI, the transmit queue and its byte queue limits, sk_buff accessors, streaming DMA
 * of a transmitted buffer, the page pool, and handing a received buffer to the stack. None
 * decides anything; see Documentation/rigb.rst for the list.
 */

#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/page_pool/helpers.h>

#include "rigb_netdev.h"

void rigb_napi_enable(struct net_device *dev)
{
	napi_enable(rigb_netdev_napi(dev));
}

void rigb_napi_disable(struct net_device *dev)
{
	napi_disable(rigb_netdev_napi(dev));
}

void rigb_napi_schedule_irqoff(struct net_device *dev)
{
	napi_schedule_irqoff(rigb_netdev_napi(dev));
}

bool rigb_napi_complete_done(struct net_device *dev, int work_done)
{
	return napi_complete_done(rigb_netdev_napi(dev), work_done);
}

void rigb_tx_start(struct net_device *dev)
{
	netif_start_queue(dev);
}

void rigb_tx_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
}

void rigb_tx_wake(struct net_device *dev)
{
	netif_wake_queue(dev);
}

bool rigb_tx_stopped(struct net_device *dev)
{
	return netif_queue_stopped(dev);
}

void rigb_tx_sent(struct net_device *dev, unsigned int bytes)
{
	netdev_sent_queue(dev, bytes);
}

void rigb_tx_completed(struct net_device *dev, unsigned int packets, unsigned int bytes)
{
	netdev_completed_queue(dev, packets, bytes);
}

void rigb_tx_reset(struct net_device *dev)
{
	netdev_reset_queue(dev);
}

unsigned int rigb_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

unsigned int rigb_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

void rigb_skb_tx_layout(const struct sk_buff *skb, struct rigb_tx_layout *l)
{
	l->len = skb->len;
	l->protocol = ntohs(vlan_get_protocol(skb));
	l->network_offset = skb_network_offset(skb);
	l->transport_offset = skb_transport_offset(skb);
	l->csum_partial = skb->ip_summed == CHECKSUM_PARTIAL;
	l->csum_offset = l->csum_partial ? skb->csum_offset : 0;
	l->csum_is_sctp = skb_csum_is_sctp((struct sk_buff *)skb);
	l->gso_size = skb_shinfo(skb)->gso_size;
	l->gso_type = skb_shinfo(skb)->gso_type;
	l->tcp_hdr_len = skb_is_gso(skb) && (skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4 ||
					     skb_shinfo(skb)->gso_type & SKB_GSO_TCPV6) ?
			 tcp_hdrlen(skb) : 0;
	l->vlan_present = skb_vlan_tag_present(skb);
	l->vlan_tci = skb_vlan_tag_get(skb);
}

/* Maps the linear part of @skb for the device to read; 0 or -ENOMEM. */
int rigb_skb_map(struct net_device *dev, struct sk_buff *skb, dma_addr_t *addr)
{
	*addr = dma_map_single(dev->dev.parent, skb->data, skb_headlen(skb), DMA_TO_DEVICE);
	return dma_mapping_error(dev->dev.parent, *addr) ? -ENOMEM : 0;
}

void rigb_skb_unmap(struct net_device *dev, dma_addr_t addr, unsigned int len)
{
	dma_unmap_single(dev->dev.parent, addr, len, DMA_TO_DEVICE);
}

unsigned int rigb_skb_nr_frags(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->nr_frags;
}

unsigned int rigb_skb_frag_len(const struct sk_buff *skb, unsigned int i)
{
	return skb_frag_size(&skb_shinfo(skb)->frags[i]);
}

/* Maps fragment @i (below rigb_skb_nr_frags()) for the device to read; 0 or -ENOMEM. */
int rigb_skb_frag_map(struct net_device *dev, struct sk_buff *skb, unsigned int i,
		      dma_addr_t *addr)
{
	skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

	*addr = skb_frag_dma_map(dev->dev.parent, frag, 0, skb_frag_size(frag), DMA_TO_DEVICE);
	return dma_mapping_error(dev->dev.parent, *addr) ? -ENOMEM : 0;
}

void rigb_page_unmap(struct net_device *dev, dma_addr_t addr, unsigned int len)
{
	dma_unmap_page(dev->dev.parent, addr, len, DMA_TO_DEVICE);
}

int rigb_skb_linearize(struct sk_buff *skb)
{
	return skb_linearize(skb);
}

/*
 * The header rewrite segmentation needs, as igb_tso() does it: the device fills in each
 * segment's IP length and checksum and the TCP checksum from a pseudo-header checksum without
 * the length. Only called for TCP GSO frames.
 */
int rigb_skb_tso_prepare(struct sk_buff *skb)
{
	union {
		struct iphdr *v4;
		struct ipv6hdr *v6;
		unsigned char *hdr;
	} ip;
	struct tcphdr *tcp;
	u32 paylen;
	int err;

	err = skb_cow_head(skb, 0);
	if (err < 0)
		return err;
	ip.hdr = skb_network_header(skb);
	tcp = tcp_hdr(skb);
	if (ip.v4->version == 4) {
		unsigned char *csum_start = skb_checksum_start(skb);
		unsigned char *trans_start = ip.hdr + (ip.v4->ihl * 4);

		ip.v4->check = csum_fold(csum_partial(trans_start, csum_start - trans_start, 0));
		ip.v4->tot_len = 0;
	} else {
		ip.v6->payload_len = 0;
	}
	paylen = skb->len - skb_transport_offset(skb);
	csum_replace_by_diff(&tcp->check, (__force __wsum)htonl(paylen));
	return 0;
}

bool rigb_rx_csum_enabled(struct net_device *dev)
{
	return dev->features & NETIF_F_RXCSUM;
}

/*
 * The multicast address after *@pos in @dev's list (the first if *@pos is NULL) into @mac,
 * *@pos moved to it; false at the end. With the address lock held (ndo_set_rx_mode).
 */
bool rigb_mc_next(struct net_device *dev, const void **pos, u8 *mac)
{
	const struct netdev_hw_addr *ha = *pos;

	ha = ha ? list_next_entry(ha, list) :
		  list_first_entry(&dev->mc.list, struct netdev_hw_addr, list);
	if (list_entry_is_head(ha, &dev->mc.list, list))
		return false;
	ether_addr_copy(mac, ha->addr);
	*pos = ha;
	return true;
}

void rigb_skb_free(struct sk_buff *skb)
{
	dev_kfree_skb_any(skb);
}

void rigb_skb_consume(struct sk_buff *skb)
{
	dev_consume_skb_any(skb);
}

/*
 * A pool of single pages the pool maps for the device and syncs for it (@max_len bytes from
 * @offset) when they are recycled.
 */
struct page_pool *rigb_page_pool_create(struct net_device *dev, unsigned int size,
					unsigned int offset, unsigned int max_len)
{
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order = 0,
		.pool_size = size,
		.nid = NUMA_NO_NODE,
		.dev = dev->dev.parent,
		.napi = rigb_netdev_napi(dev),
		.netdev = dev,
		.dma_dir = DMA_FROM_DEVICE,
		.offset = offset,
		.max_len = max_len,
	};

	return page_pool_create(&pp);
}

void rigb_page_pool_destroy(struct page_pool *pool)
{
	page_pool_destroy(pool);
}

struct page *rigb_page_pool_alloc(struct page_pool *pool, dma_addr_t *addr)
{
	struct page *page = page_pool_dev_alloc_pages(pool);

	if (page)
		*addr = page_pool_get_dma_addr(page);
	return page;
}

void rigb_page_pool_put(struct page_pool *pool, struct page *page)
{
	page_pool_put_full_page(pool, page, false);
}

void rigb_page_pool_sync_for_cpu(struct page_pool *pool, struct page *page, unsigned int len)
{
	page_pool_dma_sync_for_cpu(pool, page, 0, len);
}

/*
 * Hands @len bytes at @offset of a page-pool page to the stack through GRO; the page then
 * belongs to the skb (returned to its pool when the skb is freed). -ENOMEM leaves the page
 * with the caller.
 */
int rigb_rx_deliver(struct net_device *dev, struct page *page, unsigned int offset,
		    unsigned int len, bool csum_verified)
{
	struct sk_buff *skb = napi_build_skb(page_address(page), PAGE_SIZE);

	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, offset);
	__skb_put(skb, len);
	skb_mark_for_recycle(skb);
	skb->protocol = eth_type_trans(skb, dev);
	if (csum_verified)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	napi_gro_receive(rigb_netdev_napi(dev), skb);
	return 0;
}
