/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build is static: URLs and the sign-in kind come from /config.json at runtime.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    sourcemap: true,
    // Libraries change less often than pages: their own files stay cached across releases.
    rollupOptions: {
      output: {
        manualChunks: {
          react: ["react", "react-dom", "react-router-dom"],
          mantine: ["@mantine/core", "@mantine/hooks", "@mantine/dropzone"],
          charts: ["recharts"],
        },
      },
    },
  },
  // `npm run dev` beside `coach serve` (COACH_API, default :8000): same-origin API and socket.
  server: {
    proxy: {
      "/v1": process.env["COACH_API"] ?? "http://127.0.0.1:8000",
      "/ws": { target: (process.env["COACH_API"] ?? "http://127.0.0.1:8000").replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    css: false,
  },
});
