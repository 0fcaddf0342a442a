/*
 * vty.c: "show lgr ..." on ospfd's own vty (telnet to ospfd's vty port;
 * vtysh's command list is fixed when vtysh is built, so it cannot reach
 * commands a module adds).  Same views as the control socket.
 */
#include "frr.h"

#include "lgr.h"

static const char *
vty_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		return "-";
	return json_object_get_string(v);
}

static void
vty_state_table(struct vty *vty, struct json_object *arr)
{
	struct json_object	*o, *nbrs;
	size_t			 i, n = json_object_array_length(arr);

	vty_out(vty, "%-12s %-18s %-9s %-14s %6s %4s %-8s %-15s %s\n",
	    "Interface", "Address", "Type", "State", "Cost", "Prio", "Drain",
	    "DR", "Nbrs");
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		json_object_object_get_ex(o, "neighbors", &nbrs);
		vty_out(vty, "%-12s %-18s %-9.9s %-14s %6s %4s %-8s %-15s %zu\n",
		    vty_str(o, "ifname"), vty_str(o, "address"),
		    vty_str(o, "type"), vty_str(o, "state"),
		    vty_str(o, "cost"), vty_str(o, "priority"),
		    vty_str(o, "drain"), vty_str(o, "dr"),
		    nbrs ? json_object_array_length(nbrs) : 0);
	}
}

static int
vty_show(struct vty *vty, struct json_object *(*view)(struct ospf *),
    bool json, void (*table)(struct vty *, struct json_object *))
{
	struct ospf		*ospf = lgr_ospf();
	struct json_object	*arr;

	if (ospf == NULL) {
		vty_out(vty, "%% no OSPF instance\n");
		return CMD_WARNING;
	}
	arr = view(ospf);
	if (json || table == NULL)
		vty_out(vty, "%s\n", json_object_to_json_string_ext(arr,
		    JSON_C_TO_STRING_PRETTY));
	else
		table(vty, arr);
	json_object_put(arr);
	return CMD_SUCCESS;
}

DEFUN(show_lgr_state, show_lgr_state_cmd, "show lgr [state] [json]",
    SHOW_STR
    "Drain plugin (ospfd_lgr)\n"
    "Interfaces, costs, drain state, neighbours\n"
    JSON_STR)
{
	return vty_show(vty, report_state, strmatch(argv[argc - 1]->text,
	    "json"), vty_state_table);
}

DEFUN(show_lgr_routes, show_lgr_routes_cmd, "show lgr routes",
    SHOW_STR
    "Drain plugin (ospfd_lgr)\n"
    "OSPF routing table (JSON)\n")
{
	(void)argc;
	(void)argv;
	return vty_show(vty, report_routes, true, NULL);
}

void
lgr_vty_init(void)
{
	install_element(VIEW_NODE, &show_lgr_state_cmd);
	install_element(VIEW_NODE, &show_lgr_routes_cmd);
}
