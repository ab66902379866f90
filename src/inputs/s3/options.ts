// Connection settings shared by the S3 plugins, declared without loading the AWS SDK (plugin definitions are
// loaded by every process and worker thread; the SDK only where an S3 plugin is created).

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
