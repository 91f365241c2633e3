// Run one benchmark job on aws-local-stepfunctions and print JSON figures on stdout.
//
// Usage: node peer_als.mjs JOB_FILE REPEAT WARMUP
// The job file is the same JSON the Python workers read (see workloads.py). Timing is in-process
// with performance.now() around `run(input).result`; the StateMachine is constructed (and its
// definition validated) once, outside the timed region, as a user would reuse it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
// The install lives in benchmarks/.peers (gitignored), not beside this script; load it from there.
const requireFromPeers = createRequire(path.join(here, '.peers', 'package.json'));
const { StateMachine } = requireFromPeers('aws-local-stepfunctions');

function peakRssKb() {
  // VmHWM is the same high-water mark the Python workers report.
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    if (line) return Number(line.split(/\s+/)[1]);
  } catch {
    // Not Linux: fall through to Node's own figure (also KiB).
  }
  return process.resourceUsage().maxRSS;
}

async function repetition(machine, job) {
  let total = 0;
  let problem = null;
  for (let i = 0; i < job.executions; i += 1) {
    const start = performance.now();
    let output;
    try {
      output = await machine.run(job.input).result;
    } catch (err) {
      // A failed execution rejects; record it like the Python workers record a FAILED status.
      problem ??= `failed: ${err?.name ?? err}`;
      continue;
    } finally {
      total += (performance.now() - start) / 1000;
    }
    if (problem === null && !sameJson(output, job.expected_output)) {
      problem = 'output differs from the expected output';
    }
  }
  return { total, problem };
}

function sameJson(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length
      && a.every((item, i) => sameJson(item, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length
      && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return a === b;
}

async function main() {
  const [jobFile, repeat, warmup] = process.argv.slice(2);
  const job = JSON.parse(readFileSync(jobFile, 'utf8'));
  const machine = new StateMachine(job.definition);
  for (let i = 0; i < Number(warmup); i += 1) await repetition(machine, job);
  const timed = [];
  for (let i = 0; i < Number(repeat); i += 1) timed.push(await repetition(machine, job));
  const problems = timed.map((t) => t.problem).filter((p) => p !== null);
  process.stdout.write(JSON.stringify({
    durations: timed.map((t) => t.total),
    problem: problems.length ? problems[0] : null,
    entered: null,
    peak_rss_kb: peakRssKb(),
  }) + '\n');
}

await main();
