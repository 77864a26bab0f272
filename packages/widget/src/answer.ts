import type { HttpMethod, HttpResponseOf } from '@xiaoer/protocol';

/**
 * A successful answer's body, typed by the route its method and path fit in the protocol's
 * `HttpResponses` (as the web's `api()`): the one place the widget's JSON becomes a type.
 */
export async function answerOf<M extends HttpMethod, P extends string>(
  res: Response,
  _method: M,
  _path: P,
): Promise<HttpResponseOf<M, P>> {
  return (await res.json()) as HttpResponseOf<M, P>;
}
