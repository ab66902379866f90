// The deployment examples stay valid: every pipeline embedded in deploy/kubernetes/sluice.yaml and in the ECS
// task definitions passes `sluice check`, the ECS worker needs no disk, and the ECS scaling policy tracks the
// metric the lag sidecar publishes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { startSluice } from '../support/sluice.js';
import { emfRecord } from '../../src/cli/stream.js';

const ENV = { NATS_URL: 'nats://127.0.0.1:4222', HTTP_USER: 'u', HTTP_PASSWORD: 'p', ES_URL: 'https://127.0.0.1:9200', ES_API_KEY: 'id:key' };

async function check(config: string): Promise<void> {
  const p = startSluice(['check', '-e', config], { env: ENV });
  const code = await p.exited;
  assert.equal(code, 0, `${p.stdout()}${p.stderr()}\n${config}`);
}

/** The `name: |` block scalars of the ConfigMap (indented by four spaces). */
function configMapFiles(yaml: string): Map<string, string> {
  const files = new Map<string, string>();
  const re = /^ {2}([\w.-]+): \|\n((?:(?: {4}.*)?\n)+)/gm;
  for (const m of yaml.matchAll(re)) files.set(m[1]!, m[2]!.replace(/^ {4}/gm, ''));
  return files;
}

test('deploy/kubernetes/sluice.yaml: the front and worker pipelines pass sluice check', async () => {
  const files = configMapFiles(readFileSync(join(repoRoot, 'deploy', 'kubernetes', 'sluice.yaml'), 'utf8'));
  for (const name of ['front.conf', 'worker.conf']) {
    assert.ok(files.has(name), `${name} in the ConfigMap`);
    await check(files.get(name)!);
  }
  // Both tiers create the stream with the same settings, whichever starts first.
  for (const name of ['front.conf', 'worker.conf']) assert.match(files.get(name)!, /replicas => 3/, name);
});

interface ContainerDefinition {
  name: string;
  essential?: boolean;
  command: string[];
  readonlyRootFilesystem?: boolean;
  mountPoints?: unknown[];
  secrets?: Array<{ name: string; valueFrom: string }>;
  environment?: Array<{ name: string; value: string }>;
  logConfiguration?: { logDriver: string };
}
interface TaskDefinition {
  requiresCompatibilities: string[];
  networkMode: string;
  volumes?: unknown[];
  containerDefinitions: ContainerDefinition[];
}

const ecs = (file: string) => JSON.parse(readFileSync(join(repoRoot, 'deploy', 'ecs', file), 'utf8')) as TaskDefinition;

test('deploy/ecs task definitions: Fargate, pipelines pass sluice check, secrets from SSM/Secrets Manager, worker without disk', async () => {
  for (const file of ['front-task-definition.json', 'worker-task-definition.json']) {
    const td = ecs(file);
    assert.deepEqual(td.requiresCompatibilities, ['FARGATE'], file);
    assert.equal(td.networkMode, 'awsvpc', file);
    const sluice = td.containerDefinitions.find((c) => c.name === 'sluice')!;
    assert.equal(sluice.command[0], 'run');
    assert.equal(sluice.command[1], '-e');
    await check(sluice.command[2]!);
    for (const c of td.containerDefinitions) {
      for (const s of c.secrets ?? []) assert.match(s.valueFrom, /^arn:aws:(ssm|secretsmanager):/, `${file} ${c.name} ${s.name}`);
      assert.equal(c.logConfiguration?.logDriver, 'awslogs');
      // No secret as a plain environment value.
      for (const e of c.environment ?? []) assert.doesNotMatch(e.name, /PASSWORD|KEY|TOKEN|SECRET/, `${file}: ${e.name} belongs in secrets`);
    }
  }
  const worker = ecs('worker-task-definition.json');
  assert.ok(!worker.volumes || worker.volumes.length === 0, 'the worker task has no volumes');
  for (const c of worker.containerDefinitions) {
    assert.equal(c.readonlyRootFilesystem, true, `${c.name}: read-only root file system`);
    assert.ok(!c.mountPoints || c.mountPoints.length === 0, `${c.name}: no mount points`);
  }
  assert.ok(worker.containerDefinitions.find((c) => c.name === 'sluice')!.secrets!.some((s) => s.name === 'ES_API_KEY'));
});

test('deploy/ecs: the scaling policy tracks the metric the lag sidecar publishes (namespace, name, dimensions)', () => {
  const worker = ecs('worker-task-definition.json');
  const sidecar = worker.containerDefinitions.find((c) => c.name === 'lag-metrics')!;
  assert.equal(sidecar.essential, false, 'the worker keeps running when the metrics sidecar stops');
  const args = sidecar.command;
  const opt = (name: string) => args[args.indexOf(name) + 1]!;
  assert.deepEqual(args.slice(0, 2), ['stream', 'status']);
  assert.equal(opt('--format'), 'emf');
  assert.ok(Number(opt('--interval')) > 0);
  const dimensions: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === '--dimension') {
      const [k, v] = args[i + 1]!.split('=');
      dimensions[k!] = v!;
    }
  });
  const record = emfRecord({ stream: opt('--stream'), consumer: opt('--consumer'), messages: 0, bytes: 0, pending: 0, ack_pending: 0, redelivered: 0 }, opt('--namespace'), dimensions) as {
    _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  } & Record<string, unknown>;
  const directive = record._aws.CloudWatchMetrics[0]!;
  const policy = JSON.parse(readFileSync(join(repoRoot, 'deploy', 'ecs', 'scaling-policy.json'), 'utf8')) as {
    TargetValue: number;
    CustomizedMetricSpecification: { Metrics: Array<{ Id: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } }; Expression?: string; ReturnData?: boolean }> };
  };
  assert.ok(policy.TargetValue > 0);
  const lag = policy.CustomizedMetricSpecification.Metrics.find((m) => m.MetricStat?.Metric.Namespace === directive.Namespace)!;
  assert.ok(lag, `a metric in namespace ${directive.Namespace}`);
  assert.ok(directive.Metrics.some((m) => m.Name === lag.MetricStat!.Metric.MetricName), `the sidecar publishes ${lag.MetricStat!.Metric.MetricName}`);
  // CloudWatch matches a metric by its exact dimension set: the policy names the same dimensions and values.
  const policyDims = Object.fromEntries(lag.MetricStat!.Metric.Dimensions.map((d) => [d.Name, d.Value]));
  assert.deepEqual(Object.keys(policyDims).sort(), [...directive.Dimensions[0]!].sort());
  for (const [k, v] of Object.entries(policyDims)) assert.equal(record[k], v, `dimension ${k}`);
  assert.equal(policy.CustomizedMetricSpecification.Metrics.filter((m) => m.ReturnData !== false).length, 1, 'one returned time series');
});
