/** The signed-in person as the access token's claims say (read only to shape the screens;
 * the API checks every request itself). */
export type Role = "admin" | "coach_lead" | "coach" | "support";

export interface Person {
  userId: string;
  role: Role;
  coachId: string | null;
  email: string | null;
}

const ROLES: Role[] = ["admin", "coach_lead", "coach", "support"];

export function personFromToken(token: string): Person | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(payload.length / 4) * 4, "="),
    );
    const claims = JSON.parse(json) as Record<string, unknown>;
    const role = claims["custom:role"];
    if (typeof role !== "string" || !ROLES.includes(role as Role)) return null;
    return {
      userId: String(claims["sub"] ?? ""),
      role: role as Role,
      coachId: typeof claims["custom:coach_id"] === "string" ? (claims["custom:coach_id"] as string) : null,
      email: typeof claims["email"] === "string" ? (claims["email"] as string) : null,
    };
  } catch {
    return null;
  }
}

/** What each role is offered; what a role may not do is not shown at all. */
export const NAVIGATION: { path: string; label: string; roles: Role[] }[] = [
  { path: "/", label: "Dashboard", roles: ["admin", "coach_lead", "coach"] },
  { path: "/upload", label: "Upload", roles: ["admin", "coach_lead", "coach"] },
  { path: "/follow-ups", label: "Follow-ups", roles: ["admin", "coach_lead", "coach"] },
  // Search reads what the caller's sessions said: support, who sees no session, is not offered it.
  { path: "/search", label: "Search", roles: ["admin", "coach_lead", "coach"] },
  // Exports carry what the caller's sessions hold: support, who sees no session, has none.
  { path: "/exports", label: "Exports", roles: ["admin", "coach_lead", "coach"] },
  { path: "/templates", label: "Templates", roles: ["admin", "coach_lead", "coach"] },
  // Everyone has a password to change; coaches and leads also their voice and notices.
  { path: "/profile", label: "Your profile", roles: ["admin", "coach_lead", "coach", "support"] },
  { path: "/support", label: "Support", roles: ["support", "admin"] },
  { path: "/admin", label: "Organization", roles: ["admin"] },
];

export function navigationFor(role: Role) {
  return NAVIGATION.filter((item) => item.roles.includes(role));
}
