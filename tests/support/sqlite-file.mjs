// Reading a SQLite database the way SQLite itself would, from files on disk, without opening
// (and so changing) them: workerd keeps a Durable Object's recent writes in the `-wal` file
// and does not checkpoint it on exit, so the main file alone is out of date. This folds the
// committed frames of the write-ahead log into a copy of the main file and opens the copy with
// sql.js. Format: https://www.sqlite.org/fileformat2.html#the_write_ahead_log
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import initSqlJs from 'sql.js';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** The database at `file` (with its `-wal`, if any) as an in-memory sql.js Database. */
export async function openSqliteCopy(file) {
  const SQL = await initSqlJs();
  let image = await readFile(file);
  const wal = await readFile(`${file}-wal`).catch(() => null);
  if (wal && wal.length >= WAL_HEADER_BYTES) image = applyWal(image, wal);
  // A rollback-journal database to sql.js: it cannot use a WAL (bytes 18 and 19 say which).
  if (image.length >= 20) image[18] = image[19] = 1;
  return new SQL.Database(image);
}

/** `image` with every page of the log's last committed transaction applied. */
function applyWal(image, wal) {
  const pageSize = wal.readUInt32BE(8);
  const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const pending = new Map();
  let committed = new Map();
  let committedPages = 0;
  for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.length; at += FRAME_HEADER_BYTES + pageSize) {
    // Frames left over from an earlier generation of the log carry other salts: they end it.
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    const page = wal.readUInt32BE(at);
    pending.set(page, wal.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + pageSize));
    const pagesAfterCommit = wal.readUInt32BE(at + 4);
    if (pagesAfterCommit > 0) {
      committed = new Map([...committed, ...pending]);
      pending.clear();
      committedPages = pagesAfterCommit;
    }
  }
  if (committedPages === 0) return Buffer.from(image);
  const copy = Buffer.alloc(committedPages * pageSize);
  image.copy(copy, 0, 0, Math.min(image.length, copy.length));
  for (const [page, bytes] of committed) {
    if (page <= committedPages) bytes.copy(copy, (page - 1) * pageSize);
  }
  return copy;
}

/**
 * The SQLite file of shard `index` of `site` under a stopped edge's `persistDir` (each shard's
 * `site_config` row names its site and index), or undefined.
 */
export async function shardDatabase(persistDir, site, index = 0) {
  const entries = await readdir(persistDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.sqlite')) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const db = await openSqliteCopy(file);
    try {
      const isShard = db.exec("SELECT 1 FROM sqlite_master WHERE name = 'site_config'").length > 0;
      const [id, shardIndex] = isShard ? db.exec('SELECT id, shard_index FROM site_config')[0]?.values[0] ?? [] : [];
      if (id === site && shardIndex === index) return file;
    } finally {
      db.close();
    }
  }
  return undefined;
}

/**
 * Changes the database at `file` with `change(db)` (a sql.js Database) and writes it back in
 * place of the file and its write-ahead log, as a disk fault or another process would: only
 * while the edge is stopped.
 */
export async function rewriteSqlite(file, change) {
  const db = await openSqliteCopy(file);
  try {
    change(db);
    await writeFile(file, db.export());
  } finally {
    db.close();
  }
  await rm(`${file}-wal`, { force: true });
  await rm(`${file}-shm`, { force: true });
}
