/*
 * report.c: the report of a job, from the journal: the job's row and
 * its moves, as JSON (lgrctl report -j) and as text, the text also
 * written to LABDIR/reports/WORKLOAD-YYYYmmdd-HHMMSS.log at the end.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

struct json_object *
report_json(sqlite3 *db, int64_t job)
{
	struct json_object	*rep, *row, *moves;

	if ((row = journal_job_json(db, job)) == NULL)
		return NULL;
	moves = journal_moves_json(db, job);
	rep = json_object_new_object();
	json_object_object_add(rep, "job", row);
	json_object_object_add(rep, "moves", moves ? moves :
	    json_object_new_array());
	return rep;
}

/* The report file's name, in j->report ("" when its directory can't be
 * made): LABDIR/reports/WORKLOAD-YYYYmmdd-HHMMSS-JOB.log. */
int
report_name(struct lgrd *d, struct job *j)
{
	char	dir[PATH_MAX - 128], stamp[32];
	time_t	now = time(NULL);

	j->report[0] = '\0';
	snprintf(dir, sizeof(dir), "%.*s/reports", (int)sizeof(dir) - 16,
	    d->opts.labdir);
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		log_warn("[LGR-REPORT] %s", dir);
		return -1;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(j->report, sizeof(j->report), "%s/%s-%s-%jd.log", dir,
	    j->workload, stamp, (intmax_t)j->id);
	return 0;
}

/* The report of an ended job (journal_job_end first: the file shows its
 * final state and counts) to j->report. */
int
report_write(struct lgrd *d, struct job *j)
{
	struct json_object	*rep;
	FILE			*f;

	if (j->report[0] == '\0' || (rep = report_json(d->db, j->id)) == NULL)
		return -1;
	if ((f = fopen(j->report, "w")) == NULL) {
		log_warn("[LGR-REPORT] %s", j->report);
		json_object_put(rep);
		return -1;
	}
	lgrd_report_print(rep, f);
	fclose(f);
	json_object_put(rep);
	return 0;
}
