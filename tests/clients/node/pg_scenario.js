// node-postgres (pg) scenario: typed parameters, named prepared statements, transactions,
// result field metadata, SQLSTATE codes on errors, rowMode 'array'.
// usage: npm install --prefix tests/clients/node && node tests/clients/node/pg_scenario.js HOST PORT DBNAME
// (user quiver unless PGUSER is set; PGPASSWORD is honoured; prints "ok" last when every check passed)
'use strict';
process.env.TZ = 'UTC'; // node-pg renders Date parameters and parses date columns in local time
const assert = require('assert');
const { Client } = require('pg');

// Failed checks are collected (not thrown) so one run reports every problem; an exception
// (a driver error, or a value too broken to inspect) ends only the current section.
const failures = [];
let client = null;
function check(ok, what) {
  if (!ok) {
    failures.push(what);
    console.log(`FAIL: ${what}`);
  }
  return ok;
}
function eq(actual, expected, what) {
  let same = true;
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (e) {
    same = false;
  }
  return check(same, `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}
async function section(name, body) {
  try {
    await body();
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {}); // leave no transaction open for the next section
    check(false, `${name}: ${e && e.code ? `[${e.code}] ` : ''}${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}
async function expectError(client, sql, values, code, what) {
  let err = null;
  try {
    await client.query(sql, values);
  } catch (e) {
    err = e;
  }
  if (!check(err !== null, `${what}: ${JSON.stringify(sql)} should have failed with ${code}`)) return {};
  eq(err.code, code, `${what}: SQLSTATE of "${err.message}"`);
  return err;
}

async function main() {
  const [host, port, database] = process.argv.slice(2);
  const theClient = new Client({
    host,
    port: Number(port),
    database,
    user: process.env.PGUSER || 'quiver',
    password: process.env.PGPASSWORD,
  });
  client = theClient;
  await client.connect();

  // --- parameters of several types, server-side casts, round-tripped through the extended protocol
  await section('typed parameters', async () => {
    const r = await client.query(
      'SELECT $1::int AS i, $2::bigint AS b, $3::numeric AS n, $4::text AS t, $5::bool AS bo, ' +
        '$6::bytea AS by, $7::date AS d, $8::timestamptz AS ts, $9::jsonb AS j, $10::int[] AS arr, $11::text AS nul',
      [
        42,
        '9007199254740993', // 2^53 + 1, not representable as a JS number
        '12345.6789',
        "it's text ünïcode",
        true,
        Buffer.from([0, 1, 2, 254, 255]), // node-pg sends Buffers in binary format
        '2024-02-29',
        new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
        { a: 1, b: [true, null, 'x'], c: { d: 2.5 } },
        [1, 2, 3],
        null,
      ]
    );
    eq(r.rowCount, 1, 'typed params rowCount');
    const row = r.rows[0];
    eq(row.i, 42, 'int param');
    eq(row.b, '9007199254740993', 'bigint param comes back as string');
    eq(row.n, '12345.6789', 'numeric param comes back as string');
    eq(row.t, "it's text ünïcode", 'text param');
    eq(row.bo, true, 'bool param');
    check(Buffer.isBuffer(row.by), `bytea should come back as Buffer, got ${typeof row.by}`);
    eq([...row.by], [0, 1, 2, 254, 255], 'bytea param');
    check(row.d instanceof Date, `date should parse to Date, got ${JSON.stringify(row.d)}`);
    eq(row.d.toISOString(), '2024-02-29T00:00:00.000Z', 'date param');
    check(row.ts instanceof Date, `timestamptz should parse to Date, got ${JSON.stringify(row.ts)}`);
    eq(row.ts.toISOString(), '2024-01-02T03:04:05.678Z', 'timestamptz param');
    eq(row.j, { a: 1, b: [true, null, 'x'], c: { d: 2.5 } }, 'jsonb param');
    eq(row.arr, [1, 2, 3], 'int[] param');
    eq(row.nul, null, 'NULL param');
    const types = Object.fromEntries(r.fields.map((f) => [f.name, f.dataTypeID]));
    eq(types, { i: 23, b: 20, n: 1700, t: 25, bo: 16, by: 17, d: 1082, ts: 1184, j: 3802, arr: 1007, nul: 25 }, 'param result dataTypeIDs');
  });

  // --- a table with those types; insert through parameters, read back
  await client.query(
    'CREATE TABLE items (id int PRIMARY KEY, big bigint, price numeric(10,2), name text NOT NULL UNIQUE, ' +
      'active bool, data bytea, born date, seen timestamptz, doc jsonb, tags int[])'
  );
  const insert = 'INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';
  await client.query(insert, [
    1, '-9223372036854775808', '19.99', 'widget', true, Buffer.from('\\x00raw'), '1999-12-31',
    '2001-02-03 04:05:06.789+02', JSON.stringify({ k: 'v', n: [1, 2] }), [10, 20],
  ]);
  const ins2 = await client.query(insert, [2, null, null, 'gadget', false, null, null, null, null, null]);
  eq(ins2.command, 'INSERT', 'INSERT command tag');
  eq(ins2.rowCount, 1, 'INSERT rowCount');
  let fields = [];
  await section('table round trip', async () => {
    const r = await client.query('SELECT * FROM items ORDER BY id');
    fields = r.fields;
    eq(r.rowCount, 2, 'SELECT rowCount');
    const [a, b] = r.rows;
    eq(a.id, 1, 'items.id');
    eq(a.big, '-9223372036854775808', 'items.big');
    eq(a.price, '19.99', 'items.price numeric(10,2)');
    eq(a.name, 'widget', 'items.name');
    eq(a.active, true, 'items.active');
    eq(a.data.toString('latin1'), '\\x00raw', 'items.data bytea');
    eq(a.born.toISOString(), '1999-12-31T00:00:00.000Z', 'items.born');
    eq(a.seen.toISOString(), '2001-02-03T02:05:06.789Z', 'items.seen');
    eq(a.doc, { k: 'v', n: [1, 2] }, 'items.doc');
    eq(a.tags, [10, 20], 'items.tags');
    eq(b, { id: 2, big: null, price: null, name: 'gadget', active: false, data: null, born: null, seen: null, doc: null, tags: null }, 'row with NULLs');
  });

  // --- fields metadata: dataTypeID, tableID, columnID, typmod, typlen
  await section('fields metadata', async () => {
    const r = { fields };
    const meta = r.fields.map((f) => [f.name, f.dataTypeID, f.columnID]);
    eq(meta, [
      ['id', 23, 1], ['big', 20, 2], ['price', 1700, 3], ['name', 25, 4], ['active', 16, 5],
      ['data', 17, 6], ['born', 1082, 7], ['seen', 1184, 8], ['doc', 3802, 9], ['tags', 1007, 10],
    ], 'fields name/dataTypeID/columnID');
    const tableIDs = new Set(r.fields.map((f) => f.tableID));
    eq(tableIDs.size, 1, 'one tableID for all columns');
    const tableID = [...tableIDs][0];
    check(tableID !== 0, 'tableID of a table column should not be 0');
    eq(r.fields[2].dataTypeModifier, ((10 << 16) | 2) + 4, 'numeric(10,2) typmod');
    eq(r.fields[0].dataTypeSize, 4, 'int4 typlen');
    eq(r.fields[3].dataTypeSize, -1, 'text typlen');
    eq(r.fields[0].format, 'text', 'field format');
    const types = await client.query("SELECT 'items'::regclass::oid AS reg, (SELECT oid FROM pg_class WHERE relname = 'items') AS cls");
    eq(Number(types.rows[0].reg), Number(types.rows[0].cls), "'items'::regclass::oid = pg_class.oid");
    const oid = await client.query("SELECT oid FROM pg_class WHERE relname = 'items'");
    eq(oid.rows.length, 1, 'pg_class row for items');
    eq(tableID, Number(oid.rows[0].oid), 'tableID equals pg_class.oid');
    const reg = await client.query("SELECT 'items'::regclass::oid AS oid");
    eq(tableID, Number(reg.rows[0].oid), "tableID equals 'items'::regclass::oid");
    // computed columns have tableID 0
    const c = await client.query('SELECT id + 1 AS x FROM items WHERE id = $1', [1]);
    eq([c.fields[0].tableID, c.fields[0].columnID, c.fields[0].dataTypeID], [0, 0, 23], 'computed column metadata');
    eq(c.rows, [{ x: 2 }], 'computed column value');
  });

  // --- named prepared statements, each executed twice
  await section('named prepared statements', async () => {
    for (const [id, expected] of [[1, 'widget'], [2, 'gadget'], [1, 'widget']]) {
      const r = await client.query({ name: 'item_by_id', text: 'SELECT name, price FROM items WHERE id = $1', values: [id] });
      eq(r.rows.map((x) => x.name), [expected], `named statement item_by_id(${id})`);
      eq(r.fields.map((f) => f.dataTypeID), [25, 1700], 'named statement field types');
    }
    for (const [name, n] of [['n1', 3], ['n2', 4]]) {
      const r = await client.query({ name: 'ins_item', text: 'INSERT INTO items (id, name) VALUES ($1, $2) RETURNING id, name', values: [n, name] });
      eq(r.rows, [{ id: n, name }], `named INSERT ... RETURNING (${name})`);
      eq([r.command, r.rowCount], ['INSERT', 1], 'named INSERT ... RETURNING command tag');
    }
    {
      const r = await client.query("INSERT INTO items (id, name) VALUES (5, 'n3') RETURNING id");
      eq([r.command, r.rowCount, r.rows], ['INSERT', 1, [{ id: 5 }]], 'INSERT ... RETURNING command tag (simple protocol)');
      const d = await client.query("DELETE FROM items WHERE id = 5 RETURNING name");
      eq([d.command, d.rowCount, d.rows], ['DELETE', 1, [{ name: 'n3' }]], 'DELETE ... RETURNING command tag (simple protocol)');
    }
    {
      const r = await client.query({ name: 'count_active', text: 'SELECT count(*) AS c FROM items WHERE active IS NOT DISTINCT FROM $1', values: [null] });
      eq(r.rows, [{ c: '2' }], 'count(*) with NULL param (bigint as string)');
      const r2 = await client.query({ name: 'count_active', text: 'SELECT count(*) AS c FROM items WHERE active IS NOT DISTINCT FROM $1', values: [true] });
      eq(r2.rows, [{ c: '1' }], 'count(*) second execution');
    }
  });

  // --- transactions: rollback discards, commit keeps, error aborts the block
  await section('transactions', async () => {
    await client.query('BEGIN');
    await client.query('INSERT INTO items (id, name) VALUES ($1, $2)', [10, 'rolled back']);
    eq((await client.query('SELECT count(*)::int AS c FROM items WHERE id = 10')).rows, [{ c: 1 }], 'row visible inside the transaction');
    await client.query('ROLLBACK');
    eq((await client.query('SELECT count(*)::int AS c FROM items WHERE id = 10')).rows, [{ c: 0 }], 'row gone after ROLLBACK');

    await client.query('BEGIN');
    await client.query('UPDATE items SET price = $1 WHERE id = $2', ['0.50', 2]);
    await client.query('SAVEPOINT s1');
    await client.query('DELETE FROM items WHERE id = 2');
    await client.query('ROLLBACK TO SAVEPOINT s1');
    await client.query('COMMIT');
    eq((await client.query('SELECT price FROM items WHERE id = 2')).rows, [{ price: '0.50' }], 'UPDATE committed, DELETE rolled back to savepoint');

    await client.query('BEGIN');
    await expectError(client, 'SELECT * FROM no_such_table', [], '42P01', 'error inside transaction');
    await expectError(client, 'SELECT 1', [], '25P02', 'statement in aborted transaction');
    await client.query('ROLLBACK');
  });

  // --- errors carry SQLSTATE; the client stays usable
  await section('errors', async () => {
    const dup = await expectError(client, 'INSERT INTO items (id, name) VALUES ($1, $2)', [1, 'dup'], '23505', 'duplicate primary key');
    eq(dup.table, 'items', 'unique violation table field');
    eq([dup.schema, dup.constraint], ['public', 'items_pkey'], 'unique violation schema and constraint fields');
    const dupName = await expectError(client, "INSERT INTO items (id, name) VALUES (99, 'widget')", undefined, '23505', 'duplicate unique column (simple protocol)');
    check(/duplicate key/.test(dupName.message), `23505 message: ${dupName.message}`);
    const missing = await expectError(client, 'SELECT * FROM no_such_table WHERE x = $1', [1], '42P01', 'undefined table (extended protocol)');
    check(/no_such_table/.test(missing.message), `42P01 message should name the table: ${missing.message}`);
    await expectError(client, 'SELECT * FROM no_such_table', undefined, '42P01', 'undefined table (simple protocol)');
    await expectError(client, { name: 'bad_stmt', text: 'SELECT * FROM nope', values: [] }, undefined, '42P01', 'undefined table in named statement');
    eq((await client.query('SELECT 1 + 1 AS two')).rows, [{ two: 2 }], 'client usable after errors');
    eq((await client.query({ name: 'item_by_id', text: 'SELECT name, price FROM items WHERE id = $1', values: [3] })).rows,
      [{ name: 'n1', price: null }], 'named statement still usable after errors');
  });

  // --- rowMode 'array'
  await section('rowMode array', async () => {
    const r = await client.query({ text: 'SELECT id, name, active FROM items WHERE id <= $1 ORDER BY id', values: [2], rowMode: 'array' });
    eq(r.rows, [[1, 'widget', true], [2, 'gadget', false]], "rowMode 'array' rows");
    eq(r.fields.map((f) => f.name), ['id', 'name', 'active'], "rowMode 'array' field names");
    const r2 = await client.query({ text: 'SELECT 1 AS a, 2 AS a', rowMode: 'array' });
    eq(r2.rows, [[1, 2]], "rowMode 'array' with duplicate column names");
  });

  // --- simple-protocol multi-statement text returns one result per statement
  await section('multi-statement', async () => {
    const rs = await client.query("UPDATE items SET active = true WHERE id = 3; SELECT name FROM items WHERE active ORDER BY id; SELECT 'x' AS y");
    check(Array.isArray(rs) && rs.length === 3, `multi-statement query should give 3 results, got ${JSON.stringify(rs && rs.length)}`);
    eq([rs[0].command, rs[0].rowCount], ['UPDATE', 1], 'multi-statement UPDATE');
    eq(rs[1].rows, [{ name: 'widget' }, { name: 'n1' }], 'multi-statement SELECT');
    eq(rs[2].rows, [{ y: 'x' }], 'multi-statement third result');
  });

  await client.end();
  if (failures.length > 0) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('ok');
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
