/**
 * The OpenAPI 3.1 document of `quire serve` (`GET /api/openapi.json`), generated from the access
 * table (access.ts: paths, summaries, who may call them) and the protocol's zod schemas
 * (protocol/api.ts, via zod's own `z.toJSONSchema`: JSON Schema 2020-12, which OpenAPI 3.1 uses).
 * Nothing here is written by hand per route: a route added to the table appears here.
 */
import { z } from 'zod';
import { apiSchemas } from '../protocol/api.js';
import { ROUTES, type RouteAccess } from './access.js';

type JsonSchema = Record<string, unknown>;

/** Hono's `/api/notebooks/:path{.+}` and `/assets/*` as OpenAPI paths, with their path params. */
export function openApiPath(pattern: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = pattern
    .split('/')
    .map((segment) => {
      const named = /^:(\w+)(\{.*\})?$/.exec(segment);
      if (named) {
        params.push(named[1]!);
        return `{${named[1]}}`;
      }
      if (segment === '*') {
        params.push('rest');
        return '{rest}';
      }
      return segment;
    })
    .join('/');
  return { path, params };
}

const ref = (id: string) => `#/components/schemas/${id}`;

/** A schema as JSON Schema: a `$ref` to its component when it has one, else inline. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (id) return { $ref: ref(id) };
  const { $schema: _drop, ...inline } = z.toJSONSchema(schema, {
    unrepresentable: 'any',
    io: 'input',
  }) as JsonSchema;
  return inline;
}

function operation(entry: RouteAccess, pathParams: string[]): JsonSchema {
  const parameters: JsonSchema[] = pathParams.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  for (const [name, schema] of Object.entries(entry.query?.shape ?? {})) {
    const field = schema as z.ZodType;
    parameters.push({
      name,
      in: 'query',
      required: !field.safeParse(undefined).success,
      schema: schemaOf(field),
    });
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(entry.responses)) {
    const content = answer.schema
      ? { 'application/json': { schema: schemaOf(answer.schema) } }
      : answer.contentType
        ? { [answer.contentType]: {} }
        : undefined;
    responses[status] = { description: answer.description, ...(content ? { content } : {}) };
  }
  const isPublic = 'public' in entry;
  if (!isPublic) {
    responses['401'] ??= {
      description: 'no session',
      content: { 'application/json': { schema: { $ref: ref('ErrorBody') } } },
    };
    responses['403'] ??= {
      description: `not allowed: \`${entry.action}\``,
      content: { 'application/json': { schema: { $ref: ref('ErrorBody') } } },
    };
  }
  return {
    summary: entry.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(entry.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(entry.body) } } } }
      : {}),
    responses,
    security: isPublic ? [] : [{ session: [] }],
    'x-quire-access': isPublic ? { public: entry.public } : { action: entry.action },
  };
}

/** The document for a server whose session cookie is `cookieName`. */
export function openApiDocument(
  cookieName: string,
  routes: Readonly<Record<string, RouteAccess>> = ROUTES,
): JsonSchema {
  const generated = z.toJSONSchema(apiSchemas, { uri: ref, unrepresentable: 'any', io: 'input' }).schemas;
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
    schemas[id] = rest;
  }
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [key, entry] of Object.entries(routes)) {
    const space = key.indexOf(' ');
    const { path, params } = openApiPath(key.slice(space + 1));
    (paths[path] ??= {})[key.slice(0, space).toLowerCase()] = operation(entry, params);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Quire server API',
      version: '1',
      description:
        'The HTTP API of `quire serve` (docs/server.md). Every operation that is not public needs the ' +
        'session cookie set by `GET /login?token=`; `x-quire-access` names the action it is authorized as.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: cookieName } },
    },
  };
}
