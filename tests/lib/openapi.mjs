// The API's OpenAPI document (docs/openapi.yaml) as a check on answers: checkAnswer(reply) throws
// an AssertionError when an answer the server gave is not what the document says it can give,
// so the document cannot drift from the server.
//
//   import { checkAnswer } from '../lib/openapi.mjs';
//   checkAnswer({ method, path, status, headers, text, body });
//
// `path` is the request path as sent (a query string is allowed), `headers` the answer's headers
// with lower-case names, `text` the raw body and `body` its parsed JSON (or undefined).
//
// The operation is found as oatd's router finds its route: the path is split on '/' (empty
// segments kept), a {parameter} matches one non-empty segment, literal segments beat
// parameters (compared left to right), and HEAD is answered by GET without a body. Then:
//   - the status must be documented for the operation;
//   - a documented body must come with a documented media type and match its schema (ajv's
//     errors are in the message); a response documented without content must have no body;
//   - the headers the response documents must be there (when required) and match their schema.
// A request no route takes may get the document's x-oat-unrouted answers (404; 405 when routes
// match the path with other methods) or those of x-oat-any-request (the HTTP layer's refusals);
// a GET or HEAD answered 200 on a path no route has is a file of the console, not checked. A CORS preflight (OPTIONS, 204) is checked against
// x-oat-cors-preflight.
//
// The document is read once, when the module is loaded, and each schema compiled once, when an
// answer first needs it (compileAll() compiles them all at once).
import { AssertionError } from 'node:assert';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the document is read from. */
export const OPENAPI_PATH = resolve(here, '../../docs/openapi.yaml');

/** The document, parsed. */
export const openapi = YAML.parse(readFileSync(OPENAPI_PATH, 'utf8'));

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMAS_ID = 'oat-openapi-schemas';

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

// The document's schemas point at each other with "#/components/schemas/X"; ajv gets them as
// one schema resource whose $defs they are.
function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      out[key] = `${SCHEMAS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`;
    } else {
      out[key] = rewriteRefs(v);
    }
  }
  return out;
}

// Strict: an unknown keyword or format in the document is an error at load. Types may be left to
// the schema a subschema refines (strictTypes off), as the document's if/then blocks do.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: true });
addFormats(ajv);
ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(openapi.components?.schemas ?? {}) });

// A schema is compiled the first time an answer needs it, and only once: equal schemas (most
// are a $ref to a component) share one validator. compileAll() compiles every one now.
const compiled = new Map(); // JSON of a schema -> its validator
function compile(schema) {
  const rewritten = rewriteRefs(schema);
  const key = JSON.stringify(rewritten);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(rewritten);
    compiled.set(key, validate);
  }
  return validate;
}

