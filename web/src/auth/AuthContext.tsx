import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { createApi, unwrap, type Api } from "../api/client";
import { ApiError } from "../api/errors";
import type { AppConfig } from "../config";
import { personFromToken, type Person } from "./claims";
import { tokenStore, type Tokens } from "./tokens";

interface Auth {
  config: AppConfig;
  api: Api;
  person: Person | null;
  accessToken: () => string | null;
  /** A fresh access token from the refresh token (one refresh at a time), or null. */
  refreshToken: () => Promise<string | null>;
  signedIn: (tokens: Tokens) => void;
  /** Ends the sign-in on the server too: every token issued until now stops working. */
  signOut: () => Promise<void>;
  /** Ends every sign-in of the person, on every device (this one too). Throws if the API refuses. */
  signOutEverywhere: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const [tokens, setTokens] = useState<Tokens | null>(() => tokenStore.read());
  const current = useRef(tokens);
  const refreshing = useRef<Promise<string | null> | null>(null);

  const keep = useCallback((next: Tokens | null) => {
    current.current = next;
    tokenStore.write(next);
    setTokens(next);
  }, []);

  // The refresh call itself goes through a client with no token source of its own.
  const signInApi = useMemo(
    () => createApi(config.apiBaseUrl, { accessToken: () => null, refresh: async () => null }),
    [config.apiBaseUrl],
  );
  const refreshToken = useCallback(() => {
    // One refresh at a time: a refresh token used twice ends the whole sign-in.
    refreshing.current ??= (async () => {
      const refreshToken = current.current?.refresh_token;
      if (!refreshToken) return null;
      try {
        const next = unwrap(await signInApi.POST("/v1/auth/refresh", { body: { refresh_token: refreshToken } }));
        keep(next);
        return next.access_token;
      } catch (error) {
        // The platform said no: the sign-in has ended. A network failure keeps it for later.
        if (error instanceof ApiError) keep(null);
        return null;
      } finally {
        refreshing.current = null;
      }
    })();
    return refreshing.current;
  }, [signInApi, keep]);

  const api = useMemo(
    () =>
      createApi(config.apiBaseUrl, { accessToken: () => current.current?.access_token ?? null, refresh: refreshToken }),
    [config.apiBaseUrl, refreshToken],
  );

  const signOut = useCallback(async () => {
    const refreshToken = current.current?.refresh_token;
    keep(null);
    if (refreshToken)
      await api.POST("/v1/auth/logout", { body: { refresh_token: refreshToken } }).catch(() => undefined);
  }, [api, keep]);

  const signOutEverywhere = useCallback(async () => {
    unwrap(await api.POST("/v1/account/sign-out-everywhere"));
    keep(null); // the refresh token is ended too: nothing left to log out
  }, [api, keep]);

  const accessToken = useCallback(() => current.current?.access_token ?? null, []);
  const value = useMemo<Auth>(
    () => ({
      config,
      api,
      person: tokens ? personFromToken(tokens.access_token) : null,
      accessToken,
      refreshToken,
      signedIn: keep,
      signOut,
      signOutEverywhere,
    }),
    [config, api, tokens, accessToken, refreshToken, keep, signOut, signOutEverywhere],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
