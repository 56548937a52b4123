// Seeds a PostgreSQL schema (tables made by the API's migrations) with `rows` archived
// measurements, fast: INSERT … SELECT generate_series, in chunks, then ANALYZE. Each measurement
// has its push_log row (the foreign key), a blood-pressure `data` in Viatom's documented shape
// and its decoded observations; 100 people (authorizations) own them, so that at 10,000 each has
// 100 and a page of 50 Observations is full at every size: the same answer, a larger table.
// Used by `npm run bench -- --only=fhir`; also runnable alone:
//   node tools/bench/seed-measurements.mjs --pg=postgres://postgres@127.0.0.1:5432/test --schema=s --rows=1000000
import { pathToFileURL } from 'node:url';
import { runSeeder, seededPhones, seedInChunks } from './lib.mjs';

export const PEOPLE = 100;

/** The pseudonymous FHIR id the seed gives person `i` (0 … PEOPLE-1). */
export const seededPatientId = (i) => `seed${String(i).padStart(28, '0')}`;

export function seedMeasurements(pgUrl, schema, rows, log = () => {}) {
  let phone;
  const prepare = async (client) => {
    phone = await seededPhones(client, 'push_log', PEOPLE);
    await client.query(
      `INSERT INTO user_authorization (${phone.columns}, status, account_id, member_id, authorized_at, last_change_at, created_at, updated_at, fhir_patient_id)
       SELECT ${phone.values('g')}, 'authorized', 'OA==|' || g, 'OA==|LTE=', now(), now(), now(), now(), 'seed' || lpad(g::text, 28, '0')
       FROM generate_series(0, ${PEOPLE - 1}) AS g ON CONFLICT DO NOTHING`,
    );
  };
  const analyze = ['push_log', 'measurement', 'user_authorization'];
  return seedInChunks({ pgUrl, schema, rows, table: 'measurement', noun: 'measurements', analyze, log, prepare }, (client, from, to) =>
    client.query(
        `WITH g AS (
           SELECT g, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 minute' AS at, 110 + g % 40 AS sbp, 70 + g % 20 AS dia, 60 + g % 25 AS pr
           FROM generate_series($1::int, $2::int) AS g
         ), p AS (
           INSERT INTO push_log (dedupe_key, data_tag, type, account_id, member_id, device_sn, ${phone.columns}, source_created_at, source_updated_at,
                                 received_at, outcome, raw_message)
           SELECT 'tag:seed-m-' || g, 'seed-m-' || g, 1, 'OA==|' || (g % ${PEOPLE}), 'OA==|LTE=', 'SN21' || (g % 97),
                  ${phone.values(`g % ${PEOPLE}`)}, at, at, at + interval '1 second', 'archived', '{}'
           FROM g RETURNING id, data_tag
         )
         INSERT INTO measurement (push_id, data_tag, account_id, member_id, device_sn, data_type, measured_at, data, observations, received_at)
         SELECT p.id, p.data_tag, 'OA==|' || (g.g % ${PEOPLE}), 'OA==|LTE=', 'SN21' || (g.g % 97), 3, g.at,
                jsonb_build_object('data_type', 3, 'measure_time', (extract(epoch FROM g.at) * 1000)::bigint::text, 'remark', '',
                  'measure_result', jsonb_build_object('sbp', jsonb_build_object('value', g.sbp, 'unit', 'mmHg'),
                    'dia', jsonb_build_object('value', g.dia, 'unit', 'mmHg'), 'pr', jsonb_build_object('value', g.pr, 'unit', 'bpm'))),
                jsonb_build_array(jsonb_build_object('name', 'systolic', 'value', g.sbp, 'unit', 'mm[Hg]'),
                  jsonb_build_object('name', 'diastolic', 'value', g.dia, 'unit', 'mm[Hg]'),
                  jsonb_build_object('name', 'pulse-rate', 'value', g.pr, 'unit', '/min')),
                g.at + interval '1 second'
         FROM p JOIN g ON p.data_tag = 'seed-m-' || g.g
         ORDER BY g.g`,
        [from, to],
    ),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runSeeder('tools/bench/seed-measurements.mjs', seedMeasurements);
