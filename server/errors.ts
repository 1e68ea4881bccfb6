// One error type for the domain: a stable machine code for programs, a message for people, and the
// offending input fields when there are any. HTTP routes and the CLI map codes; nothing parses messages.
export type AppErrorCode =
  | "invalid_input" // 400
  | "unauthorized" // 401
  | "forbidden" // 403
  | "not_found" // 404
  | "conflict" // 409
  | "gone" // 410: e.g. a torn-down lab
  | "unavailable"; // 503

export const httpStatusOf: Record<AppErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unavailable: 503,
};

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Input field -> what is wrong with it, for invalid_input. */
    readonly fields?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
