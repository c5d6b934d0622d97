import "@mantine/core/styles.css";
import "@mantine/dropzone/styles.css";
import "./app.css";
import { MantineProvider } from "@mantine/core";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import { theme } from "./theme";
import { AuthProvider } from "./auth/AuthContext";
import { loadConfig } from "./config";

const root = createRoot(document.getElementById("root")!);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <MantineProvider theme={theme}>
          <BrowserRouter>
            <AuthProvider config={config}>
              <App />
            </AuthProvider>
          </BrowserRouter>
        </MantineProvider>
      </StrictMode>,
    ),
  (error: unknown) => {
    root.render(<p role="alert">{error instanceof Error ? error.message : "The app could not start."}</p>);
  },
);
