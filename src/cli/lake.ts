// The data-lake commands: `sluice query`, `sluice replay` and the lake part of `sluice retention`. What they do
// is in cli/lake_actions.ts, loaded only when one of them runs.

import type { Command } from 'commander';
import { join } from 'node:path';

const actions = () => import('./lake_actions.js');

/** The lake `sluice run` writes with the bundled examples: `<path.data>/lake`. */
export function defaultLake(): string {
  return join(process.env.SLUICE_DATA ?? 'sluice-data', 'lake');
}

function s3Flags(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', 'S3-compatible endpoint (default: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
    .option('--region <region>', 'S3 region (default: AWS_REGION)')
    .option('--force-path-style', 'path-style bucket addressing (most S3-compatible servers)');
}

export function addLakeCommands(program: Command, opts: { retention: boolean }): void {
  s3Flags(
    program
      .command('query')
      .description('run SQL over the data lake\'s Parquet files (DuckDB); each type is a view: SELECT count(*) FROM firewall')
      .argument('<sql>', 'the SQL to run')
      .option('--lake <url>', 'lake: s3://bucket/prefix, file:///dir or a path (default: <path.data>/lake, i.e. sluice-data/lake)')
      .option('--format <format>', 'table, json or csv', 'table'),
  ).action(async (sql: string, o: Record<string, unknown>) => {
    const lake = (o.lake as string | undefined) ?? defaultLake();
    await (await actions()).query(sql, lake, o);
  });

  s3Flags(
    program
      .command('replay')
      .description('run the raw archive of a time range through a pipeline (its input replaced by the lake)')
      .requiredOption('--from <url>', 'the lake: s3://bucket/prefix, file:///dir or a path')
      .requiredOption('--type <type...>', 'partition types to replay, e.g. firewall')
      .option('--since <time>', 'start (ISO 8601, or 2h / 7d ago); hour partitions overlapping the range are read')
      .option('--until <time>', 'end, exclusive (ISO 8601, or 2h / 7d ago)')
      .requiredOption('--pipeline <file>', 'pipeline config whose filters and outputs the events go through')
      .option('--to <outputs>', 'outputs to use instead of the config\'s, in config syntax: \'file { path => "forensic.jsonl" }\'')
      .option('--shard <i/n>', 'replay only shard i of n (objects split by key hash): run n processes side by side without overlap', '0/1')
      .option('-w, --workers <n>', 'worker threads of the pipeline', (v) => Number(v))
      .option('--log.level <level>', 'log level', 'warn'),
  ).action(async (o: Record<string, unknown>) => {
    process.exitCode = await (await actions()).replay(o);
  });

  if (opts.retention) {
    program
      .command('retention')
      .description('delete data older than the configured ages: lake partitions (a `lake:` section in the YAML file)')
      .requiredOption('--config <file>', 'YAML file: lake: { url: sluice-data/lake, max_age_days: 365 }')
      .option('--dry-run', 'print what would be deleted, delete nothing')
      .action(async (o: { config: string; dryRun?: boolean }) => {
        await (await actions()).lakeRetention(o);
      });
  }
}
