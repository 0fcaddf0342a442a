/*
 * eligibility_test.c: every eligibility conflict on its own.  Each case
 * changes one condition of an eligible relocation and expects exactly
 * that conflict.  Then every combination of them, in every state the
 * guest can be in: each conflict is listed whatever else applies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hvd.h"

static struct hv_guestdef	guest;

static void
base(struct elig_input *in)
{
	memset(&guest, 0, sizeof(guest));
	strcpy(guest.name, "LITDCON1");
	strcpy(guest.group, "LIT");
	guest.memory_mib = 256;
	strcpy(guest.domain[0], "VM2");
	strcpy(guest.domain[1], "VM9");
	guest.ndomain = 2;
	guest.nnics = 3;
	strcpy(guest.nics[0].name, "trk1");
	strcpy(guest.nics[1].name, "hsi0");
	guest.nics[1].hsi = true;
	guest.nics[1].member = 0;
	strcpy(guest.nics[2].name, "hsi1");
	guest.nics[2].hsi = true;
	guest.nics[2].member = 1;

	memset(in, 0, sizeof(*in));
	in->guest = &guest;
	in->guest_state = "RUNNING";
	strcpy(in->src.name, "VM9");
	in->src.known = true;
	in->src.state = MEMBER_JOINED;
	in->src.memory_mib = 8192;
	in->src.max_out = in->src.max_in = 2;
	strcpy(in->dst.name, "VM2");
	in->dst.known = true;
	in->dst.state = MEMBER_JOINED;
	in->dst.memory_mib = 8192;
	in->dst.used_mib = 1024;
	in->dst.max_out = in->dst.max_in = 2;
	in->dst_idx = 1;
}

static void	mk_no_target(struct elig_input *in) { in->dst.known = false; }
static void	mk_not_joined(struct elig_input *in)
		{ in->dst.state = MEMBER_JOINING; }
static void	mk_domain(struct elig_input *in)
		{ (void)in; strcpy(guest.domain[0], "VM4"); }
static void	mk_storage(struct elig_input *in)
		{ in->dst.used_mib = 8192 - 255; }
static void	mk_no_device(struct elig_input *in)
		{ (void)in; guest.nics[2].member = 0; }
static void	mk_active(struct elig_input *in)
		{ strcpy(in->src.name, "VM2"); in->src.state = MEMBER_JOINED; }
static void	mk_busy(struct elig_input *in) { in->relocating = true; }
static void	mk_out_limit(struct elig_input *in) { in->src.active_out = 2; }
static void	mk_in_limit(struct elig_input *in) { in->dst.active_in = 2; }
static void	mk_multi(struct elig_input *in) { (void)in; guest.multi = true; }
static void	mk_not_running(struct elig_input *in)
		{ in->guest_state = "LOST"; }

static const struct {
	void			(*make)(struct elig_input *);
	enum hv_conflict	 code;
	const char		*text;
} cases[] = {
	{ mk_no_target, HV_CONFLICT_NO_TARGET, "VM2 is not a member" },
	{ mk_not_joined, HV_CONFLICT_NOT_JOINED, "target VM2 is JOINING" },
	{ mk_domain, HV_CONFLICT_DOMAIN, "outside guest LITDCON1's relocation "
	    "domain (group LIT)" },
	{ mk_storage, HV_CONFLICT_STORAGE, "target VM2 has 255 MiB free, guest "
	    "LITDCON1 needs 256 MiB" },
	{ mk_no_device, HV_CONFLICT_NO_DEVICE, "no HiperSockets NIC for member "
	    "VM2's LAN" },
	{ mk_active, HV_CONFLICT_ACTIVE, "already active on VM2" },
	{ mk_busy, HV_CONFLICT_BUSY, "already running" },
	{ mk_out_limit, HV_CONFLICT_OUT_LIMIT, "source VM9 already sends 2 "
	    "relocation(s) (limit 2)" },
	{ mk_in_limit, HV_CONFLICT_IN_LIMIT, "target VM2 already receives 2 "
	    "relocation(s) (limit 2)" },
	{ mk_multi, HV_CONFLICT_MULTI, "multi-member identity" },
	{ mk_not_running, HV_CONFLICT_NOT_RUNNING, "LITDCON1 is LOST on VM9" },
};

static void
test_eligible(void **state)
{
	struct elig_conflict	cf[HV_CONFLICT_MAX];
	struct elig_input	in;

	(void)state;
	base(&in);
	assert_int_equal(elig_check(&in, cf, HV_CONFLICT_MAX), 0);
}

static void
test_each_conflict(void **state)
{
	struct elig_conflict	cf[HV_CONFLICT_MAX];
	struct elig_input	in;
	size_t			i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		base(&in);
		cases[i].make(&in);
		n = elig_check(&in, cf, HV_CONFLICT_MAX);
		if (n != 1 || cf[0].code != cases[i].code)
			fail_msg("case %s: %zu conflicts, first %s",
			    hv_conflict_name(cases[i].code), n,
			    n ? hv_conflict_name(cf[0].code) : "-");
		if (strstr(cf[0].text, cases[i].text) == NULL)
			fail_msg("case %s: \"%s\" lacks \"%s\"",
			    hv_conflict_name(cases[i].code), cf[0].text,
			    cases[i].text);
	}
}

static void
test_every_conflict_reported(void **state)
{
	struct elig_conflict	cf[HV_CONFLICT_MAX];
	struct elig_input	in;

	(void)state;
	base(&in);
	mk_not_joined(&in);
	mk_domain(&in);
	mk_storage(&in);
	mk_busy(&in);
	mk_multi(&in);
	assert_int_equal(elig_check(&in, cf, HV_CONFLICT_MAX), 5);
}

/* The states a residency row can hold (member.c, relocate.c). */
static const char *const guest_states[] = { "RUNNING", "RELOCATING",
    "STOPPED", "LOST" };

