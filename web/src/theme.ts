import { Badge, createTheme } from "@mantine/core";

/** Badges in the light variant: their text colours are darkened to readable contrast in app.css. */
export const theme = createTheme({
  components: {
    Badge: Badge.extend({ defaultProps: { variant: "light" } }),
  },
});
