import type { paths, components } from "./schema";
import { apiErrorFrom, ApiError } from "./errors";

type UploadPath = "/v1/sessions" & keyof paths;
const UPLOAD_PATH: UploadPath = "/v1/sessions";
export type UploadAccepted = components["schemas"]["UploadAccepted"];

export interface UploadFields {
  sessionType: "group" | "individual" | null;
  sessionDate: string | null;
  coachId?: string | null; // whose session: unset, the uploader's own
}

/** The multipart upload with progress: fetch cannot report upload progress, XHR can. */
export function uploadTranscript(
  baseUrl: string,
  token: string | null,
  file: File,
  fields: UploadFields,
  onProgress: (fraction: number) => void,
  open: () => XMLHttpRequest = () => new XMLHttpRequest(),
): Promise<UploadAccepted> {
  const form = new FormData();
  form.append("transcript", file, file.name);
  if (fields.sessionType) form.append("session_type", fields.sessionType);
  if (fields.sessionDate) form.append("session_date", fields.sessionDate);
  if (fields.coachId) form.append("coach_id", fields.coachId);
  return new Promise((resolve, reject) => {
    const request = open();
    request.open("POST", `${baseUrl}${UPLOAD_PATH}`);
    if (token) request.setRequestHeader("Authorization", `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () =>
      reject(new ApiError(0, "NETWORK", "The upload did not reach the platform. Check your connection and try again."));
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 202 || request.status === 200) resolve(body as UploadAccepted);
      else reject(apiErrorFrom(request.status, body));
    };
    request.send(form);
  });
}
