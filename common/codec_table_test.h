/*
 * codec_table_test.h: a protocol table with an argument of every type,
 * for codec_test.c and codec_fuzz.c.
 */
#ifndef LGR_CODEC_TABLE_TEST_H
#define LGR_CODEC_TABLE_TEST_H

#include <stddef.h>

#include "codec.h"

enum t_req { T_READ, T_MOVE, T_PEERS, T_NREQ };

struct t_request {
	int		 type;
	char		 guest[MSG_NAME_MAX];
	char		 note[8];
	uint64_t	 limit;
	bool		 now;
	int		 how;
	char		 peers[3][MSG_NAME_MAX];
	size_t		 npeers;
	bool		 peers_given;
};

static const char *const t_how[] = { "pages", "full", NULL };

static const struct codec_arg t_args_move[] = {
	CODEC_NAME_ARG("guest", struct t_request, guest, true),
	CODEC_STR_ARG("note", struct t_request, note, false),
	CODEC_U64_ARG("limit", struct t_request, limit, false, 1, 100),
	CODEC_BOOL_ARG("now", struct t_request, now),
	CODEC_CHOICE_ARG("how", struct t_request, how, t_how),
	CODEC_END,
};

static const struct codec_arg t_args_peers[] = {
	CODEC_NAMES_ARG("peers", struct t_request, peers, npeers, peers_given),
	CODEC_END,
};

static const struct codec_req t_reqs[T_NREQ] = {
	[T_READ] = { "read", false, NULL },
	[T_MOVE] = { "move", true, t_args_move },
	[T_PEERS] = { "peers", true, t_args_peers },
};

static const struct codec t_codec = {
	.proto = "test",
	.reqs = t_reqs,
	.nreqs = T_NREQ,
	.size = sizeof(struct t_request),
	.type_off = offsetof(struct t_request, type),
};

#endif
