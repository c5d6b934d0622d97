/** Why a follow-up was skipped or failed, in words (the API's reason codes). */
const REASONS: Record<string, string> = {
  client_has_no_email_address: "The client has no email address on record. Add one, then send again.",
  client_unsubscribed: "The client unsubscribed from follow-up emails.",
};

export function explainReason(reason: string | null | undefined): string | null {
  if (!reason) return null;
  if (REASONS[reason]) return REASONS[reason];
  if (reason.startsWith("client_address_suppressed")) {
    return `The client's address refused mail before (${reason.split(": ").slice(1).join(": ") || "bounce or complaint"}). Give a new address, then send again.`;
  }
  return reason.replace(/_/g, " ");
}
