import { openDatabase, type Db } from '../adapters/db/client.js';
import { readEnvironment } from '../environment.js';

/** Runs `work` on a small pool to DATABASE_URL, closed afterwards whatever happens. */
export async function withDatabase(work: (db: Db) => Promise<void>): Promise<void> {
  const database = openDatabase(readEnvironment().databaseUrl, { max: 2 });
  try {
    await work(database.db);
  } finally {
    await database.close();
  }
}