function lazyValidator(schema) {
  let validate;
  const check = (value) => {
    validate ??= compile(schema);
    const ok = validate(value);
    check.errors = validate.errors;
    return ok;
  };
  check.compile = () => (validate ??= compile(schema));
  return check;
}
const validators = [];
function validatorOf(schema) {
  const v = lazyValidator(schema);
  validators.push(v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

// Follows a local "$ref" of the document (responses, headers, parameters).
function deref(value) {
  let seen = 0;
  while (value && typeof value.$ref === 'string') {
    if (!value.$ref.startsWith('#/') || ++seen > 20) throw new Error(`cannot follow $ref ${value.$ref}`);
    value = value.$ref.slice(2).split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((node, key) => node?.[key], openapi);
    if (value === undefined) throw new Error(`dangling $ref in ${OPENAPI_PATH}`);
  }
  return value;
}

// A response object, ready to check: {description, headers: [{name, required, validate,
// integer}], media: Map(media type -> validator or null)}.
function prepareResponse(response) {
  const r = deref(response);
  const headers = Object.entries(r.headers ?? {}).map(([name, h]) => {
    const header = deref(h);
    const schema = header.schema ?? {};
    return {
      name: name.toLowerCase(),
      required: header.required === true,
      integer: schema.type === 'integer',
      validate: validatorOf(schema),
    };
  });
  const media = new Map();
  for (const [type, content] of Object.entries(r.content ?? {})) {
    media.set(type.toLowerCase(), content.schema ? validatorOf(content.schema) : null);
  }
  return { description: r.description ?? '', headers, media };
}

function prepareResponses(responses = {}) {
  const out = new Map();
  for (const [status, response] of Object.entries(responses)) out.set(String(status), prepareResponse(response));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

// Splits "/a/b/c" into ["a","b","c"]; keeps empty segments ("/a//b/" -> ["a","","b",""]).
function segmentsOf(path) {
  return (path.startsWith('/') ? path.slice(1) : path).split('/');
}

const routes = Object.entries(openapi.paths ?? {}).map(([template, item]) => {
  const segments = segmentsOf(template).map((s) => {
    const m = /^\{([^{}]+)\}$/.exec(s);
    return m ? { param: m[1] } : { literal: s };
  });
  const operations = new Map();
  for (const method of METHODS) {
    if (!item[method]) continue;
    operations.set(method.toUpperCase(), {
      id: item[method].operationId ?? `${method.toUpperCase()} ${template}`,
      responses: prepareResponses(item[method].responses),
    });
  }
  return { template, segments, operations };
});

const anyRequest = prepareResponses(openapi['x-oat-any-request']?.responses);
const unrouted = prepareResponses(openapi['x-oat-unrouted']?.responses);
const preflight = prepareResponses(openapi['x-oat-cors-preflight']?.responses);

/** Compiles every schema the document's responses use now (a check of the whole document). */
export function compileAll() {
  for (const v of validators) v.compile();
  return compiled.size;
}

function matches(route, segments) {
  if (route.segments.length !== segments.length) return false;
  return route.segments.every((s, i) => (s.param ? segments[i] !== '' : s.literal === segments[i]));
}

// True when `a` is more specific than `b`: at the first position where one has a literal and
// the other a parameter, the literal wins.
function moreSpecific(a, b) {
  for (let i = 0; i < a.segments.length; ++i) {
    const pa = Boolean(a.segments[i].param);
    const pb = Boolean(b.segments[i].param);
    if (pa !== pb) return !pa;
  }
  return false;
}

/**
 * The operation oatd answers METHOD PATH with: {route, operation, method} (the method is GET
 * for a HEAD), or {route: null, allowed: [methods]} when none does (`allowed` is empty when no
 * route has the path at all).
 */
export function findOperation(method, path) {
  const raw = path.split(/[?#]/, 1)[0];
  const segments = segmentsOf(raw).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const candidates = routes.filter((r) => matches(r, segments));
  const pick = (m) => candidates
    .filter((r) => r.operations.has(m))
    .reduce((best, r) => (!best || moreSpecific(r, best) ? r : best), null);
  let used = method;
  let route = pick(method);
  if (!route && method === 'HEAD') {
    route = pick('GET');
    used = 'GET';
  }
  if (!route) {
    const allowed = [...new Set(candidates.flatMap((r) => [...r.operations.keys()]))];
    return { route: null, allowed };
  }
  return { route, operation: route.operations.get(used), method: used };
}

// ---------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------

function mediaTypeOf(headers) {
  const value = headers['content-type'];
  if (value === undefined) return undefined;
  return String(value).split(';', 1)[0].trim().toLowerCase();
}

function formatErrors(errors, root = '(body)') {
  return (errors ?? [])
    .map((e) => `  ${e.instancePath || root} ${e.message}${
      e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');
}

function excerpt(text, max = 600) {
  if (text === undefined || text === '') return '(no body)';
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/**
 * Checks one answer against docs/openapi.yaml; throws an AssertionError saying what is wrong.
 * REPLY: {method, path, status, headers (lower-case names), text, body (parsed JSON or
 * undefined)}. Returns the operation's id ("listAccessTokens", "unrouted", "static file", ...).
 */
export function checkAnswer(reply) {
  const method = String(reply.method).toUpperCase();
  const { path, status } = reply;
  const headers = reply.headers ?? {};
  const text = reply.text ?? '';
  const what = `${method} ${path} -> ${status}`;
  const fail = (message, where) => {
    throw new AssertionError({
      message: `${what}: ${message}${where ? ` (${where})` : ''}\n  answer: ${excerpt(text)}`,
      actual: reply.body ?? text,
      operator: 'checkAnswer',
      stackStartFn: checkAnswer,
    });
  };

  const found = findOperation(method, path);
  let id;
  let response;
  let where;
  if (method === 'OPTIONS' && status === 204 && !found.route?.operations.has('OPTIONS')) {
    id = 'CORS preflight';
    response = preflight.get('204');
    where = 'x-oat-cors-preflight';
  } else if (found.route) {
    id = found.operation.id;
    where = `${found.method} ${found.route.template}`;
    response = found.operation.responses.get(String(status));
    if (!response) {
      fail(`status ${status} is not documented for ${id}; documented: ${
        [...found.operation.responses.keys()].join(', ')}`, where);
    }
  } else {
    // No route answers: the router's 404 or 405, or the HTTP layer's refusals; or a console file.
    if ((method === 'GET' || method === 'HEAD') && status === 200 && found.allowed.length === 0) {
      return 'static file';
    }
    id = 'unrouted';
    where = found.allowed.length ? `no ${method} route; routes allow ${found.allowed.join(', ')}`
      : 'no route has this path';
    const expected = found.allowed.length ? '405' : '404';
    response = String(status) === expected ? unrouted.get(expected) : anyRequest.get(String(status));
    if (!response) {
      fail(`status ${status} is not what oatd answers a request no route takes (${expected}, or one of ${
        [...anyRequest.keys()].join(', ')})`, where);
    }
  }

  // Headers.
  for (const h of response.headers) {
    // node's http keeps repeated Set-Cookie fields apart; fetch joins them.
    const value = Array.isArray(headers[h.name]) ? headers[h.name].join(', ') : headers[h.name];
    if (value === undefined) {
      if (h.required) fail(`header ${h.name} is documented as required but missing`, where);
      continue;
    }
    const v = h.integer && /^-?\d+$/.test(String(value)) ? Number(value) : value;
    if (!h.validate(v)) fail(`header ${h.name}: ${JSON.stringify(value)} does not match its schema:\n${formatErrors(h.validate.errors, '(value)')}`, where);
  }

  // Body.
  const bodiless = method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (bodiless) {
    if (text !== '') fail('a body where none can be', where);
    return id;
  }
  if (response.media.size === 0) {
    if (text !== '') fail(`a body (${headers['content-type'] ?? 'no content-type'}) where none is documented`, where);
    return id;
  }
  if (text === '') fail(`no body, where the document gives one (${[...response.media.keys()].join(', ')})`, where);
  const type = mediaTypeOf(headers);
  if (!response.media.has(type)) {
    fail(`content-type ${type ?? '(none)'} is not documented; documented: ${[...response.media.keys()].join(', ')}`, where);
  }
  const validate = response.media.get(type);
  if (type === 'application/json' || type?.endsWith('+json')) {
    let body = reply.body;
    if (body === undefined) {
      try {
        body = JSON.parse(text);
      } catch {
        fail('a JSON content-type with a body that is not JSON', where);
      }
    }
    if (validate && !validate(body)) {
      fail(`the body does not match the schema of ${status} ${type}:\n${formatErrors(validate.errors)}`, where);
    }
  } else if (validate && !validate(text)) {
    fail(`the body does not match the schema of ${status} ${type}:\n${formatErrors(validate.errors)}`, where);
  }
  return id;
}
