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

/* vtap-names.c: the names of ovs-vtapd's rows (see vtap-names.h). */

#include <config.h>
#include "vtap-names.h"

#include <string.h>
#include "hash.h"
#include "smap.h"
#include "util.h"

/* Returns true if 'external_ids' marks a row as ovs-vtapd's. */
bool
vtap_is_owned(const struct smap *external_ids)
{
    const char *owner = smap_get(external_ids, VTAP_OWNER_KEY);

    return owner && !strcmp(owner, VTAP_OWNER);
}

/* Returns the key of the source that is 'port' of 'bridge' (NULL for a
 * bridge source), or VLAN 'vlan' of 'bridge' (-1 for none). */
char *
vtap_source_key(const char *bridge, const char *port, int vlan)
{
    return (port ? xasprintf("%s|%s", bridge, port)
            : vlan >= 0 ? xasprintf("%s|vlan%d", bridge, vlan)
            : xasprintf("%s|*", bridge));
}

/* Sets 'tag' to the tag of the source with 'source_key'. */
void
vtap_source_tag(const char *source_key, char tag[VTAP_TAG_SIZE])
{
    snprintf(tag, VTAP_TAG_SIZE, "%08"PRIx32, hash_string(source_key, 0));
}

/* Returns the name of the mirror bridge of 'src_bridge'. */
char *
vtap_mirror_bridge_name(const char *src_bridge)
{
    return (strlen(src_bridge) <= 10
            ? xasprintf("vtap-%s", src_bridge)
            : xasprintf("vtap-%08"PRIx32, hash_string(src_bridge, 0)));
}

/* Returns the name of the Mirror row of the source with 'tag', for its
 * egress if 'egress', else for its ingress (or its only one). */
char *
vtap_mirror_name(const char *tag, bool egress)
{
    return xasprintf("ovs-vtap-%c-%s", egress ? 'e' : 'i', tag);
}

/* Returns the name of the patch port of the source with 'tag' for one
 * direction: on the mirror bridge if 'mirror_side', else on the source
 * bridge (the output of the Mirror row). */
char *
vtap_patch_name(const char *tag, bool egress, bool mirror_side)
{
    return xasprintf("vt%c%c-%s", mirror_side ? 'm' : 'p', egress ? 'e' : 'i',
                     tag);
}

/* Returns the name of the VXLAN port of 'mirror_bridge' for 'udp_port'. */
char *
vtap_vxlan_port_name(const char *mirror_bridge, uint16_t udp_port)
{
    return xasprintf("vtx%"PRIu16"-%06"PRIx32, udp_port,
                     vtap_vxlan_in_key(mirror_bridge));
}

/* Returns the in_key of the VXLAN ports of 'mirror_bridge'. */
uint32_t
vtap_vxlan_in_key(const char *mirror_bridge)
{
    return hash_string(mirror_bridge, 0) & 0xffffff;
}

/* Returns the name of the VXLAN port of 'mirror_bridge' toward the pool
 * backend at IP address 'addr' on UDP port 'udp_port'. */
char *
vtap_backend_port_name(const char *mirror_bridge, uint16_t udp_port,
                       const char *addr)
{
    char *key = xasprintf("%s|%"PRIu16"|%s", mirror_bridge, udp_port, addr);
    char *name = xasprintf("vtb-%08"PRIx32, hash_string(key, 0));

    free(key);
    return name;
}
