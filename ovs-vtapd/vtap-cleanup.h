/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* vtap-cleanup.h: what "ovs-appctl -t ovs-vtapd exit --cleanup" removes
 * before ovs-vtapd exits: every Open_vSwitch row that ovs-vtapd made
 * (mirror bridges with their flows, patch and VXLAN ports, Mirror rows)
 * and this host's Realization rows in the VTAP database.  The rows of
 * other clients and the user's VTAP rows stay. */

#ifndef OVS_VTAPD_VTAP_CLEANUP_H
#define OVS_VTAPD_VTAP_CLEANUP_H 1

#include <stdbool.h>

struct ovsdb_idl;
struct ovsdb_idl_txn;

bool vtap_cleanup_ovs(struct ovsdb_idl_txn *, const struct ovsdb_idl *);
bool vtap_cleanup_realizations(struct ovsdb_idl_txn *,
                               const struct ovsdb_idl *, const char *host);

#endif /* vtap-cleanup.h */
