import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';

const fingerprint = (settings: Record<string, unknown>) => createPlugin<Filter>('filter', 'fingerprint', settings);
const ip = { clientip: '123.123.123.123' };

async function fp(settings: Record<string, unknown>, data: Record<string, unknown>, target = 'fingerprint'): Promise<unknown> {
  const { matched, event } = runFilter(await fingerprint(settings), data);
  assert.equal(matched, true);
  return event.get(target);
}

// Vectors from Logstash's fingerprint plugin specification (same inputs, same expected outputs).
test('SHA family and MD5, plain, HMAC and base64', async () => {
  const src = { source: ['clientip'] };
  const key = 'longencryptionkey';
  assert.equal(await fp({ ...src }, ip), '3a5076c520b4b463f43806896ea0b3978d09dcae');
  assert.equal(await fp({ ...src, base64encode: true }, ip), 'OlB2xSC0tGP0OAaJbqCzl40J3K4=');
  assert.equal(await fp({ ...src, key }, ip), 'fdc60acc4773dc5ac569ffb78fcb93c9630797f4');
  assert.equal(await fp({ ...src, key, base64encode: true }, ip), '/cYKzEdz3FrFaf+3j8uTyWMHl/Q=');
  assert.equal(await fp({ ...src, method: 'SHA256' }, ip), '4dabcab210766e35f03e77120e6986d6e6d4752b2a9ff22980b9253d026080d8');
  assert.equal(await fp({ ...src, method: 'SHA256', key, base64encode: true }, ip), 'NFvsPv8kLVO1aJFsJhCz45PYhda5bWQ/OElP10v0qco=');
  assert.equal(await fp({ ...src, method: 'SHA384', key }, ip), '22d4c0e8c4fbcdc4887d2038fca7650f0e2e0e2457ff41c06eb2a980dded6749561c814fe182aff93e2538d18593947a');
  assert.equal(await fp({ ...src, method: 'SHA512' }, ip), '5468e2dc64ea92b617782aae884b35af60041ac9e168a283615b6a462c54c13d42fa9542cce9b7d76a8124ac6616818905e3e5dd35d6e519f77c3b517558639a');
  assert.equal(await fp({ ...src, method: 'MD5' }, ip), 'ccdd8d3d940a01b2fb3258c059924c0d');
  assert.equal(await fp({ ...src, method: 'MD5', key, base64encode: true }, ip), 'kzbIeeMFyWBKOEP8PnWUjw==');
});

test('MURMUR3 is the unsigned 32-bit value; integers hash as 64-bit little-endian', async () => {
  assert.equal(await fp({ source: ['clientip'], method: 'MURMUR3' }, ip), 4013733395);
  assert.equal(await fp({ source: ['clientip'], method: 'MURMUR3' }, { clientip: 123 }), 823512154);
});

test('MURMUR3_128: hex (seed 2) or base64', async () => {
  assert.equal(await fp({ source: ['clientip'], method: 'MURMUR3_128' }, ip), '41cbc4056eed401d091dfbeabf7ea9e0');
  assert.equal(await fp({ source: ['clientip'], method: 'MURMUR3_128', base64encode: true }, ip), 'QcvEBW7tQB0JHfvqv36p4A==');
});

test('timestamps hash as their ISO 8601 text with milliseconds', async () => {
  const epoch = { '@timestamp': new Date(0) };
  assert.equal(await fp({ source: ['@timestamp'], key: '0123' }, epoch), '1d5379ec92d86a67cfc642d55aa050ca312d3b9a');
  assert.equal(await fp({ source: ['@timestamp'], method: 'MURMUR3' }, epoch), 743372282);
});

test('an array value gives an array of fingerprints; the last existing source wins', async () => {
  assert.deepEqual(await fp({ source: ['clientip'] }, { clientip: ['123.123.123.123', '223.223.223.223'] }), [
    '3a5076c520b4b463f43806896ea0b3978d09dcae',
    '47bbc4e06edebbace047fed35abeceec64968b81',
  ]);
  assert.equal(await fp({ source: ['field1', 'field2', 'nosuch'] }, { field1: 'test1', field2: 'test2' }), '109f4b3c50d7b0df729d299bc6f8e9ef9066971f');
});

test('concatenate_sources hashes "|name|value|…|" with names sorted', async () => {
  // SHA1 of "|field1|test1|field2|test2|"
  assert.equal(await fp({ source: ['field2', 'field1'], concatenate_sources: true }, { field1: 'test1', field2: 'test2' }), 'e3b6b71eedc656f1d29408264e8a75535db985cb');
  const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
  assert.equal(await fp({ source: ['a', 'missing'], concatenate_sources: true }, { a: 1 }), sha1('|a|1|missing||'));
});

test('concatenate_all_fields over every field but @metadata', async () => {
  const data = {
    '@timestamp': '2017-07-26T14:44:27.064Z',
    '@version': '1',
    '@metadata': { ignored: true },
    clientip: '123.123.123.123',
    message: 'This is a test message',
    log_level: 'INFO',
    offset: 123456789,
    type: 'test',
  };
  assert.equal(await fp({ concatenate_all_fields: true }, data), 'cbf022518e97860403160ed8a41847c0db104e63');
});

test('hashes are hashed in Ruby inspect form with sorted keys, whatever the insertion order', async () => {
  const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
  const a = await fp({ source: ['a'] }, { a: { b: 1, a: [null, 'x', 1.5, true] } });
  const b = await fp({ source: ['a'] }, { a: { a: [null, 'x', 1.5, true], b: 1 } });
  assert.equal(a, b);
  assert.equal(a, sha1('{"a"=>[nil, "x", 1.5, true], "b"=>1}'));
});

test('PUNCTUATION keeps punctuation and symbols', async () => {
  const msg = "PHP Warning:  json_encode() [<a href='function.json-encode'>function.json-encode</a>]: Invalid UTF-8 sequence in argument in /var/www/htdocs/test.php on line 233";
  assert.equal(await fp({ method: 'PUNCTUATION', source: 'field1' }, { field1: msg }), ":_()[<='.-'>.-</>]:-////.");
});

test('UUID, IPV4_NETWORK, ECS target', async () => {
  assert.match(String(await fp({ method: 'UUID' }, {})), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(await fp({ method: 'IPV4_NETWORK', key: '24', source: ['clientip'] }, ip), '123.123.123.0');
  assert.equal(await fp({ source: ['clientip'], ecs_compatibility: 'v8' }, ip, '[event][hash]'), '3a5076c520b4b463f43806896ea0b3978d09dcae');
  await assert.rejects(fingerprint({ method: 'IPV4_NETWORK' }), /key must be set/);
  const f = await fingerprint({ method: 'IPV4_NETWORK', key: '16', source: ['clientip'] });
  const bad = runFilter(f, { clientip: 'not-an-ip' });
  assert.equal(bad.matched, false);
  assert.deepEqual(bad.event.tags, ['_fingerprintfailure']);
});
