import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useAuth } from "./AuthContext";

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const ZoneContext = createContext<string>(browserZone);

/** The coach's time zone from their profile; people without a coach profile get the browser's. */
export function TimeZoneProvider({ children }: { children: ReactNode }) {
  const { api, person } = useAuth();
  const [zone, setZone] = useState(browserZone);
  useEffect(() => {
    if (!person?.coachId) return;
    let current = true;
    api.GET("/v1/coach-profile").then(
      ({ data }) => {
        const chosen = data?.notification_preferences.time_zone;
        if (current && chosen) setZone(chosen);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, person?.coachId]);
  return <ZoneContext.Provider value={zone}>{children}</ZoneContext.Provider>;
}

export function useTimeZone(): string {
  return useContext(ZoneContext);
}
