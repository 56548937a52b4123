import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE } from '../common/problem';

export const CONSOLE_PATH = '/console';

/**
 * The console's own CSP, stricter than the API's: its scripts and styles are files of this
 * origin (Vite emits no inline code), it talks to this origin only, and nothing may frame it.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Vite's hashed file names: a new build gives a new name, so a browser may keep one for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: always revalidated (a 304 when unchanged). */
const REVALIDATE = 'no-cache';
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

export interface ConsoleFile {
  body: Buffer;
  /** The gzip form, when the type compresses and it is smaller. */
  gzip: Buffer | null;
  type: string;
  /** The entity tag of `body`; the gzip form has its own (`…-gz"`): two encodings are two representations. */
  etag: string;
  gzipEtag: string | null;
  cacheControl: string;
}

/**
 * The built console, read into memory once at start (a few hundred kB): each file by its URL
 * path under /console/, with its gzip form made once. Only files under `dir` are ever served;
 * a request names a key of this map or gets a 404, so no path reaches the file system.
 */
export function loadConsoleFiles(dir: string): Map<string, ConsoleFile> | null {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) return null;
  const files = new Map<string, ConsoleFile>();
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const path = join(root, entry);
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) continue;
    const extension = extname(path).toLowerCase();
    const type = TYPES[extension];
    if (!type) continue;
    const body = readFileSync(path);
    const gzipped = COMPRESSIBLE.has(extension) ? gzipSync(body, { level: 9 }) : null;
    const key = relative(root, path).split(sep).join('/');
    const gzip = gzipped && gzipped.length < body.length ? gzipped : null;
    const tag = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    files.set(key, {
      body,
      gzip,
      type,
      etag: `"${tag}"`,
      gzipEtag: gzip ? `"${tag}-gz"` : null,
      cacheControl: key.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    });
  }
  return files;
}

/** Where the built console is by default: `dist/apps/console` beside `dist/apps/api`, the folder of the script node runs. */
export function defaultConsoleDir(): string {
  return resolve(dirname(process.argv[1] ?? join(process.cwd(), 'main.js')), '..', 'console');
}

/**
 * Whether Accept-Encoding takes gzip with a q-value above 0: as `gzip` (or `x-gzip`) when it
 * names it, else as `*` (which stands for the codings it does not name: RFC 9110 §12.5.3).
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  let named: boolean | null = null;
  let any: boolean | null = null;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') named = (named ?? false) || accepted;
    else if (coding === '*') any = (any ?? false) || accepted;
  }
  return named ?? any ?? false;
}

/** Whether If-None-Match names this entity tag (weak comparison, a list, or `*`): RFC 9110 §13.1.2. */
export function matchesNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== 'string') return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

function notFound(reply: FastifyReply, detail: string) {
  return reply.code(404).header('content-type', PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store').send(JSON.stringify(problem(404, detail)));
}

export type ConsoleServing = { served: true; files: number } | { served: false; reason: 'disabled' | 'not-built'; dir?: string };

/**
 * `GET /console/` and its files, as plain Fastify routes outside /api/v1 and outside the API
 * key (the files hold no data: everything the console shows it reads through the REST API
 * with the operator's key). `/console` redirects to `/console/`, so relative asset URLs resolve.
 */
export function installConsole(app: NestFastifyApplication, options: { enabled: boolean; dir: string | null }): ConsoleServing {
  if (!options.enabled) return { served: false, reason: 'disabled' };
  const dir = options.dir ?? defaultConsoleDir();
  const files = loadConsoleFiles(dir);
  const fastify = app.getHttpAdapter().getInstance();
  if (!files) {
    const detail = `The console is not built: run \`npm run build\` (no index.html in ${dir}; CONSOLE_DIR names another folder).`;
    fastify.get(CONSOLE_PATH, (_request, reply) => notFound(reply, detail));
    fastify.get(`${CONSOLE_PATH}/*`, (_request, reply) => notFound(reply, detail));
    return { served: false, reason: 'not-built', dir };
  }
  fastify.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 301));
  fastify.get(`${CONSOLE_PATH}/*`, (request, reply) => {
    const wanted = (request.params as { '*': string })['*'];
    const file = files.get(wanted === '' ? 'index.html' : wanted);
    if (!file) return notFound(reply, 'No such console file.');
    const gzip = file.gzip !== null && acceptsGzip(request.headers['accept-encoding']);
    const etag = gzip ? (file.gzipEtag as string) : file.etag;
    reply.header('content-security-policy', CONSOLE_CSP).header('cache-control', file.cacheControl).header('etag', etag).header('vary', 'accept-encoding');
    if (matchesNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    reply.type(file.type);
    if (gzip) return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  });
  return { served: true, files: files.size };
}
