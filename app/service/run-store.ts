/**
 * Runs on disk: `<dataDir>/runs/<runId>/` holds run.json (replaced atomically), steps.jsonl and
 * epochs.jsonl (appended) and checkpoint/ (written by the training worker). Only the service of
 * the process holding the data directory's writer lock writes run.json and the metric logs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EpochReport, RunDetail, RunInfo, StepReport } from '../contract';
import { dataDirLayout } from '../paths';

const MAX_POINTS = 2000;

export class RunStore {
  readonly root: string;
  /** Writes of each run's run.json, chained so they land in order and never share a temp file. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(dataDir: string) {
    this.root = dataDirLayout(dataDir).runs;
  }

  dir(runId: string): string {
    return path.join(this.root, runId);
  }

  newRunId(now = new Date()): string {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
    return `run-${stamp}-${randomBytes(3).toString('hex').slice(0, 4)}`;
  }

  save(run: RunInfo): Promise<void> {
    const dir = this.dir(run.id);
    const text = `${JSON.stringify(run, null, 2)}\n`;
    const write = async (): Promise<void> => {
      await mkdir(dir, { recursive: true });
      const temp = path.join(dir, `.run.json.${process.pid}.tmp`);
      await writeFile(temp, text);
      await rename(temp, path.join(dir, 'run.json'));
    };
    const next = (this.writes.get(run.id) ?? Promise.resolve()).then(write, write);
    this.writes.set(run.id, next);
    return next;
  }

  /** Resolves once every run.json write started so far (and during the wait) has landed. */
  async flush(): Promise<void> {
    for (;;) {
      const pending = [...this.writes.values()];
      await Promise.allSettled(pending);
      if ([...this.writes.values()].every((write) => pending.includes(write))) return;
    }
  }

  async load(runId: string): Promise<RunInfo | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dir(runId), 'run.json'), 'utf8')) as RunInfo;
    } catch {
      return null;
    }
  }

  async list(): Promise<RunInfo[]> {
    if (!existsSync(this.root)) return [];
    const runs: RunInfo[] = [];
    for (const name of await readdir(this.root)) {
      if (!name.startsWith('run-')) continue;
      const run = await this.load(name);
      if (run) runs.push(run);
    }
    return runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  async appendStep(report: StepReport): Promise<void> {
    const { runId: _runId, klPerDim: _kl, backend: _backend, ...row } = report;
    await appendFile(path.join(this.dir(report.runId), 'steps.jsonl'), `${JSON.stringify(row)}\n`);
  }

  async appendEpoch(report: EpochReport): Promise<void> {
    const { runId: _runId, samples: _samples, ...row } = report;
    await appendFile(path.join(this.dir(report.runId), 'epochs.jsonl'), `${JSON.stringify(row)}\n`);
  }

  async detail(run: RunInfo): Promise<RunDetail> {
    const steps = await readJsonl<RunDetail['steps'][number]>(
      path.join(this.dir(run.id), 'steps.jsonl'),
    );
    const epochs = await readJsonl<RunDetail['epochs'][number]>(
      path.join(this.dir(run.id), 'epochs.jsonl'),
    );
    // A resumed run logs some steps twice (after its last checkpoint): keep the latest of each.
    const byStep = new Map(steps.map((s) => [s.step, s]));
    const unique = [...byStep.values()].sort((a, b) => a.step - b.step);
    const stride = Math.max(1, Math.ceil(unique.length / MAX_POINTS));
    return {
      run,
      steps: unique.filter((_, i) => i % stride === 0 || i === unique.length - 1),
      epochs: [...new Map(epochs.map((e) => [e.epoch, e])).values()].sort(
        (a, b) => a.epoch - b.epoch,
      ),
    };
  }

  async remove(runId: string): Promise<void> {
    await rm(this.dir(runId), { recursive: true, force: true });
  }
}

async function readJsonl<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // A line torn by a crash is skipped; the rest of the log stays usable.
    }
  }
  return rows;
}
