/*
 * frr.h: the FRR headers the module uses, in the order ospfd's own sources
 * include them (FRR's headers are not self-contained: ospf_neighbor.h needs
 * ospf_lsdb.h, ldp_sync.h needs if.h, ...).  Compiled with -include
 * config.h from the FRR tree of the installed version.
 */
#ifndef LGR_FRR_H
#define LGR_FRR_H

#include <zebra.h>

#include "lib/version.h"
#include "command.h"
#include "hook.h"
#include "if.h"
#include "libfrr.h"
#include "linklist.h"
#include "log.h"
#include "module.h"
#include "prefix.h"
#include "table.h"
#include "thread.h"
#include "vty.h"

#include "ospfd/ospfd.h"
#include "ospfd/ospf_asbr.h"
#include "ospfd/ospf_dump_api.h"
#include "ospfd/ospf_flood.h"
#include "ospfd/ospf_interface.h"
#include "ospfd/ospf_ism.h"
#include "ospfd/ospf_lsa.h"
#include "ospfd/ospf_lsdb.h"
#include "ospfd/ospf_neighbor.h"
#include "ospfd/ospf_nsm.h"
#include "ospfd/ospf_opaque.h"
#include "ospfd/ospf_packet.h"
#include "ospfd/ospf_route.h"

#endif
