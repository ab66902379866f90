// The opensearch output: the elasticsearch output under OpenSearch's name (Logstash's
// logstash-output-opensearch takes the same options); both speak to Elasticsearch 8 and OpenSearch 2.

import { elasticsearchOutputDef } from './elasticsearch.js';

export default elasticsearchOutputDef('opensearch', 'OpenSearch');