/* Conflicts not evaluated when the target is not a member at all. */
static bool
target_side(enum ctl_conflict code)
{
	return code == CONFLICT_NOT_JOINED || code == CONFLICT_DOMAIN ||
	    code == CONFLICT_STORAGE || code == CONFLICT_NO_DEVICE ||
	    code == CONFLICT_IN_LIMIT;
}

/* The conflicts of the cases in mask (NOT_RUNNING's case left out: the
 * guest's state stands for it) with the guest in state st. */
static unsigned
expected_codes(unsigned mask, const char *st)
{
	unsigned	want = 0;
	bool		unknown = mask & 1u;	/* cases[0]: NO_TARGET */
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((mask & (1u << i)) && !(unknown && target_side(
		    cases[i].code)))
			want |= 1u << cases[i].code;
	if (strcmp(st, "RUNNING") != 0)
		want |= 1u << CONFLICT_NOT_RUNNING;
	return want;
}

static void
test_combinations_every_state(void **state)
{
	struct elig_conflict	cf[CONFLICT_MAX];
	struct elig_input	in;
	const size_t		ncases = sizeof(cases) / sizeof(cases[0]);
	unsigned		mask, got, want;
	size_t			s, i, n;

	(void)state;
	assert_int_equal(cases[0].code, CONFLICT_NO_TARGET);
	assert_int_equal(cases[ncases - 1].code, CONFLICT_NOT_RUNNING);
	for (s = 0; s < sizeof(guest_states) / sizeof(guest_states[0]); s++)
		for (mask = 0; mask < 1u << (ncases - 1); mask++) {
			base(&in);
			in.guest_state = guest_states[s];
			for (i = 0; i < ncases - 1; i++)
				if (mask & (1u << i))
					cases[i].make(&in);
			n = elig_check(&in, cf, CONFLICT_MAX);
			for (got = 0, i = 0; i < n; i++) {
				if (got & (1u << cf[i].code))
					fail_msg("%s, cases %#x: %s twice",
					    guest_states[s], mask,
					    ctl_conflict_name(cf[i].code));
				got |= 1u << cf[i].code;
				if (cf[i].code == CONFLICT_NOT_RUNNING &&
				    strstr(cf[i].text, guest_states[s]) == NULL)
					fail_msg("%s: \"%s\" lacks the state",
					    guest_states[s], cf[i].text);
			}
			want = expected_codes(mask, guest_states[s]);
			if (got != want)
				for (i = 1; i < CONFLICT_MAX; i++)
					if ((got ^ want) & (1u << i))
						fail_msg("%s, cases %#x: %s %s",
						    guest_states[s], mask,
						    ctl_conflict_name(
						    (enum ctl_conflict)i),
						    want & (1u << i) ?
						    "missing" : "unexpected");
		}
}

/* A guest that fills the target's free memory exactly fits. */
static void
test_storage_exact_fit(void **state)
{
	struct elig_conflict	cf[CONFLICT_MAX];
	struct elig_input	in;

	(void)state;
	base(&in);
	in.dst.used_mib = 8192 - 256;
	assert_int_equal(elig_check(&in, cf, CONFLICT_MAX), 0);
	in.dst.used_mib++;
	assert_int_equal(elig_check(&in, cf, CONFLICT_MAX), 1);
	assert_int_equal(cf[0].code, CONFLICT_STORAGE);
}

static void
test_force(void **state)
{
	struct elig_conflict	cf[HV_CONFLICT_MAX];
	struct elig_input	in;

	(void)state;
	base(&in);
	mk_domain(&in);
	mk_storage(&in);
	in.force = HV_FORCE_DOMAIN;
	assert_int_equal(elig_check(&in, cf, HV_CONFLICT_MAX), 1);
	assert_int_equal(cf[0].code, HV_CONFLICT_STORAGE);
	in.force |= HV_FORCE_STORAGE;
	assert_int_equal(elig_check(&in, cf, HV_CONFLICT_MAX), 0);
}

static void
test_vswitch_only(void **state)
{
	struct elig_conflict	cf[HV_CONFLICT_MAX];
	struct elig_input	in;

	(void)state;
	base(&in);
	guest.nnics = 1;	/* trk1 only: any member has it */
	in.dst_idx = 5;
	assert_int_equal(elig_check(&in, cf, HV_CONFLICT_MAX), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligible),
		cmocka_unit_test(test_each_conflict),
		cmocka_unit_test(test_every_conflict_reported),
		cmocka_unit_test(test_combinations_every_state),
		cmocka_unit_test(test_storage_exact_fit),
		cmocka_unit_test(test_force),
		cmocka_unit_test(test_vswitch_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
