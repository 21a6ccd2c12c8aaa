// SPDX-License-Identifier: GPL-2.0
/*
 * rigb: thin C glue for the PF network interface.
 *
 * The 7.3 kernel has no Rust net_device abstraction, so this file allocates, registers and
 * frees the net_device and forwards its callbacks to Rust (rust/netdev.rs). It makes no
 * decisions: every check, errno and hardware effect is in Rust. See Documentation/rigb.rst.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <net/netdev_queues.h>

#include "rigb_netdev.h"

struct rigb_netdev_priv {
	const void *pf;
	struct rigb_vf_ops ops;
	struct rigb_net_ops net_ops;
	const char *version;
	struct napi_struct napi;
};

static struct rigb_netdev_priv *rigb_priv(struct net_device *dev)
{
	return netdev_priv(dev);
}

struct napi_struct *rigb_netdev_napi(struct net_device *dev)
{
	return &rigb_priv(dev)->napi;
}

static int rigb_open(struct net_device *dev)
{
	return rigb_priv(dev)->net_ops.open(rigb_priv(dev)->pf, dev);
}

static int rigb_stop(struct net_device *dev)
{
	rigb_priv(dev)->net_ops.stop(rigb_priv(dev)->pf, dev);
	return 0;
}

static netdev_tx_t rigb_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	return rigb_priv(dev)->net_ops.xmit(rigb_priv(dev)->pf, dev, skb);
}

static int rigb_poll(struct napi_struct *napi, int budget)
{
	struct rigb_netdev_priv *priv = container_of(napi, struct rigb_netdev_priv, napi);

	return priv->net_ops.poll(priv->pf, napi->dev, budget);
}

/* Rust validates @mtu and reprograms the device; the new value is stored here on success. */
static int rigb_change_mtu(struct net_device *dev, int mtu)
{
	int err = rigb_priv(dev)->net_ops.change_mtu(rigb_priv(dev)->pf, dev, mtu);

	if (!err)
		WRITE_ONCE(dev->mtu, mtu);
	return err;
}

static void rigb_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	struct rigb_net_stats st = {};

	rigb_priv(dev)->net_ops.get_stats(rigb_priv(dev)->pf, &st);
	s->rx_packets = st.rx_packets;
	s->rx_bytes = st.rx_bytes;
	s->rx_dropped = st.rx_dropped;
	s->rx_errors = st.rx_errors;
	s->rx_crc_errors = st.rx_crc_errors;
	s->rx_length_errors = st.rx_length_errors;
	s->tx_packets = st.tx_packets;
	s->tx_bytes = st.tx_bytes;
	s->tx_dropped = st.tx_dropped;
}

static int rigb_set_vf_mac(struct net_device *dev, int vf, u8 *mac)
{
	return rigb_priv(dev)->ops.set_vf_mac(rigb_priv(dev)->pf, vf, mac);
}

static int rigb_set_vf_vlan(struct net_device *dev, int vf, u16 vlan, u8 qos, __be16 proto)
{
	return rigb_priv(dev)->ops.set_vf_vlan(rigb_priv(dev)->pf, vf, vlan, qos, ntohs(proto));
}

static int rigb_set_vf_rate(struct net_device *dev, int vf, int min_tx_rate, int max_tx_rate)
{
	return rigb_priv(dev)->ops.set_vf_rate(rigb_priv(dev)->pf, vf, min_tx_rate, max_tx_rate);
}

static int rigb_set_vf_spoofchk(struct net_device *dev, int vf, bool on)
{
	return rigb_priv(dev)->ops.set_vf_spoofchk(rigb_priv(dev)->pf, vf, on);
}

static int rigb_set_vf_trust(struct net_device *dev, int vf, bool on)
{
	return rigb_priv(dev)->ops.set_vf_trust(rigb_priv(dev)->pf, vf, on);
}

static int rigb_set_vf_link_state(struct net_device *dev, int vf, int state)
{
	return rigb_priv(dev)->ops.set_vf_link_state(rigb_priv(dev)->pf, vf, state);
}

static int rigb_get_vf_config(struct net_device *dev, int vf, struct ifla_vf_info *ivi)
{
	struct rigb_vf_info info = {};
	int err = rigb_priv(dev)->ops.get_vf_config(rigb_priv(dev)->pf, vf, &info);

	if (err)
		return err;
	ivi->vf = vf;
	ether_addr_copy(ivi->mac, info.mac);
	ivi->vlan = info.vlan;
	ivi->qos = info.qos;
	ivi->vlan_proto = htons(ETH_P_8021Q);
	ivi->spoofchk = info.spoofchk;
	ivi->trusted = info.trusted;
	ivi->linkstate = info.link_state;
	ivi->min_tx_rate = 0;
	ivi->max_tx_rate = info.max_tx_rate;
	return 0;
}

static int rigb_get_vf_stats(struct net_device *dev, int vf, struct ifla_vf_stats *vs)
{
	struct rigb_vf_stats stats = {};
	int err = rigb_priv(dev)->ops.get_vf_stats(rigb_priv(dev)->pf, vf, &stats);

	if (err)
		return err;
	vs->rx_packets = stats.rx_packets;
	vs->tx_packets = stats.tx_packets;
	vs->rx_bytes = stats.rx_bytes;
	vs->tx_bytes = stats.tx_bytes;
	vs->multicast = stats.multicast;
	vs->tx_dropped = stats.tx_dropped;
	return 0;
}

