// console.js: the console's pages.  Data comes from /api/ and changes
// arrive as Server-Sent Events on /api/stream; nothing polls.  Every text
// from the server goes into the page through textContent, never as HTML.
'use strict';

const lgr = { role: 'viewer', csrf: '', page: 'cluster', cluster: null,
	plan: null, progress: new Map(), jobs: new Map(), lastEvent: 0, lastAudit: 0 };

function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k === 'class') e.className = v;
		else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
		else e.setAttribute(k, v);
	}
	for (const k of kids)
		if (k !== null && k !== undefined)
			e.append(k instanceof Node ? k : String(k));
	return e;
}

function showError(text) {
	const p = document.getElementById('error');
	p.textContent = text;
	p.hidden = !text;
}

async function api(path, opts) {
	const r = await fetch(path, Object.assign({ credentials: 'same-origin' }, opts));
	const type = r.headers.get('Content-Type') || '';
	const body = type.startsWith('application/json') ? await r.json() : await r.text();
	if (!r.ok)
		throw new Error(r.status + ': ' + (typeof body === 'string' ? body.trim() : JSON.stringify(body)));
	return body;
}

function post(path, body) {
	return api(path, { method: 'POST', body: JSON.stringify(body || {}),
		headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': lgr.csrf } });
}

// A table of rows (objects) by columns [title, key or function, class].
function table(columns, rows, rowClass, onclick) {
	const head = el('tr', null, ...columns.map(c => el('th', null, c[0])));
	const body = rows.map(r => {
		const tr = el('tr', { class: rowClass ? rowClass(r) : '' },
			...columns.map(c => {
				const v = typeof c[1] === 'function' ? c[1](r) : r[c[1]];
				return el('td', { class: c[2] || '' }, v === undefined || v === null ? '' : v);
			}));
		if (onclick) {
			tr.classList.add('clickable');
			tr.addEventListener('click', () => onclick(r));
		}
		return tr;
	});
	return el('table', null, el('thead', null, head), el('tbody', null, ...body));
}

function fill(id, ...kids) {
	const e = document.getElementById(id);
	e.replaceChildren(...kids.filter(k => k !== null && k !== undefined));
}

const fmt = {
	ms: v => v === undefined || v === null ? '' : v < 1000 ? v + ' ms' : (v / 1000).toFixed(1) + ' s',
	mib: v => v === undefined || v === null ? '' : Number(v).toFixed(1),
	time: v => v ? new Date(typeof v === 'number' ? v * 1000 : v).toLocaleString() : '',
};

// -- Cluster --------------------------------------------------------------

function drawGuest(g) {
	// The state the guest's agent reports: up, down or unknown; red when
	// up on the LAN of another member than the one the guest runs on.
	const links = (g.hsi || []).map(l => el('span', {
		class: 'link ' + (['up', 'down'].includes(l.state) ? l.state : 'unknown') + (l.foreign ? ' foreign' : ''),
		title: l.ifname + ' on ' + l.lan + "'s HiperSockets LAN: " + l.state +
			(l.foreign ? ' while ' + g.name + ' runs on ' + g.member + ' (foreign LAN)' : ''),
	}, l.ifname));
	return el('div', { class: 'guest' + (g.moving ? ' moving' : ''), 'data-guest': g.name },
		el('div', { class: 'links' }, ...links),
		el('div', { class: 'name' }, g.name),
		el('div', { class: 'wl' }, (g.workload || '') + (g.moving ? ' · moving' : '')));
}

function drawMember(m, guests) {
	const meta = [m.state,
		m.lease_age_ms !== undefined ? 'lease ' + fmt.ms(m.lease_age_ms) : null,
		m.mem_total_mib ? 'mem ' + m.mem_used_mib + '/' + m.mem_total_mib + ' MiB' : null,
		'moves in ' + (m.moves_in || 0) + ' out ' + (m.moves_out || 0)].filter(Boolean).join(' · ');
	return el('div', { class: 'member' + (m.state === 'joined' ? '' : ' down'), 'data-member': m.name },
		el('h3', null, m.name, el('small', null, m.state)),
		el('div', { class: 'meta' }, meta),
		el('div', { class: 'lan hsi' }, 'HiperSockets ' + (m.lan || m.name)),
		el('div', { class: 'guests' }, ...guests.filter(g => g.member === m.name).map(drawGuest)));
}

async function loadCluster() {
	const c = await api('/api/cluster');
	lgr.cluster = c;
	const members = c.members || [], guests = c.guests || [];
	fill('members', ...members.map(m => drawMember(m, guests)));
	fillEvacChoices();
}

// -- Evacuate -------------------------------------------------------------

function fillEvacChoices() {
	const c = lgr.cluster;
	if (!c)
		return;
	const groups = [...new Set((c.guests || []).map(g => g.workload).filter(Boolean))];
	fill('workloads', ...['ALL', ...groups].map(w => el('option', { value: w })));
	for (const [id, first] of [['evac-from', 'where they run'], ['evac-to', 'lgrd chooses']]) {
		const s = document.getElementById(id), keep = s.value;
		s.replaceChildren(el('option', { value: '' }, first),
			...(c.members || []).map(m => el('option', { value: m.name }, m.name)));
		s.value = keep;
	}
}

function evacArgs() {
	const a = { workload: document.getElementById('evac-workload').value.trim() };
	const from = document.getElementById('evac-from').value;
	const to = document.getElementById('evac-to').value;
	const par = document.getElementById('evac-parallel').value;
	if (from) a.from = from;
	if (to) a.to = to;
	if (par) a.parallel = Number(par);
	return a;
}

async function planEvac(ev) {
	ev.preventDefault();
	const a = evacArgs();
	const q = new URLSearchParams(Object.entries(a).map(([k, v]) => [k, String(v)]));
	try {
		const p = await api('/api/plan?' + q);
		lgr.plan = a;
		const guests = p.guests || [];
		const waves = (p.waves || []).map((w, i) => el('li', null, 'wave ' + (i + 1) + ': ' + w.join(', ')));
		fill('plan', el('h3', null, 'Plan'),
			el('ol', { class: 'waves' }, ...waves),
			table([['guest', 'name'], ['from', 'from'], ['to', 'to'],
				['eligible', g => g.eligible ? 'yes' : 'no'],
				['conflicts', g => (g.conflicts || []).join('; ')]],
				guests, g => g.eligible ? '' : 'bad'),
			el('p', null, 'Predicted time: ' + fmt.ms(p.predicted_ms)));
		const start = document.getElementById('evac-start');
		if (start) {
			start.hidden = !guests.some(g => g.eligible);
			start.textContent = 'Confirm: evacuate ' + a.workload + (a.to ? ' to ' + a.to : '');
		}
		showError('');
	} catch (e) {
		showError(e.message);
	}
}

async function startEvac() {
	if (!lgr.plan)
		return;
	try {
		const r = await post('/api/evacuate', lgr.plan);
		document.getElementById('evac-start').hidden = true;
		lgr.jobs.set(r.job, 'RUNNING');
		drawProgress();
		showError('');
	} catch (e) {
		showError(e.message);
	}
}

async function cancel(what) {
	try {
		await post('/api/cancel', what);
	} catch (e) {
		showError(e.message);
	}
}

function drawProgress() {
	const rows = [...lgr.progress.values()];
	if (!rows.length) {
		fill('progress', el('p', { class: 'muted' }, 'No evacuation running.'));
		return;
	}
	// The buttons follow the job's state: only while it runs.
	const op = lgr.role === 'operator', runs = job => lgr.jobs.get(job) === 'RUNNING';
	const cols = [['job', 'job'], ['guest', 'guest'], ['phase', 'phase', 'phase'],
		['pass', 'pass', 'num'], ['MiB sent', p => fmt.mib(p.sent_mib), 'num'],
		['MiB left', p => fmt.mib(p.left_mib), 'num'], ['MiB/s', p => fmt.mib(p.rate_mibs), 'num'],
		['ETA', p => fmt.ms(p.eta_ms), 'num'], ['quiesce', p => fmt.ms(p.quiesce_ms), 'num'],
		['downtime', p => fmt.ms(p.downtime_ms), 'num'],
		['convergence', p => fmt.ms(p.convergence_ms), 'num'], ['routecheck', 'routecheck']];
	if (op)
		cols.push(['', p => !runs(p.job) || endPhase.test(p.phase || '') ? '' :
			el('button', { class: 'small danger', onclick: () => cancel({ guest: p.guest }) }, 'cancel')]);
	const jobs = [...new Set(rows.map(r => r.job))].filter(runs);
	fill('progress', table(cols, rows, p => /fail|cancel/i.test(p.phase || '') ? 'bad' : ''),
		...(op ? jobs.map(j => el('button', { class: 'danger', onclick: () => cancel({ job: j }) }, 'Cancel job ' + j)) : []));
}

// A move's last phase: its end code.
const endPhase = /^(done|failed|cancelled|not-moved|DONE|FAILED|CANCELLED|NOT-MOVED)$/;

function onProgress(p) {
	// A job's moves report only while it runs (its end comes as 'job').
	if (!lgr.jobs.has(p.job))
		lgr.jobs.set(p.job, 'RUNNING');
	lgr.progress.set(p.guest, Object.assign(lgr.progress.get(p.guest) || {}, p));
	drawProgress();
}

function onJob(j) {
	lgr.jobs.set(j.id, String(j.state || '').toUpperCase());
	drawProgress();
	if (lgr.page === 'history')
		loadJobs();
}

async function loadRunning() {
	const j = await api('/api/jobs');
	for (const job of j.jobs || [])
		lgr.jobs.set(job.id, String(job.state || '').toUpperCase());
	for (const job of (j.jobs || []).filter(x => lgr.jobs.get(x.id) === 'RUNNING')) {
		const rep = await api('/api/jobs/' + job.id);
		for (const m of rep.moves || [])
			if (!lgr.progress.has(m.guest))
				lgr.progress.set(m.guest, { job: job.id, guest: m.guest, phase: m.step || m.phase });
	}
	drawProgress();
}

// -- History --------------------------------------------------------------

async function loadJobs() {
	const j = await api('/api/jobs');
	fill('jobs', table([['job', 'id', 'num'], ['workload', 'workload'], ['state', 'state'],
		['started', r => fmt.time(r.started)], ['ended', r => fmt.time(r.ended)],
		['counts', r => Object.entries(r.counts || {}).map(([k, v]) => k + ' ' + v).join(', ')]],
		j.jobs || [], null, r => loadReport(r.id)));
}

async function loadReport(id) {
	try {
		const r = await api('/api/jobs/' + id);
		const moves = r.moves || [];
		const cols = moves.length ? Object.keys(moves[0]).map(k => [k, k]) : [];
		fill('report', el('h3', null, 'Report of job ' + id),
			r.text ? el('pre', null, r.text) : null, table(cols, moves));
	} catch (e) {
		showError(e.message);
	}
}

async function loadGuestHistory(ev) {
	if (ev)
		ev.preventDefault();
	const g = document.getElementById('hist-guest').value.trim();
	try {
		const h = await api('/api/history' + (g ? '?guest=' + encodeURIComponent(g) : ''));
		const moves = h.moves || [];
		const cols = moves.length ? Object.keys(moves[0]).map(k => [k, k]) : [];
		fill('guest-history', table(cols, moves));
	} catch (e) {
		showError(e.message);
	}
}

// -- Routing, events, audit -----------------------------------------------

async function loadRouting() {
	const r = await api('/api/routecheck');
	const routers = (r.routers || []).slice().sort((a, b) =>
		(b.violations || []).length - (a.violations || []).length || String(a.router).localeCompare(b.router));
	fill('routers', table([['router', 'router'], ['checked', r => fmt.time(r.checked)],
		['violations', r => (r.violations || []).length, 'num'],
		['details', r => (r.violations || []).join('; ')]],
		routers, r => (r.violations || []).length ? 'bad' : ''));
}

async function runRoutecheck() {
	try {
		await post('/api/routecheck/run', {});
		showError('');
	} catch (e) {
		showError(e.message);
	}
}

// Columns of the event and audit logs; what else a record holds goes
// into "details".
const logColumns = {
	events: [['id', 'id', 'num'], ['time', r => fmt.time(r.time)], ['type', 'type'],
		['guest', 'guest'], ['text', 'text']],
	audit: [['id', 'id', 'num'], ['time', r => fmt.time(r.time)], ['role', 'role'],
		['session', 'session'], ['action', 'action'], ['arguments', 'args'],
		['status', 'status', 'num'], ['result', 'result']],
};

function appendRows(id, rows) {
	const cols = logColumns[id];
	const shown = new Set(cols.map(c => typeof c[1] === 'string' ? c[1] : 'time'));
	const details = r => JSON.stringify(Object.fromEntries(
		Object.entries(r).filter(([k]) => !shown.has(k))));
	const all = cols.concat([['details', r => details(r) === '{}' ? '' : details(r)]]);
	const div = document.getElementById(id);
	let tbody = div.querySelector('tbody');
	if (!tbody) {
		div.replaceChildren(table(all, []));
		tbody = div.querySelector('tbody');
	}
	for (const r of rows) {
		const t = table(all, [r], x => /^[45]/.test(String(x.status || '')) ? 'bad' : '');
		tbody.prepend(t.querySelector('tbody tr'));
	}
}

async function loadSince(kind) {
	const key = kind === 'events' ? 'lastEvent' : 'lastAudit';
	const r = await api('/api/' + kind + '?since=' + lgr[key]);
	const rows = r[kind] || [];
	for (const x of rows)
		lgr[key] = Math.max(lgr[key], Number(x.id) || 0);
	appendRows(kind, rows);
}

function onSince(kind, x) {
	const key = kind === 'events' ? 'lastEvent' : 'lastAudit';
	if (Number(x.id) <= lgr[key])
		return;
	lgr[key] = Number(x.id);
	appendRows(kind, [x]);
}

// -- page and stream ------------------------------------------------------

const pages = {
	cluster: loadCluster,
	evacuate: () => Promise.all([loadCluster(), loadRunning()]),
	history: () => Promise.all([loadJobs(), loadGuestHistory()]),
	routing: loadRouting,
	events: () => loadSince('events'),
	audit: () => loadSince('audit'),
};

function reload() {
	(pages[lgr.page] || loadCluster)().catch(e => showError(e.message));
}

function openStream() {
	const es = new EventSource('/api/stream');
	const live = document.getElementById('live');
	es.onopen = () => { live.textContent = 'live'; live.className = 'badge on'; };
	es.onerror = () => { live.textContent = 'reconnecting'; live.className = 'badge off'; };
	const on = (type, fn) => es.addEventListener(type, m => {
		try { fn(JSON.parse(m.data)); } catch (e) { showError(type + ': ' + e.message); }
	});
	on('cluster', () => { if (lgr.page === 'cluster' || lgr.page === 'evacuate') loadCluster(); });
	on('progress', onProgress);
	on('job', onJob);
	on('routecheck', () => { if (lgr.page === 'routing') loadRouting(); });
	on('event', x => { if (lgr.page === 'events') onSince('events', x); });
	on('audit', x => { if (lgr.page === 'audit') onSince('audit', x); });
	on('resync', reload);
}

async function main() {
	lgr.page = location.pathname.replace(/^\//, '') || 'cluster';
	if (!pages[lgr.page])
		lgr.page = 'cluster';
	try {
		const s = await api('/api/session');
		lgr.role = s.role;
		lgr.csrf = s.csrf;
	} catch (e) {
		showError(e.message);
		return;
	}
	document.getElementById('role').textContent = lgr.role;
	if (lgr.role !== 'operator')
		document.querySelectorAll('[data-operator]').forEach(e => e.remove());
	if (lgr.page === 'audit' && lgr.role !== 'operator')
		lgr.page = 'cluster';
	const nav = document.getElementById('nav-' + lgr.page);
	if (nav)
		nav.classList.add('current');
	document.getElementById('page-' + lgr.page).hidden = false;
	document.getElementById('evac-form').addEventListener('submit', planEvac);
	document.getElementById('hist-form').addEventListener('submit', loadGuestHistory);
	const start = document.getElementById('evac-start');
	if (start)
		start.addEventListener('click', startEvac);
	const rc = document.getElementById('rc-run');
	if (rc)
		rc.addEventListener('click', runRoutecheck);
	openStream();
	reload();
}

document.addEventListener('DOMContentLoaded', main);
