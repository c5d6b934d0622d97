/** The API's one error shape, {"error": {code, message, details}}, as the coach reads it. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Invalid fields, as the API lists them (422 details.fields), for the form to show. */
  get fields(): { field: string; message: string }[] {
    const fields = this.details["fields"];
    if (!Array.isArray(fields)) return [];
    return fields.map((f) => {
      const entry = f as { loc?: unknown[]; field?: string; msg?: string; message?: string };
      return {
        field: entry.field ?? (entry.loc ?? []).join("."),
        message: entry.message ?? entry.msg ?? "",
      };
    });
  }
}

export function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && "message" in error;
}

/** An ApiError from an answer's status and body; a body not in the shape still reads well. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(status, body.error.code, body.error.message, body.error.details ?? {});
  }
  return new ApiError(
    status,
    `HTTP_${status}`,
    "The server answered in a way this page did not expect. Please try again.",
  );
}

/** What any thrown thing says to a person: the API's sentence, or a plain one. */
export function sentenceFor(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The platform could not be reached. Check your connection and try again.";
  if (error instanceof Error) return error.message;
  return "Something went wrong. Please try again.";
}
