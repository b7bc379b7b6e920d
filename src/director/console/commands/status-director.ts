/**
 * One idea: `status director` — the configuration in brief, the daemon's status
 * file (is its process alive, when did it last tick) and the jobs running now.
 */
import { JobHistory } from '../../history/store.js';
import { isAlive, readDirectorStatus } from '../../spool/director-status.js';
import type { CommandSpec } from './spec.js';
import { JOB_HEADERS, jobJson, jobRow, table } from '../render.js';
import type { JsonObject } from '../schema.js';

export const statusDirector: CommandSpec = {
  name: 'status director',
  keywords: ['status', 'director'],
  acl: 'status',
  usage: 'status director',
  summary: 'the director: configuration, daemon process, last tick, running jobs',
  values: [],
  flags: [],
  async run(ctx) {
    const d = ctx.config.director;
    const st = await readDirectorStatus(ctx.varDirectory);
    const alive = st ? isAlive(st.pid) : false;
    const { records, problems } = await new JobHistory(ctx.varDirectory).list();
    const running = records.filter((r) => r.status === 'running' && ctx.access.sees(r));
    const visibleJobs = [...ctx.config.jobs.values()].filter((j) => ctx.access.seesJobResource(j));
    const visibleClients = [...ctx.config.clients.keys()].filter((c) => ctx.access.allowsClient(c)).length;
    const daemon: JsonObject | null = st
      ? { pid: st.pid, alive, mode: st.mode, started: st.started, lastTick: st.lastTick ?? null, version: st.version }
      : null;
    const body: JsonObject = {
      director: {
        name: d.name,
        configFile: ctx.config.file,
        varDirectory: ctx.varDirectory,
        timeZone: ctx.timeZone,
        maxConcurrentJobs: d.maxConcurrentJobs,
        clients: visibleClients,
        jobs: visibleJobs.length,
        schedules: ctx.config.schedules.size,
        tapeServers: ctx.config.tapeServers.size,
      },
      daemon,
      running: running.map(jobJson),
      problems: problems.map((p) => p.message),
    };
    let text = `Director "${d.name}" (${ctx.config.file})\n`;
    text += `  var directory: ${ctx.varDirectory}\n  time zone: ${ctx.timeZone}\n`;
    text += `  ${visibleJobs.length} job(s), ${visibleClients} client(s), ${ctx.config.schedules.size} schedule(s), ${ctx.config.tapeServers.size} tape server(s); at most ${d.maxConcurrentJobs} job(s) at once\n`;
    if (!st) text += 'Daemon: no director.status (the director has not run on this var directory)\n';
    else {
      text += `Daemon: pid ${st.pid} ${alive ? 'running' : 'NOT running'} (mode ${st.mode}, started ${st.started}, ${st.version || 'unknown version'})\n`;
      text += `  last tick: ${st.lastTick ?? 'none yet'}\n`;
    }
    text += running.length === 0 ? 'Running jobs: none\n' : `Running jobs:\n${table(JOB_HEADERS, running.map(jobRow))}`;
    for (const p of problems) text += `warning: ${p.message}\n`;
    return { body, text };
  },
};
