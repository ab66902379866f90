// The http input inside a real pipeline whose file output is blocked (a FIFO nobody reads): clients get no
// answer while their events are not delivered, extra requests get 429 instead of piling up in memory, and
// once the output moves, exactly the accepted requests' events come out and their clients get 200.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, constants as fsConstants } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { waitFor } from './fake_sink.js';
import { send, type Answer } from '../support/http-request.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('http in a pipeline with a blocked output: no answer before delivery, 429 beyond the bound, then 200 for exactly what was written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-http-blocked-'));
  const fifo = join(dir, 'out.fifo');
  execFileSync('mkfifo', [fifo]);
  const port = await freePort();
  const agent = new Agent(
    {
      configString: `input { http { host => "127.0.0.1" port => ${port} max_pending_requests => 2 } } output { file { path => "${fifo}" } }`,
      pathData: join(dir, 'data'),
      workers: 1,
      batchSize: 10,
    },
    await loadRegistry(),
    createLogger('test'),
  );
  await agent.start();
  const answers = new Map<string, Answer>();
  const requests: Promise<void>[] = [];
  const post = (msg: string) => requests.push(send({ port, body: msg }).then((a) => void answers.set(msg, a)));
  let reader: ReturnType<typeof spawn> | undefined;
  try {
    post('first');
    await waitFor(() => agent.stats()[0]!.in === 1, 'the first event to be decoded');
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    assert.equal(answers.size, 0, 'no answer while the output has not written the event');
    for (let i = 0; i < 30; i++) post(`more ${i}`);
    // The pipeline holds a few batches, two more requests wait for room, the rest are turned away.
    await waitFor(() => answers.size > 0 && [...answers.values()].every((a) => a.status === 429) && answers.size >= 30 - 6, 'the surplus requests to get 429');
    assert.ok([...answers.values()].every((a) => a.status === 429), 'nobody got a 200 before delivery');
    // Unblock the output.
    reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let written = '';
    reader.stdout!.on('data', (d: Buffer) => (written += d.toString()));
    await Promise.all(requests);
    const accepted = [...answers.entries()].filter(([, a]) => a.status === 200).map(([m]) => m);
    const refused = [...answers.entries()].filter(([, a]) => a.status === 429).map(([m]) => m);
    assert.equal(accepted.length + refused.length, 31);
    assert.ok(accepted.includes('first'));
    assert.ok(refused.length >= 20, `most surplus requests were refused (${refused.length})`);
    // Whole lines only: a pipe chunk may end inside a line.
    const wholeLines = (): string[] => written.split('\n').slice(0, -1).filter(Boolean);
    await waitFor(() => wholeLines().length >= accepted.length, 'the accepted events in the output');
    const messages = wholeLines().map((l) => JSON.parse(l).message as string);
    assert.deepEqual(messages.sort(), accepted.sort(), 'exactly the acknowledged requests were written');
  } finally {
    reader ??= spawn('cat', [fifo], { stdio: 'ignore' });
    await agent.stop();
    reader.kill();
    closeSync(openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK));
  }
});
