// Checks the edge's answers against its OpenAPI document, docs/openapi.yaml (generated from the
// Rust types by `make openapi`): every answer the test helpers receive goes through
// `checkAnswer`, and an answer the document does not describe fails the test that received it.
import { readFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const SPEC_PATH = fileURLToPath(new URL('../../docs/openapi.yaml', import.meta.url));

/** A JSON answer the document does not allow; `message` names the route and the schema path. */
export class OpenApiMismatch extends Error {}

/**
 * A checker of answers against `spec` (the parsed document). `check({ method, url, status,
 * contentType, body })`, with `body` the answer's text, throws an `OpenApiMismatch` when:
 * the route or method is not in the document (except the JSON 404 and 405 every unknown route
 * and method answers), the status is not one the operation lists, or a JSON answer does not
 * validate against the schema of its status. Answers of other types are checked for their
 * status only. `checked` counts the JSON answers validated.
 */
export function answerChecker(spec) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  // OpenAPI's number formats, which JSON Schema does not define: the types and bounds the
  // schemas carry are what is checked.
  for (const format of ['int32', 'int64', 'double', 'float']) ajv.addFormat(format, true);
  // The document is one schema resource, whose answers' schemas are reached by JSON pointer:
  // `components` and `paths` only hold them.
  ajv.addVocabulary(['components', 'paths']);
  ajv.addSchema({ $id: 'openapi.json', components: spec.components, paths: spec.paths });

  const routes = Object.entries(spec.paths).map(([template, item]) => ({
    template,
    item,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const validators = new Map();
  // The validator of the schema at `pointer` in the document.
  const validator = (pointer) => {
    if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: `openapi.json#${pointer}` }));
    return validators.get(pointer);
  };
  const errorSchema = '/components/schemas/Error';

  const checker = {
    checked: 0,
    check({ method, url, status, contentType, body }) {
      const { pathname } = new URL(url, 'http://edge');
      const label = `${method} ${pathname} → ${status}`;
      const route = routes.find(({ pattern }) => pattern.test(pathname));
      // HEAD is answered wherever GET is, with GET's headers and no body.
      const operation = route?.item[method === 'HEAD' ? 'get' : method.toLowerCase()];
      let schemaRef;
      if (!route || !operation) {
        // An unknown route answers a JSON 404, a method the route lacks a JSON 405.
        const expected = route ? 405 : 404;
        if (status !== expected) {
          throw new OpenApiMismatch(`${label}: the document has no ${route ? `${method} ${route.template}` : 'such route'}`);
        }
        schemaRef = errorSchema;
      } else {
        const response = operation.responses[String(status)];
        if (!response) {
          throw new OpenApiMismatch(`${label}: status ${status} is not among ${Object.keys(operation.responses).join(', ')} of ${method} ${route.template}`);
        }
        const media = (contentType ?? '').split(';')[0].trim();
        if (method === 'HEAD' || media !== 'application/json') return;
        const schema = response.content?.['application/json']?.schema;
        if (!schema) {
          throw new OpenApiMismatch(`${label}: a JSON answer where ${method} ${route.template} documents none for ${status}`);
        }
        schemaRef = ['paths', route.template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema']
          .map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`)
          .join('');
      }
      if (method === 'HEAD') return;
      checker.validate(label, validator(schemaRef), body);
    },
    validate(label, validate, body) {
      let value;
      try {
        value = JSON.parse(body);
      } catch (err) {
        throw new OpenApiMismatch(`${label}: not JSON (${err.message}): ${body.slice(0, 200)}`);
      }
      checker.checked += 1;
      if (!validate(value)) {
        const errors = validate.errors
          .slice(0, 10)
          .map((e) => `  ${e.instancePath || '/'} ${e.message} (schema ${e.schemaPath})`)
          .join('\n');
        throw new OpenApiMismatch(`${label}: the answer does not match docs/openapi.yaml:\n${errors}`);
      }
    },
  };
  return checker;
}

let shared;

/** The checker of docs/openapi.yaml, made on first use. */
export function specChecker() {
  shared ??= answerChecker(parse(readFileSync(SPEC_PATH, 'utf8')));
  return shared;
}

/**
 * Checks a fetch `Response` to `method url` against docs/openapi.yaml; resolves to an
 * equivalent Response whose body can still be read.
 */
export async function checkResponse(method, url, res) {
  const body = await res.text();
  specChecker().check({ method, url, status: res.status, contentType: res.headers.get('content-type'), body });
  // 1xx, 204 and 304 answers carry no body.
  const nullBody = [101, 204, 205, 304].includes(res.status) || method === 'HEAD';
  const copy = new Response(nullBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperty(copy, 'url', { value: res.url });
  return copy;
}

// With TACIT_OPENAPI_TALLY set, each test process appends how many JSON answers it validated
// (for the report of a whole run).
process.on('exit', () => {
  const tally = process.env.TACIT_OPENAPI_TALLY;
  if (tally && shared?.checked) appendFileSync(path.resolve(tally), `${shared.checked}\n`);
});
