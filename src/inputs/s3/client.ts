// Builds the AWS SDK v3 S3 client from Logstash-style settings. Credentials come from the options when
// given, otherwise from the SDK's default chain (environment, shared config, container/instance role).

import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

import type { S3ConnectionSettings } from './options.js';
import { s3Sdk } from '../../core/libs.js';

export function createS3Client(s: S3ConnectionSettings): S3Client {
  // The SDK is pinned to a release that supports Node 20 (see README, Dependencies); its notice that later releases
  // will not would otherwise be printed by every run. Setting the variable to anything else shows it again.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if ((s.access_key_id === undefined) !== (s.secret_access_key === undefined)) {
    throw new Error('access_key_id and secret_access_key must be given together (or neither, to use the environment)');
  }
  const extra = s.additional_settings ?? {};
  const pathStyle = s.force_path_style ?? (extra.force_path_style === true || extra.force_path_style === 'true');
  const config: S3ClientConfig = {
    region: s.region,
    forcePathStyle: pathStyle,
    // Only when the API requires it: S3-compatible stores (s3rver, older MinIO) mishandle the default
    // aws-chunked uploads with trailing checksums and do not send the response checksums the SDK expects.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (s.endpoint) config.endpoint = s.endpoint;
  if (s.access_key_id !== undefined && s.secret_access_key !== undefined) {
    config.credentials = { accessKeyId: s.access_key_id, secretAccessKey: s.secret_access_key, ...(s.session_token ? { sessionToken: s.session_token } : {}) };
  }
  return new (s3Sdk().S3Client)(config);
}
