// Options shared by the network inputs (tcp, udp, syslog) that are not about TLS.

import type { OptionSpec } from '../../core/plugin.js';

export const MAX_MESSAGE_SIZE_OPTION: OptionSpec = {
  type: 'bytes',
  default: '1 MiB',
  description:
    'Sluice: longest message kept whole. A longer one is cut to this size and tagged `_line_truncated` (the rest is skipped without being buffered) and counted in the input\'s stats.',
};

export const RECEIVE_BUFFER_OPTION: OptionSpec = {
  type: 'bytes',
  description:
    'UDP socket receive buffer (SO_RCVBUF) to ask for. Default: 8 MiB asked for, capped by the kernel at net.core.rmem_max (raise it with sysctl for bursts). Datagrams the kernel drops because it is full are counted (`dropped_kernel`).',
};

export const DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;

export const QUEUE_SIZE_OPTION: OptionSpec = {
  type: 'number',
  default: 10000,
  description:
    'UDP datagrams that may wait for room in the pipeline; more are dropped and counted (`dropped_queue_full`): UDP cannot be slowed down. (Logstash\'s default is 2000; a larger queue rides out bursts better.)',
};
