/*
 * Copyright (c) 2026 The ovs-vtap authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 * SPDX-License-Identifier: Apache-2.0
 */

/* vtap-names.h: the names of everything that ovs-vtapd makes in the
 * Open_vSwitch database, made here only, and the mark that says a row is
 * ovs-vtapd's.
 *
 * A source (a port, a bridge or one VLAN of a bridge) is known by its key,
 * and its rows by a tag of 8 hex digits hashed from the key:
 *
 *   - on the source bridge, the Mirror rows "ovs-vtap-i-TAG" (ingress, or
 *     the only one of a bridge or VLAN source) and "ovs-vtap-e-TAG"
 *     (egress), which output to the patch ports "vtpi-TAG" and "vtpe-TAG";
 *   - on the mirror bridge, their peers "vtmi-TAG" and "vtme-TAG".
 *
 * The mirror bridge of source bridge B is "vtap-B", or "vtap-HASH" for a
 * long name; its VXLAN port for UDP port P is "vtxP-HASH", with an in_key
 * of its own. */

#ifndef OVS_VTAPD_VTAP_NAMES_H
#define OVS_VTAPD_VTAP_NAMES_H 1

#include <stdbool.h>
#include <stdint.h>

struct smap;

/* Every row that ovs-vtapd makes carries external_ids:KEY=VALUE. */
#define VTAP_OWNER_KEY "ovs-vtap-owner"
#define VTAP_OWNER "ovs-vtapd"

/* The size of a source tag, with its null. */
#define VTAP_TAG_SIZE 9

bool vtap_is_owned(const struct smap *external_ids);

char *vtap_source_key(const char *bridge, const char *port, int vlan);
void vtap_source_tag(const char *source_key, char tag[VTAP_TAG_SIZE]);
char *vtap_mirror_bridge_name(const char *src_bridge);
char *vtap_mirror_name(const char *tag, bool egress);
char *vtap_patch_name(const char *tag, bool egress, bool mirror_side);
char *vtap_vxlan_port_name(const char *mirror_bridge, uint16_t udp_port);
uint32_t vtap_vxlan_in_key(const char *mirror_bridge);
char *vtap_backend_port_name(const char *mirror_bridge, uint16_t udp_port,
                             const char *addr);

#endif /* vtap-names.h */
