import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useAuth } from "../auth/AuthContext";
import { absoluteSocketUrl } from "../config";
import { LiveSocket, type ConnectionState, type SocketLike } from "./socketClient";

interface Live {
  socket: LiveSocket;
  state: ConnectionState;
}

const LiveContext = createContext<Live | null>(null);

/** One socket per signed-in tab, opened after sign-in and closed at sign-out. */
export function LiveProvider({
  children,
  openSocket,
}: {
  children: ReactNode;
  openSocket?: (url: string) => SocketLike;
}) {
  const { config, accessToken, refreshToken, person } = useAuth();
  const socket = useMemo(
    () =>
      new LiveSocket({
        url: absoluteSocketUrl(config.webSocketUrl, window.location),
        token: accessToken,
        refreshToken,
        ...(openSocket ? { open: openSocket } : {}),
      }),
    [config.webSocketUrl, accessToken, refreshToken, openSocket],
  );
  const [state, setState] = useState<ConnectionState>("closed");
  const signedIn = person !== null && person.role !== "support";
  useEffect(() => {
    if (!signedIn) return;
    const unlisten = socket.onState(setState);
    socket.subscribe();
    socket.start();
    return () => {
      unlisten();
      socket.stop();
    };
  }, [socket, signedIn]);
  return <LiveContext.Provider value={{ socket, state }}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive outside LiveProvider");
  return live;
}
