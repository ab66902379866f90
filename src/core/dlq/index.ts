// The dead-letter targets Sluice knows. A new kind of target (an S3 prefix, …) is one file implementing
// DeadLetterTarget plus one registration line here.

import { registerDeadLetterTarget } from './target.js';
import { JetStreamDeadLetterTarget } from './jetstream.js';
import { S3DeadLetterTarget } from './s3.js';

registerDeadLetterTarget('nats', (url, logger) => new JetStreamDeadLetterTarget(url, logger));
registerDeadLetterTarget('tls', (url, logger) => new JetStreamDeadLetterTarget(url, logger));
registerDeadLetterTarget('s3', (url, logger) => new S3DeadLetterTarget(url, logger));

export * from './target.js';
