import type { Schemas } from "../api/client";

export type Tokens = Schemas["Tokens"];
const KEY = "coaching.tokens";

/** Tokens for this tab only: sessionStorage ends with the tab, unlike localStorage. */
export const tokenStore = {
  read(): Tokens | null {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Tokens;
    } catch {
      return null;
    }
  },
  write(tokens: Tokens | null) {
    if (tokens) sessionStorage.setItem(KEY, JSON.stringify(tokens));
    else sessionStorage.removeItem(KEY);
  },
};
