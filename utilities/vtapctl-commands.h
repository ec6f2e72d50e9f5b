/* vtapctl-commands.h: the VTAP-specific commands of ovs-vtapctl (targets,
 * capture filters and rules, VTAPs, show), registered with OVS's
 * db-ctl-base next to its generic database commands. */

#ifndef VTAPCTL_COMMANDS_H
#define VTAPCTL_COMMANDS_H 1

#include "db-ctl-base.h"

struct ovsdb_idl;

void vtapctl_register_commands(void);
void vtapctl_add_prerequisites(struct ovsdb_idl *);
const char *vtapctl_commands_usage(void);

#endif /* vtapctl-commands.h */
