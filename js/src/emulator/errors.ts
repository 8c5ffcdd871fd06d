// Together's error bodies (`ErrorData`): {"error": {"message", "type", "param", "code"}}.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function invalid(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, "invalid_request_error", param, code);
}

export function notFound(message: string, code: string | null = null): ApiError {
  return new ApiError(404, message, "invalid_request_error", null, code);
}

/** A 404 shaped as `GET /fine-tunes/models/limits` answers it: a bare `{message}`. */
export class BareError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
