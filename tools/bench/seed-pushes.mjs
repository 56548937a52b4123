// Seeds the push log of a PostgreSQL schema (tables made by the API's migrations) with
// `rows` pushes, fast: INSERT … SELECT generate_series, in chunks, then ANALYZE.
// Used by `npm run bench -- --only=list`; also runnable alone:
//   node tools/bench/seed-pushes.mjs --pg=postgres://postgres@127.0.0.1:5432/test --schema=s --rows=1000000
import { pathToFileURL } from 'node:url';
import { runSeeder, seededPhones, seedInChunks } from './lib.mjs';


/**
 * Appends pushes numbered from the current row count + 1 up to `rows` (so a schema can be
 * grown 10k → 100k → 1M). Rows look like real ones: 9 measurements to 1 authorization,
 * 1,000 phones, a realistic raw message (~330 bytes), one second apart.
 */
export function seedPushes(pgUrl, schema, rows, log = () => {}) {
  let phone;
  const prepare = async (client) => (phone = await seededPhones(client, 'push_log', 1000));
  return seedInChunks({ pgUrl, schema, rows, table: 'push_log', noun: 'rows', analyze: ['push_log'], log, prepare }, (client, from, to) =>
    client.query(
        `INSERT INTO push_log (dedupe_key, data_tag, type, account_id, member_id, device_sn, ${phone.columns},
                               source_created_at, source_updated_at, received_at, outcome, raw_message)
         SELECT 'tag:seed-' || g, 'seed-' || g, t.type, 'OA==|' || (g % 1000), 'OA==|LTE=', 'SN21' || (g % 97),
                ${phone.values('g % 1000')}, t.at, t.at, t.at + interval '1 second',
                CASE WHEN t.type = 1 THEN 'archived' ELSE 'applied' END,
                json_build_object('type', t.type, 'data_tag', 'seed-' || g, 'account_id', 'OA==|' || (g % 1000),
                  'member_id', 'OA==|LTE=', 'device_sn', 'SN21' || (g % 97),
                  'data', CASE WHEN t.type = 1
                    THEN json_build_object('data_type', 3, 'measure_time', to_char(t.at, 'YYYY-MM-DD HH24:MI:SS'),
                           'measure_result', json_build_object('sys', 110 + g % 30, 'dia', 70 + g % 15, 'pr', 60 + g % 25, 'unit', 'mmHg'), 'remark', '')
                    ELSE json_build_object('phone', '1531234' || lpad((g % 1000)::text, 4, '0')) END,
                  'user_info', json_build_object(),
                  'create_time', to_char(t.at, 'YYYY-MM-DD HH24:MI:SS'),
                  'update_time', to_char(t.at, 'YYYY-MM-DD HH24:MI:SS'))::text
         FROM generate_series($1::int, $2::int) AS g,
              LATERAL (SELECT CASE WHEN g % 10 = 0 THEN 2 ELSE 1 END AS type,
                              timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second' AS at) AS t`,
        [from, to],
    ),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runSeeder('tools/bench/seed-pushes.mjs', seedPushes);
