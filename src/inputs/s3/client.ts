// Builds the AWS SDK v3 S3 client from Logstash-style settings. Credentials come from the options when
// given, otherwise from the SDK's default chain (environment, shared config, container/instance role).

import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ConnectionSettings {
  region: string;
  endpoint?: string;
  force_path_style?: boolean;
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
  /** Logstash's `additional_settings` (`force_path_style`, `follow_redirects` …): only force_path_style is used. */
  additional_settings?: Record<string, unknown>;
}

export function createS3Client(s: S3ConnectionSettings): S3Client {
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
  return new S3Client(config);
}

/** The options every S3 plugin shares, declared once (the names are logstash-input-s3's). */
export const S3_CONNECTION_OPTIONS = {
  region: { type: 'string', default: 'us-east-1', description: 'AWS region (any name an S3-compatible store accepts).' },
  endpoint: { type: 'string', description: 'URL of an S3-compatible store (MinIO, Ceph, s3rver …); AWS when unset.', example: 'endpoint => "http://minio:9000"' },
  force_path_style: { type: 'boolean', description: 'Address buckets as `<endpoint>/<bucket>` instead of `<bucket>.<endpoint>` (most S3-compatible stores need this). Also read from `additional_settings => { force_path_style => true }`.' },
  additional_settings: { type: 'hash', default: {}, description: 'Logstash\'s extra AWS client settings; `force_path_style` is honoured, others are ignored.' },
  access_key_id: { type: 'string', description: 'Access key; when unset the SDK\'s chain is used (AWS_ACCESS_KEY_ID…, shared config, container or instance role).' },
  secret_access_key: { type: 'password', description: 'Secret key going with `access_key_id`. Use `${VAR}` rather than writing it in the config.' },
  session_token: { type: 'password', description: 'Session token of temporary credentials.' },
} as const;
