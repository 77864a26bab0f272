import pg from 'pg';
import { openStorage, type Storage } from '../../packages/server/src/storage';

/** The engines every storage-touching suite runs on. */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty, migrated database. */
  open(): Promise<Storage>;
}

let counter = 0;

/** Creates a fresh, empty database on the PostgreSQL server of `adminUrl` and returns its URL. */
export async function createDatabase(adminUrl: string, prefix = 'xiaoer_t'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new PostgreSQL database on the test server (scripts/test.mjs starts one). */
export async function freshPostgresUrl(): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return createDatabase(admin);
}

/** SQLite (in memory) and PostgreSQL (a fresh database each time). */
export const testDatabases: TestDatabase[] = [
  { name: 'sqlite', open: () => openStorage('sqlite::memory:') },
  { name: 'postgres', open: async () => openStorage(await freshPostgresUrl(), { poolSize: 5 }) },
];
