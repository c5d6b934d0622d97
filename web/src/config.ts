/** What the host says at runtime (/config.json): never baked into the build. */
export interface AppConfig {
  apiBaseUrl: string;
  webSocketUrl: string;
  signIn: "local" | "cognito";
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  const answer = await fetcher("/config.json", { cache: "no-store" });
  if (!answer.ok) throw new Error(`The app's settings (/config.json) did not load (${answer.status}).`);
  const raw = (await answer.json()) as Partial<AppConfig>;
  return {
    apiBaseUrl: (raw.apiBaseUrl ?? "").replace(/\/$/, ""),
    webSocketUrl: raw.webSocketUrl ?? "/ws",
    signIn: raw.signIn === "cognito" ? "cognito" : "local",
  };
}

/** A relative socket path ("/ws") is made absolute against the page's own host. */
export function absoluteSocketUrl(url: string, location: Pick<Location, "protocol" | "host">): string {
  if (/^wss?:\/\//.test(url)) return url;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${url.startsWith("/") ? url : `/${url}`}`;
}