/* Called with the address lock held: Rust takes only spinlocks. */
static void rigb_set_rx_mode(struct net_device *dev)
{
	rigb_priv(dev)->net_ops.set_rx_mode(rigb_priv(dev)->pf, dev,
					    dev->flags & (IFF_ALLMULTI | IFF_PROMISC));
}

static const struct net_device_ops rigb_netdev_ops = {
	.ndo_open = rigb_open,
	.ndo_stop = rigb_stop,
	.ndo_start_xmit = rigb_start_xmit,
	.ndo_change_mtu = rigb_change_mtu,
	.ndo_get_stats64 = rigb_get_stats64,
	.ndo_set_rx_mode = rigb_set_rx_mode,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
	.ndo_set_vf_mac = rigb_set_vf_mac,
	.ndo_set_vf_vlan = rigb_set_vf_vlan,
	.ndo_set_vf_rate = rigb_set_vf_rate,
	.ndo_set_vf_spoofchk = rigb_set_vf_spoofchk,
	.ndo_set_vf_trust = rigb_set_vf_trust,
	.ndo_set_vf_link_state = rigb_set_vf_link_state,
	.ndo_get_vf_config = rigb_get_vf_config,
	.ndo_get_vf_stats = rigb_get_vf_stats,
};

/*
 * Per-queue statistics (netdev qstats): the interface has one queue pair, whose counters are
 * the interface's own (kept by Rust across the rings' lifetimes), so the base is zero.
 */
static void rigb_get_queue_stats_rx(struct net_device *dev, int idx,
				    struct netdev_queue_stats_rx *rx)
{
	struct rigb_net_stats st = {};

	rigb_priv(dev)->net_ops.get_stats(rigb_priv(dev)->pf, &st);
	rx->packets = st.rx_packets;
	rx->bytes = st.rx_bytes;
}

static void rigb_get_queue_stats_tx(struct net_device *dev, int idx,
				    struct netdev_queue_stats_tx *tx)
{
	struct rigb_net_stats st = {};

	rigb_priv(dev)->net_ops.get_stats(rigb_priv(dev)->pf, &st);
	tx->packets = st.tx_packets;
	tx->bytes = st.tx_bytes;
}

static void rigb_get_base_stats(struct net_device *dev, struct netdev_queue_stats_rx *rx,
				struct netdev_queue_stats_tx *tx)
{
	rx->packets = 0;
	rx->bytes = 0;
	tx->packets = 0;
	tx->bytes = 0;
}

static const struct netdev_stat_ops rigb_stat_ops = {
	.get_queue_stats_rx = rigb_get_queue_stats_rx,
	.get_queue_stats_tx = rigb_get_queue_stats_tx,
	.get_base_stats = rigb_get_base_stats,
};

static void rigb_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct rigb_netdev_priv *priv = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, priv->version, sizeof(info->version));
	strscpy(info->bus_info, dev_name(dev->dev.parent), sizeof(info->bus_info));
}

static void rigb_get_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct rigb_queue_info q = {};

	rigb_priv(dev)->net_ops.get_queues(rigb_priv(dev)->pf, &q);
	ring->rx_max_pending = q.rx_descs;
	ring->tx_max_pending = q.tx_descs;
	ring->rx_pending = q.rx_descs;
	ring->tx_pending = q.tx_descs;
}

/* The "other" vector (link, mailbox) is the one other channel. */
static void rigb_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct rigb_queue_info q = {};

	rigb_priv(dev)->net_ops.get_queues(rigb_priv(dev)->pf, &q);
	ch->max_combined = q.max_combined;
	ch->combined_count = q.combined;
	ch->max_other = 1;
	ch->other_count = 1;
}

static const struct ethtool_ops rigb_ethtool_ops = {
	.get_drvinfo = rigb_get_drvinfo,
	.get_ringparam = rigb_get_ringparam,
	.get_channels = rigb_get_channels,
	.get_link = ethtool_op_get_link,
};

/*
 * Allocates and registers the PF interface, its VF operations served by @ops and its own by
 * @net_ops, both with @pf; on success *out holds the net_device.
 */
int rigb_netdev_create(struct pci_dev *pdev, const void *pf, const struct rigb_vf_ops *ops,
		       const struct rigb_net_ops *net_ops, const u8 *mac, const char *version,
		       unsigned int max_mtu, struct net_device **out)
{
	struct rigb_netdev_priv *priv;
	struct net_device *dev;
	int err;

	dev = alloc_etherdev(sizeof(*priv));
	if (!dev)
		return -ENOMEM;
	SET_NETDEV_DEV(dev, &pdev->dev);
	priv = netdev_priv(dev);
	priv->pf = pf;
	priv->ops = *ops;
	priv->net_ops = *net_ops;
	priv->version = version;
	dev->netdev_ops = &rigb_netdev_ops;
	dev->ethtool_ops = &rigb_ethtool_ops;
	dev->stat_ops = &rigb_stat_ops;
	dev->max_mtu = max_mtu;
	dev->hw_features = NETIF_F_RXCSUM | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_SG |
			   NETIF_F_TSO | NETIF_F_TSO6;
	dev->features = dev->hw_features;
	netif_napi_add(dev, &priv->napi, rigb_poll);
	eth_hw_addr_set(dev, mac);
	netif_carrier_off(dev);
	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		return err;
	}
	*out = dev;
	return 0;
}

void rigb_netdev_destroy(struct net_device *dev)
{
	unregister_netdev(dev);
	free_netdev(dev);
}

void rigb_netdev_set_carrier(struct net_device *dev, bool on)
{
	if (on)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
}
