/**
 * `GET /api/openapi.json` is generated from the access table and the protocol's zod schemas: every
 * route of the table is in it with its method, params, access and bodies, and every `$ref` names
 * a schema of the document.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROUTES } from '../../../src/server/access.js';
import { createApp } from '../../../src/server/app.js';
import { Logins } from '../../../src/server/auth.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { openApiPath } from '../../../src/server/openapi.js';
import { WorkspaceFiles } from '../../../src/server/workspace-files.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { makeWorkspace, removeWorkspace } from './helpers.js';

type Json = Record<string, unknown>;

let ws: string;
let store: RunStore;
let document: Json;
let text: string;

before(async () => {
  ws = makeWorkspace();
  store = await openStore({ workspace: ws });
  const app = createApp({
    files: new WorkspaceFiles(ws),
    logins: new Logins(),
    authorize: () => false,
    identity: () => ({ origins: new Set(), cookieName: 'quire_session_4321' }),
    logError: (error) => assert.fail(String(error)),
    events: memoryEventSink(),
    store,
    uiDir: null,
  });
  // Public: no cookie, and an authorizer that refuses everything.
  const response = await app.request('/api/openapi.json');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  text = await response.text();
  document = JSON.parse(text) as Json;
});

after(async () => {
  await store.close();
  removeWorkspace(ws);
});

test('Hono patterns become OpenAPI paths with their params', () => {
  assert.deepEqual(openApiPath('/api/notebooks/:path{.+}'), {
    path: '/api/notebooks/{path}',
    params: ['path'],
  });
  assert.deepEqual(openApiPath('/api/runs/:id/report'), { path: '/api/runs/{id}/report', params: ['id'] });
  assert.deepEqual(openApiPath('/assets/*'), { path: '/assets/{rest}', params: ['rest'] });
  assert.deepEqual(openApiPath('/login'), { path: '/login', params: [] });
});

test('the document is OpenAPI 3.1 with info, paths, schemas and the session cookie scheme', () => {
  assert.equal(document.openapi, '3.1.0');
  assert.equal(typeof (document.info as Json).title, 'string');
  assert.equal(typeof (document.info as Json).version, 'string');
  const components = document.components as { schemas: Json; securitySchemes: Json };
  assert.deepEqual(components.securitySchemes.session, {
    type: 'apiKey',
    in: 'cookie',
    name: 'quire_session_4321',
  });
  for (const name of ['NotebookList', 'NotebookRead', 'SaveRequest', 'RunList', 'RunDetail', 'ErrorBody'])
    assert.ok(name in components.schemas, name);
  const save = components.schemas.SaveRequest as { required: string[]; properties: Json };
  assert.deepEqual(save.required.sort(), ['baseVersion', 'text']);
});

test('every route of the table is in the document, with its access, params and bodies', () => {
  const paths = document.paths as Record<string, Record<string, Json>>;
  for (const [key, entry] of Object.entries(ROUTES)) {
    const [method, pattern] = key.split(' ') as [string, string];
    const { path, params } = openApiPath(pattern);
    const operation = paths[path]?.[method.toLowerCase()];
    assert.ok(operation, `${key} is in the document as ${method.toLowerCase()} ${path}`);
    assert.equal(operation.summary, entry.summary);
    const access = operation['x-quire-access'] as Json;
    if ('public' in entry) {
      assert.deepEqual(operation.security, [], `${key} is public`);
      assert.equal(access.public, entry.public);
    } else {
      assert.deepEqual(operation.security, [{ session: [] }], `${key} needs the session`);
      assert.equal(access.action, entry.action);
      assert.ok('401' in (operation.responses as Json) && '403' in (operation.responses as Json));
    }
    const names = ((operation.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
    assert.deepEqual(names, params, `${key}: path params`);
    assert.equal('requestBody' in operation, entry.body !== undefined, `${key}: request body`);
    for (const status of Object.keys(entry.responses))
      assert.ok(status in (operation.responses as Json), `${key}: answer ${status}`);
  }
  const count = Object.values(paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
  assert.equal(count, Object.keys(ROUTES).length, 'nothing but the table');
});

test('every $ref names a schema of the document', () => {
  const schemas = (document.components as { schemas: Json }).schemas;
  const refs = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 10);
  for (const ref of refs) {
    assert.match(ref, /^#\/components\/schemas\//);
    assert.ok(ref.slice('#/components/schemas/'.length) in schemas, ref);
  }
});
