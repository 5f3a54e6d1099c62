/** JSON as the description's post-processing sees it. */
export type Json = Record<string, unknown>;

export type Operation = Json & { responses: Record<string, Json> };

/** The description as plain JSON: @nestjs/swagger's types are OpenAPI 3.0's. */
export interface Doc extends Json {
  paths: Record<string, Record<string, Operation | undefined>>;
  components: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every operation of the description. */
export function operations(document: Doc): Operation[] {
  return Object.values(document.paths).flatMap((item) =>
    Object.entries(item).flatMap(([method, op]) =>
      HTTP_METHODS.has(method) && op !== undefined ? [op] : [],
    ),
  );
}

/** A response object without the `status` the decorators' options carry. */
export function withoutStatus(response: object): Json {
  const rest: Json = { ...response };
  delete rest['status'];
  return rest;
}
