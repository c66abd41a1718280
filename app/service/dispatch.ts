/**
 * The one entry point every transport uses: checks the method name against the contract,
 * validates the untrusted argument with the method's schema, calls the service, and turns every
 * outcome into an {@link ApiResult}. It never throws.
 */
import {
  API_METHODS,
  API_SCHEMAS,
  describeIssues,
  isApiMethod,
  type ApiResult,
  type ExplorerApi,
} from '../contract';
import { toApiError } from './errors';

export async function dispatch(
  api: ExplorerApi,
  method: unknown,
  req: unknown,
): Promise<ApiResult<unknown>> {
  if (!isApiMethod(method)) {
    const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : typeof method;
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_METHOD',
        message: `Unknown method ${shown}. Known methods: ${API_METHODS.join(', ')}.`,
      },
    };
  }
  const parsed = API_SCHEMAS[method].safeParse(req);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: `Invalid arguments for ${method}: ${describeIssues(parsed.error)}`,
        details: {
          issues: parsed.error.issues.map((i) => ({
            path: i.path.map(String),
            message: i.message,
          })),
        },
      },
    };
  }
  try {
    // Each schema's output type is the matching method's request type (see contract/schemas.ts);
    // the compiler cannot correlate the two through the `method` union, hence the cast.
    const call = api[method] as (req: unknown) => Promise<unknown>;
    const value = await call.call(api, parsed.data);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: toApiError(error) };
  }
}
