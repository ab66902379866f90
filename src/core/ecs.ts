// ECS compatibility mode, as Logstash plugins select it: the plugin's `ecs_compatibility` option, else the
// pipeline-wide default (env SLUICE_ECS_COMPATIBILITY, Logstash's `pipeline.ecs_compatibility`), else `disabled`.
// `v8` behaves as `v1` for every plugin that has no v8-specific field names (as in Logstash).

import type { OptionSpec } from './plugin.js';

export type EcsMode = 'disabled' | 'v1';

export const ECS_COMPATIBILITY_OPTION: OptionSpec = {
  type: 'string',
  enum: ['disabled', 'v1', 'v8'],
  description:
    'Field names to use: `disabled` (legacy Logstash names) or `v1`/`v8` (Elastic Common Schema). ' +
    'Default: the environment variable SLUICE_ECS_COMPATIBILITY, else `disabled`.',
};

export function ecsMode(setting: unknown): EcsMode {
  const raw = typeof setting === 'string' && setting !== '' ? setting : process.env.SLUICE_ECS_COMPATIBILITY || 'disabled';
  if (raw === 'v1' || raw === 'v8') return 'v1';
  if (raw === 'disabled') return 'disabled';
  throw new Error(`ecs_compatibility: must be one of disabled, v1, v8, got ${JSON.stringify(raw)}`);
}
